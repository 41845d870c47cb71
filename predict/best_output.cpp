#include "predict/best_output.h"

#include <cmath>
#include <cstdio>
#include <ostream>
#include <stdexcept>

#include "predict/json_envelope.h"
#include "predict/text_table.h"

namespace vitperf {
namespace {

std::string Ms(double seconds) { return Fixed(seconds * 1e3, seconds < 0.01 ? 3 : 2); }
std::string Usd(double usd) { return std::isnan(usd) ? "-" : "$" + Fixed(usd, usd < 1 ? 3 : 2); }

BestSearchOptions SearchOptions(const BestQuery& q) {
  BestSearchOptions o;
  o.constraints.latency_slo_ms = q.latency_slo_ms;
  o.constraints.memory_limit_bytes = MemoryBudgetBytes(q.memory_limit_gib, q.profile);
  if (q.latency_slo_ms && !(*q.latency_slo_ms > 0 && std::isfinite(*q.latency_slo_ms))) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", *q.latency_slo_ms);
    throw std::invalid_argument(std::string("latency-slo: ") + text +
                                " is not accepted (a finite number above 0)");
  }
  if (q.top < 1) throw std::invalid_argument("top: must be at least 1");
  if (q.precision_given) o.precisions = {q.model.precision};
  o.top = q.top;
  o.price = ResolvePrice(q.profile, q.price_per_hour);
  return o;
}

}  // namespace

BestResult RunBest(BestQuery query) {
  const BestSearchOptions o = SearchOptions(query);
  BestResult result{std::move(query), o.price, {}, {}, {}};
  result.search = SearchBestConfigs(result.query.model, result.query.profile, o);
  const HardwareProfile& profile = result.query.profile;
  const ExpectedError overall = ExpectedErrorFor(profile);
  const auto expected = [&](const Candidate& c) {
    return ExpectedErrorForRow(profile, overall, c.options.execution, c.prediction.regime);
  };
  for (const Candidate& c : result.search.top) result.top_expected_errors.push_back(expected(c));
  if (const auto& be = result.search.compile_break_even)
    result.break_even_expected_errors = std::pair{expected(be->compiled), expected(be->uncompiled)};
  return result;
}

nlohmann::json BestJson(const BestResult& result, const std::vector<std::string>& argv) {
  const BestQuery& q = result.query;
  const BestSearchResult& r = result.search;
  nlohmann::json j = JsonEnvelope("best", kBestSchemaVersion, argv, &q.profile);
  j["model"] = q.model;
  j["constraints"] = {
      {"latency_slo_ms", q.latency_slo_ms ? nlohmann::json(*q.latency_slo_ms) : nullptr},
      {"memory_limit_gib", q.memory_limit_gib ? nlohmann::json(*q.memory_limit_gib) : nullptr}};
  j["price"] = result.price ? nlohmann::json{{"usd_per_hour", result.price->usd_per_hour},
                                             {"source", result.price->source}}
                            : nlohmann::json(nullptr);
  j["searched"] = {{"pipelines", r.pipelines},
                   {"evaluations", r.evaluations},
                   {"pipelines_without_batch", r.pipelines_without_batch},
                   {"numa_factor_measured", r.numa_measured}};
  j["top"] = r.top;
  for (size_t i = 0; i < result.top_expected_errors.size(); ++i) {
    const ExpectedError& e = result.top_expected_errors[i];
    j["top"][i]["expected_error"] = {
        {"mape", e.mape},
        {"case", e.case_name.empty() ? nlohmann::json() : nlohmann::json(e.case_name)}};
  }
  j["baseline"] = r.baseline;
  j["single_changes"] = r.single_changes;
  j["greedy_path"] = r.greedy_path;
  j["compile_break_even"] =
      r.compile_break_even ? nlohmann::json(*r.compile_break_even) : nlohmann::json(nullptr);
  return j;
}

void PrintBest(std::ostream& out, const BestResult& result) {
  const BestQuery& q = result.query;
  const HardwareProfile& profile = q.profile;
  const BestSearchResult& r = result.search;
  out << "Best configurations for " << q.model.Label() << " on " << profile.display_name
      << (profile.calibrated ? "" : " (uncalibrated profile: datasheet + default coefficients)")
      << "\n";
  out << "searched " << r.pipelines << " pipelines x batch sizes (" << r.evaluations
      << " predictions)";
  if (q.latency_slo_ms) out << ", p90 latency <= " << *q.latency_slo_ms << " ms";
  if (q.memory_limit_gib) out << ", memory <= " << *q.memory_limit_gib << " GiB";
  out << "; each pipeline at its recommended batch\n";
  if (result.price)
    out << "price " << Usd(result.price->usd_per_hour) << "/h (" << result.price->source << ")\n";
  out << "\n";
  if (r.top.empty()) {
    out << "no configuration meets the constraints (" << r.pipelines_without_batch
        << " pipelines had no admissible batch); relax --latency-slo or --memory-limit\n";
  } else {
    TextTable t({"#", "configuration", "batch", "img/s", "held-out", "p50 ms", "p90 ms", "memory",
                 "regime", "$/M img"});
    bool any_default_numa = false;
    for (size_t i = 0; i < r.top.size(); ++i) {
      const Candidate& c = r.top[i];
      any_default_numa |= c.numa_default_factor;
      t.AddRow({std::to_string(i + 1), DescribeCandidate(c) + (c.numa_default_factor ? " *" : ""),
                std::to_string(c.prediction.batch), Si(c.prediction.throughput_ips),
                PercentOrDash(
                    i < result.top_expected_errors.size() ? result.top_expected_errors[i].mape : 0),
                Ms(c.prediction.latency_p50_s), Ms(c.prediction.latency_p90_s),
                Bytes(c.prediction.memory.TotalBytes()), ToString(c.prediction.regime),
                Usd(c.cost_per_million_usd)});
    }
    t.Print(out);
    if (any_default_numa)
      out << "* remote NUMA priced with an unmeasured default factor ("
          << Fixed(profile.coefficients[Coef::numa_remote_factor], 2)
          << " of host bandwidth); calibrate with NUMA probes to measure it\n";
  }

  if (const auto& be = r.compile_break_even) {
    out << "\ncompiled (AOTInductor " << ToString(be->compiled.options.compile_mode)
        << "): " << Si(be->compiled.prediction.throughput_ips) << " img/s against "
        << Si(be->uncompiled.prediction.throughput_ips) << " img/s without compiling ("
        << DescribeCandidate(be->uncompiled) << "); ";
    if (!be->compile_s)
      out << "compile time not measured for this profile (calibrate with compiled points)\n";
    else if (!be->break_even_images)
      out << "the " << Fixed(*be->compile_s, 0) << " s compile is never repaid\n";
    else
      out << "the " << Fixed(*be->compile_s, 0) << " s compile (measured) is repaid after "
          << Si(*be->break_even_images) << " images\n";
    // A gain smaller than the two predictions' held-out errors combined (root sum of squares:
    // independent errors) is not a finding.
    if (const auto& errors = result.break_even_expected_errors) {
      const double gain =
          be->compiled.prediction.throughput_ips / be->uncompiled.prediction.throughput_ips - 1;
      const double combined = std::hypot(errors->first.mape, errors->second.mape);
      if (gain > 0 && gain < combined)
        out << "the " << Fixed(100 * gain, 1) << "% gain is inside the two predictions' held-out "
            << "errors combined (" << Fixed(100 * combined, 1) << "%, from "
            << Fixed(100 * errors->first.mape, 1) << "% and " << Fixed(100 * errors->second.mape, 1)
            << "%): measure both before compiling for it\n";
    }
  }

  const Prediction& b = r.baseline.prediction;
  out << "\nWhat-if: each single change on the plain baseline (" << DescribeCandidate(r.baseline)
      << ", batch 1: " << Si(b.throughput_ips) << " img/s, p90 " << Ms(b.latency_p90_s) << " ms)\n";
  TextTable w({"change", "img/s", "gain", "p90 ms", "regime", "meets constraints"});
  for (const WhatIfStep& s : r.single_changes)
    w.AddRow({s.change + (s.result.numa_default_factor ? " *" : ""),
              Si(s.result.prediction.throughput_ips), "x" + Fixed(s.gain, 2),
              Ms(s.result.prediction.latency_p90_s), ToString(s.result.prediction.regime),
              s.result.meets_constraints ? "yes" : "no"});
  w.Print(out);
  if (!r.numa_measured)
    out << "* unmeasured default NUMA factor (profile not calibrated with NUMA data)\n";

  out << "\nWhich optimisation first (greedy: apply the largest admissible gain, repeat)\n";
  TextTable g({"step", "change", "img/s", "step gain", "total gain", "p90 ms", "regime"});
  g.AddRow({"0", "baseline", Si(b.throughput_ips), "-", "x1.00", Ms(b.latency_p90_s),
            ToString(b.regime)});
  for (size_t i = 0; i < r.greedy_path.size(); ++i) {
    const WhatIfStep& s = r.greedy_path[i];
    g.AddRow({std::to_string(i + 1), s.change, Si(s.result.prediction.throughput_ips),
              "x" + Fixed(s.gain, 2), "x" + Fixed(s.total_gain, 2),
              Ms(s.result.prediction.latency_p90_s), ToString(s.result.prediction.regime)});
  }
  g.Print(out);
}

}  // namespace vitperf
