#include "predict/best_config.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace vitperf {
namespace {

// The pipeline variants searched: sequential, and overlapped with 2, 3 or 4 batches in flight.
constexpr int kQueueDepths[] = {1, 2, 3, 4};

struct Searcher {
  const HardwareProfile& profile;
  const BestSearchOptions& options;
  double budget_bytes;
  bool numa_measured;
  int evaluations = 0;

  Candidate Make(ViTConfig config, const PipelineOptions& o, int batch) {
    Candidate c;
    c.config = std::move(config);
    c.options = o;
    c.prediction = Evaluate(c.config, batch, o, profile);
    ++evaluations;
    c.prediction.fits = c.prediction.memory.TotalBytes() <= budget_bytes;
    const auto& slo = options.constraints.latency_slo_ms;
    c.meets_constraints = c.prediction.fits && (!slo || c.prediction.latency_p90_s * 1e3 <= *slo);
    c.cost_per_million_usd = options.price ? CostPerMillionImages(options.price->usd_per_hour,
                                                                  c.prediction.throughput_ips)
                                           : std::nan("");
    c.numa_default_factor = o.numa == NumaBinding::remote && !numa_measured;
    return c;
  }

  // The project's batch rule (smallest batch within 5% of the best under the constraints)
  // applied to one pipeline; empty when no batch meets the constraints.
  std::optional<Candidate> AtRecommendedBatch(const ViTConfig& config, const PipelineOptions& o) {
    const int largest = LargestFittingBatch(config, o, profile, budget_bytes);
    std::vector<Candidate> rows;
    std::vector<Prediction> predictions;
    for (int b : DefaultBatches(largest)) {
      rows.push_back(Make(config, o, b));
      predictions.push_back(rows.back().prediction);
    }
    const std::optional<int> pick = RecommendBatch(predictions, options.constraints, nullptr);
    if (!pick) return std::nullopt;
    return rows[*pick];
  }
};

bool SamePrediction(const Prediction& a, const Prediction& b) {
  auto same = [](double x, double y) { return std::fabs(x - y) <= 1e-9 * std::max(x, y); };
  return a.batch == b.batch && same(a.throughput_ips, b.throughput_ips) &&
         same(a.latency_p90_s, b.latency_p90_s) &&
         same(a.memory.TotalBytes(), b.memory.TotalBytes());
}

std::string PipelineLabel(const PipelineOptions& o) {
  return o.pipeline == PipelineMode::sequential
             ? "sequential"
             : "overlapped(q" + std::to_string(o.queue_depth) + ")";
}

// A state of the what-if walk and the single changes that can be applied to it.
struct Change {
  std::string label;
  std::function<void(ViTConfig&, PipelineOptions&)> apply;
  bool rebatch = false;  // pick the recommended batch instead of keeping the current one
};

// A precision, and for fp16 and bf16 whether an fp32 model reaches it under autocast or is cast.
struct NumericSetting {
  Precision precision = Precision::bf16;
  bool autocast = false;
  void ApplyTo(ViTConfig& c) const {
    c.precision = precision;
    c.autocast = autocast;
  }
  bool Matches(const ViTConfig& c) const {
    return c.precision == precision && c.autocast == autocast;
  }
};

// The settings searched: each precision asked for, and where the model runs under autocast, its
// fp16 and bf16 reached both ways (what autocast costs against casting the model).
std::vector<NumericSetting> SettingsFor(const ViTConfig& model,
                                        const std::vector<Precision>& precisions) {
  std::vector<NumericSetting> out;
  for (Precision p : precisions) {
    const bool half = p == Precision::fp16 || p == Precision::bf16;
    if (half && model.autocast) out.push_back({p, true});
    out.push_back({p, false});
  }
  return out;
}

std::string PrecisionLabel(const ViTConfig& c) {
  return ToString(c.precision) + (c.autocast ? " autocast" : "");
}

std::vector<Change> ChangesFrom(const ViTConfig& config, const PipelineOptions& o,
                                const std::vector<NumericSetting>& settings) {
  std::vector<Change> out;
  out.push_back({"batch -> recommended", [](ViTConfig&, PipelineOptions&) {}, true});
  for (ExecutionMode e : {ExecutionMode::graph, ExecutionMode::compiled, ExecutionMode::eager})
    if (e != o.execution)
      out.push_back({"execution " + ToString(o.execution) + " -> " + ToString(e),
                     [e](ViTConfig&, PipelineOptions& p) { p.execution = e; }});
  for (const NumericSetting& setting : settings)
    if (!setting.Matches(config)) {
      ViTConfig next = config;
      setting.ApplyTo(next);
      out.push_back({"precision " + PrecisionLabel(config) + " -> " + PrecisionLabel(next),
                     [setting](ViTConfig& c, PipelineOptions&) { setting.ApplyTo(c); }});
    }
  const InputFormat other_input =
      o.input == InputFormat::uint8 ? InputFormat::float32 : InputFormat::uint8;
  out.push_back({"input " + ToString(o.input) + " -> " + ToString(other_input),
                 [other_input](ViTConfig&, PipelineOptions& p) { p.input = other_input; }});
  const HostMemory other_host =
      o.host_memory == HostMemory::pinned ? HostMemory::pageable : HostMemory::pinned;
  out.push_back({"host memory " + ToString(o.host_memory) + " -> " + ToString(other_host),
                 [other_host](ViTConfig&, PipelineOptions& p) { p.host_memory = other_host; }});
  for (int q : kQueueDepths) {
    PipelineOptions next = o;
    next.pipeline = q == 1 ? PipelineMode::sequential : PipelineMode::overlapped;
    next.queue_depth = q;
    if (next.pipeline == o.pipeline && next.queue_depth == o.queue_depth) continue;
    out.push_back({"pipeline " + PipelineLabel(o) + " -> " + PipelineLabel(next),
                   [next](ViTConfig&, PipelineOptions& p) {
                     p.pipeline = next.pipeline;
                     p.queue_depth = next.queue_depth;
                   }});
  }
  for (NumaBinding n : {NumaBinding::local, NumaBinding::remote, NumaBinding::none})
    if (n != o.numa)
      out.push_back({"numa " + ToString(o.numa) + " -> " + ToString(n),
                     [n](ViTConfig&, PipelineOptions& p) { p.numa = n; }});
  return out;
}

// Each change applied alone to `from`. A change whose result meets no constraint at any batch
// is reported with the unconstrained prediction at the current batch, marked as not meeting them.
std::vector<WhatIfStep> TryChanges(Searcher& s, const Candidate& from, const Candidate& baseline,
                                   const std::vector<NumericSetting>& settings) {
  std::vector<WhatIfStep> out;
  for (const Change& change : ChangesFrom(from.config, from.options, settings)) {
    ViTConfig config = from.config;
    PipelineOptions o = from.options;
    change.apply(config, o);
    WhatIfStep step;
    step.change = change.label;
    if (change.rebatch) {
      auto best = s.AtRecommendedBatch(config, o);
      if (!best || best->prediction.batch == from.prediction.batch) continue;
      step.change = "batch " + std::to_string(from.prediction.batch) + " -> " +
                    std::to_string(best->prediction.batch);
      step.result = *best;
    } else {
      step.result = s.Make(config, o, from.prediction.batch);
    }
    step.gain = step.result.prediction.throughput_ips / from.prediction.throughput_ips;
    step.total_gain = step.result.prediction.throughput_ips / baseline.prediction.throughput_ips;
    out.push_back(step);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const WhatIfStep& a, const WhatIfStep& b) { return a.gain > b.gain; });
  return out;
}

}  // namespace

bool NumaFactorMeasured(const HardwareProfile& profile) {
  if (!profile.calibrated) return false;
  // A fitted standard error: the fit saw remote-NUMA points move it.
  return profile.coefficient_errors[Coef::numa_remote_factor] > 0;
}

std::string DescribeCandidate(const Candidate& c) {
  const PipelineOptions& o = c.options;
  return PrecisionLabel(c.config) + " " + ToString(o.execution) + " " + ToString(o.input) + " " +
         ToString(o.host_memory) + " " + PipelineLabel(o) + " numa=" + ToString(o.numa);
}

BestSearchResult SearchBestConfigs(const ViTConfig& model, const HardwareProfile& profile,
                                   const BestSearchOptions& options) {
  const SweepConstraints& k = options.constraints;
  if (k.latency_slo_ms && !(*k.latency_slo_ms > 0))
    throw std::invalid_argument("latency-slo: must be a positive number of milliseconds");
  if (k.memory_limit_bytes && !(*k.memory_limit_bytes > 0))
    throw std::invalid_argument("memory-limit: must be a positive number of GiB");
  if (options.top < 1) throw std::invalid_argument("top: must be at least 1");
  const std::vector<Precision> precisions =
      options.precisions.empty() ? std::vector<Precision>{Precision::bf16, Precision::fp16,
                                                          Precision::tf32, Precision::fp32}
                                 : options.precisions;

  BestSearchResult r;
  r.numa_measured = NumaFactorMeasured(profile);
  const double budget = std::min(k.memory_limit_bytes.value_or(profile.UsableMemoryBytes()),
                                 profile.UsableMemoryBytes());
  Searcher s{profile, options, budget, r.numa_measured};

  const std::vector<NumericSetting> settings = SettingsFor(model, precisions);
  std::vector<Candidate> all;
  for (const NumericSetting& setting : settings) {
    ViTConfig config = model;
    setting.ApplyTo(config);
    for (ExecutionMode e : {ExecutionMode::eager, ExecutionMode::graph, ExecutionMode::compiled})
      for (InputFormat in : {InputFormat::uint8, InputFormat::float32})
        for (HostMemory host : {HostMemory::pinned, HostMemory::pageable})
          for (int q : kQueueDepths)
            for (NumaBinding numa : {NumaBinding::none, NumaBinding::local, NumaBinding::remote}) {
              PipelineOptions o;
              o.execution = e;
              o.input = in;
              o.host_memory = host;
              o.pipeline = q == 1 ? PipelineMode::sequential : PipelineMode::overlapped;
              o.queue_depth = q;
              o.numa = numa;
              ++r.pipelines;
              if (auto c = s.AtRecommendedBatch(config, o))
                all.push_back(*c);
              else
                ++r.pipelines_without_batch;
            }
  }
  // Best first; among equal predictions the first enumerated (the simpler setting) stays.
  std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    return a.prediction.throughput_ips > b.prediction.throughput_ips;
  });
  r.compile_break_even = CompileBreakEvenOf(all, profile);
  for (const Candidate& c : all) {
    if (static_cast<int>(r.top.size()) >= options.top) break;
    bool duplicate = false;
    for (const Candidate& kept : r.top) duplicate |= SamePrediction(kept.prediction, c.prediction);
    if (!duplicate) r.top.push_back(c);
  }

  // What-if: the plain pipeline a first attempt uses, then single changes and the greedy path.
  ViTConfig plain = model;
  // fp32 where searched, else the first setting (under autocast: the user's own).
  const bool fp32 =
      std::find(precisions.begin(), precisions.end(), Precision::fp32) != precisions.end();
  (fp32 ? NumericSetting{Precision::fp32, false} : settings.front()).ApplyTo(plain);
  PipelineOptions plain_options;
  plain_options.execution = ExecutionMode::eager;
  plain_options.input = InputFormat::float32;
  plain_options.host_memory = HostMemory::pageable;
  plain_options.pipeline = PipelineMode::sequential;
  plain_options.queue_depth = 1;
  plain_options.numa = NumaBinding::none;
  r.baseline = s.Make(plain, plain_options, 1);
  r.single_changes = TryChanges(s, r.baseline, r.baseline, settings);

  Candidate state = r.baseline;
  for (int step = 0; step < 16; ++step) {
    std::vector<WhatIfStep> next = TryChanges(s, state, r.baseline, settings);
    auto best = std::find_if(next.begin(), next.end(),
                             [](const WhatIfStep& w) { return w.result.meets_constraints; });
    // Sorted by gain, so the first admissible change is the largest admissible gain.
    if (best == next.end() || best->gain < 1 + options.min_step_gain) break;
    r.greedy_path.push_back(*best);
    state = best->result;
  }
  r.evaluations = s.evaluations;
  return r;
}

std::optional<CompileBreakEven> CompileBreakEvenOf(const std::vector<Candidate>& ranked,
                                                   const HardwareProfile& profile) {
  auto first = [&](bool compiled) {
    return std::find_if(ranked.begin(), ranked.end(), [&](const Candidate& c) {
      return c.meets_constraints && (c.options.execution == ExecutionMode::compiled) == compiled;
    });
  };
  const auto compiled = first(true), uncompiled = first(false);
  if (compiled == ranked.end() || uncompiled == ranked.end()) return std::nullopt;
  CompileBreakEven b{*compiled, *uncompiled, std::nullopt, std::nullopt};
  const nlohmann::json& times = profile.fit;
  const std::string mode = ToString(compiled->options.compile_mode);
  if (times.is_object() && times.contains("compile_s") && times["compile_s"].contains(mode))
    b.compile_s = times["compile_s"][mode].value("median_s", 0.0);
  // Seconds saved per image; the compile is repaid once the saving adds up to its time.
  const double saved_s =
      1.0 / uncompiled->prediction.throughput_ips - 1.0 / compiled->prediction.throughput_ips;
  if (b.compile_s && *b.compile_s > 0 && saved_s > 0) b.break_even_images = *b.compile_s / saved_s;
  return b;
}

void to_json(nlohmann::json& j, const CompileBreakEven& b) {
  j = nlohmann::json{
      {"compiled", b.compiled},
      {"uncompiled", b.uncompiled},
      {"compile_s", b.compile_s ? nlohmann::json(*b.compile_s) : nullptr},
      {"break_even_images", b.break_even_images ? nlohmann::json(*b.break_even_images) : nullptr}};
}

void to_json(nlohmann::json& j, const Candidate& c) {
  j = nlohmann::json{{"precision", c.config.precision},
                     {"autocast", c.config.autocast},
                     {"options", c.options},
                     {"label", DescribeCandidate(c)},
                     {"prediction", c.prediction},
                     {"meets_constraints", c.meets_constraints},
                     {"numa_default_factor", c.numa_default_factor}};
  j["cost_per_million_images_usd"] = std::isnan(c.cost_per_million_usd)
                                         ? nlohmann::json(nullptr)
                                         : nlohmann::json(c.cost_per_million_usd);
}

void to_json(nlohmann::json& j, const WhatIfStep& s) {
  j = nlohmann::json{
      {"change", s.change}, {"gain", s.gain}, {"total_gain", s.total_gain}, {"result", s.result}};
}

}  // namespace vitperf
