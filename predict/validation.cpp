#include "predict/validation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "model/expected_error.h"
#include "model/profile_transfer.h"
#include "model/repeated_points.h"
#include "predict/batch_sweep.h"

namespace vitperf {
namespace {

double Mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

std::vector<double> Ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double average = 0.5 * (i + j) + 1;  // ranks from 1; ties share their mean rank
    for (size_t t = i; t <= j; ++t) rank[order[t]] = average;
    i = j + 1;
  }
  return rank;
}

bool UsableThroughput(double v) { return std::isfinite(v) && v > 0; }

std::set<std::string> RunKeys(const std::vector<RunThroughput>& runs) {
  std::set<std::string> keys;
  for (const RunThroughput& t : runs) keys.insert(t.run);
  return keys;
}

// A record's throughput [images/s] over the runs in `shared` (LongRunThroughput of those runs);
// its pooled throughput itself when `shared` holds all of its runs. `runs` is
// RunThroughputs(record).
double ThroughputOverRuns(const PipelineRecord& record, const std::vector<RunThroughput>& runs,
                          const std::set<std::string>& shared) {
  std::vector<double> over_shared;
  for (const RunThroughput& t : runs)
    if (shared.count(t.run)) over_shared.push_back(t.throughput_ips);
  if (over_shared.size() == runs.size()) return record.throughput_ips;
  return LongRunThroughput(over_shared);
}

// The measured best of a config against the model's pick (an ok row), paired by run (see
// ConfigRegret): the largest ratio H_b / H_pick over the runs each ok row shares with the pick;
// the pick itself stands at 1 with its pooled throughput. Ties keep the first row, as the
// pooled best did. Fills the best, the pick's throughput and the pairing counts of `c`.
void ScoreAgainstPick(const std::vector<const ValidationInput*>& rows, std::size_t pick,
                      ConfigRegret* c) {
  const PipelineRecord& chosen = rows[pick]->record;
  const std::vector<RunThroughput> pick_runs = RunThroughputs(chosen);
  const std::set<std::string> pick_keys = RunKeys(pick_runs);
  double best_ratio = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const PipelineRecord& r = rows[i]->record;
    if (r.status != PointStatus::ok) continue;
    double at_best = chosen.throughput_ips, at_pick = chosen.throughput_ips;
    std::set<std::string> shared = pick_keys;
    if (i != pick) {
      const std::vector<RunThroughput> runs = RunThroughputs(r);
      shared.clear();
      for (const std::string& run : RunKeys(runs))
        if (pick_keys.count(run)) shared.insert(run);
      if (shared.empty()) {
        ++c->unpaired_batches;  // measured only in runs the pick was not: no fair comparison
        continue;
      }
      at_best = ThroughputOverRuns(r, runs, shared);
      at_pick = ThroughputOverRuns(chosen, pick_runs, shared);
      if (!UsableThroughput(at_best) || !UsableThroughput(at_pick)) continue;
    }
    if (at_best / at_pick > best_ratio) {
      best_ratio = at_best / at_pick;
      c->measured_best_batch = r.batch;
      c->measured_best_ips = at_best;
      c->measured_at_predicted_ips = at_pick;
      c->paired_runs = static_cast<int>(shared.size());
    }
  }
}

// A record's throughput [images/s] per run: the long-run average of its entries of that run
// (one, unless two experiments of one run measured the same point).
std::map<std::string, double> ThroughputByRun(const PipelineRecord& record) {
  std::map<std::string, std::vector<double>> entries;
  for (const RunThroughput& t : RunThroughputs(record)) entries[t.run].push_back(t.throughput_ips);
  std::map<std::string, double> by_run;
  for (const auto& [run, ips] : entries) by_run[run] = LongRunThroughput(ips);
  return by_run;
}

// The pick's regret within each run that measured it and at least one other ok batch: its
// spread over runs says whether the pick is wrong on every host or only on some.
void ScoreEachRun(const std::vector<const ValidationInput*>& rows, std::size_t pick,
                  ConfigRegret* c) {
  const std::map<std::string, double> at_pick = ThroughputByRun(rows[pick]->record);
  std::map<std::string, double> best_of_others;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == pick || rows[i]->record.status != PointStatus::ok) continue;
    for (const auto& [run, ips] : ThroughputByRun(rows[i]->record))
      if (at_pick.count(run) && UsableThroughput(ips))
        best_of_others[run] = std::max(best_of_others[run], ips);
  }
  std::vector<double> regrets;
  for (const auto& [run, best] : best_of_others) {
    const double pick_ips = at_pick.at(run);
    if (UsableThroughput(pick_ips)) regrets.push_back(std::max(0.0, 1.0 - pick_ips / best));
  }
  if (regrets.empty()) return;
  c->runs_scored = static_cast<int>(regrets.size());
  c->run_regret_min = *std::min_element(regrets.begin(), regrets.end());
  c->run_regret_max = *std::max_element(regrets.begin(), regrets.end());
}

}  // namespace

std::string ConfigKey(const PipelineRecord& r) {
  nlohmann::json j = {{"config", r.config}, {"options", r.options}};
  return j.dump();
}

std::string ConfigLabel(const PipelineRecord& r) {
  const PipelineOptions& o = r.options;
  std::string s =
      r.config.Label() + " " + ToString(r.config.attention) + ", " + ToString(o.execution);
  if (o.compute_only) return s + " compute-only";
  s += " " + ToString(o.input) + " " + ToString(o.host_memory) + " " + ToString(o.pipeline);
  if (o.pipeline == PipelineMode::overlapped) s += " q" + std::to_string(o.queue_depth);
  if (o.numa != NumaBinding::none) s += " numa-" + ToString(o.numa);
  return s;
}

std::vector<ValidationInput> PredictRecords(const std::vector<PipelineRecord>& records,
                                            const HardwareProfile& profile,
                                            const CoefficientValues<double>* coefficients,
                                            double host_launch_reference_us) {
  std::vector<ValidationInput> out;
  out.reserve(records.size());
  const CoefficientValues<double>& base = coefficients ? *coefficients : profile.coefficients;
  for (const auto& r : records) {
    std::string why;
    if (!r.config.IsValid(&why) || r.batch <= 0 || !r.options.IsValid(&why)) continue;
    CoefficientValues<double> c = base;
    const double scale = DispatchScale(r, host_launch_reference_us);
    for (Coef k : kPerKernelHostCoefficients) c[k] *= scale;
    ValidationInput in{r, Evaluate(r.config, r.batch, r.options, profile, c)};
    out.push_back(std::move(in));
  }
  return out;
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double at = q * (v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(at));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (at - lo) * (v[hi] - v[lo]);
}

double SpearmanCorrelation(const std::vector<double>& a, const std::vector<double>& b) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (a.size() != b.size() || a.size() < 2) return nan;
  const std::vector<double> ra = Ranks(a), rb = Ranks(b);
  const double ma = Mean(ra), mb = Mean(rb);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < ra.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  if (saa == 0 || sbb == 0) return nan;
  return sab / std::sqrt(saa * sbb);
}

ValidationReport Validate(const std::vector<ValidationInput>& inputs,
                          const ValidationOptions& options) {
  ValidationReport report;
  std::vector<double> apes, measured, predicted;
  std::map<std::string, std::vector<const ValidationInput*>> by_config;
  std::vector<std::string> config_order;
  for (const auto& in : inputs) {
    const PipelineRecord& r = in.record;
    const bool ok = r.status == PointStatus::ok && UsableThroughput(r.throughput_ips);
    if (r.status != PointStatus::oom && !ok) {
      ++report.skipped;
      continue;
    }
    // Out-of-memory accuracy over every record that either ran or ran out of memory.
    const bool measured_oom = r.status == PointStatus::oom;
    ++report.oom.records;
    if (measured_oom == !in.prediction.fits) ++report.oom.correct;
    if (measured_oom && in.prediction.fits) ++report.oom.missed;
    if (!measured_oom && !in.prediction.fits) ++report.oom.false_alarm;
    const std::string key = ConfigKey(r);
    if (!by_config.count(key)) config_order.push_back(key);
    by_config[key].push_back(&in);
    if (!ok) continue;
    PointError p;
    p.id = r.id;
    p.label = ConfigLabel(r) + " b=" + std::to_string(r.batch);
    p.batch = r.batch;
    p.measured_ips = r.throughput_ips;
    p.predicted_ips = in.prediction.throughput_ips;
    p.ape = std::abs(p.predicted_ips - p.measured_ips) / p.measured_ips;
    p.regime = in.prediction.regime;
    p.execution = ToString(r.options.execution);
    if (r.options.execution == ExecutionMode::compiled &&
        r.options.compile_mode != CompileMode::standard)
      p.execution += " " + ToString(r.options.compile_mode);
    p.error_case = ErrorCaseName(r.options.execution, p.regime);
    report.points.push_back(p);
    apes.push_back(p.ape);
    measured.push_back(p.measured_ips);
    predicted.push_back(p.predicted_ips);
  }
  report.mape = Mean(apes);
  report.median_ape = Quantile(apes, 0.5);
  report.p90_ape = Quantile(apes, 0.9);
  report.spearman = SpearmanCorrelation(measured, predicted);

  report.worst = report.points;
  std::stable_sort(report.worst.begin(), report.worst.end(),
                   [](const PointError& a, const PointError& b) { return a.ape > b.ape; });
  if (static_cast<int>(report.worst.size()) > options.worst_points)
    report.worst.resize(options.worst_points);

  // Best-batch regret: would the batch the model picks among the measured ones have been good?
  // Each other batch is compared with the pick over the runs that measured both (paired): the
  // host's speed differs between runs, so pooled throughputs from different runs compare hosts.
  SweepConstraints rule;
  rule.near_best_fraction = options.near_best_fraction;
  std::vector<double> regrets;
  for (const auto& key : config_order) {
    const auto& rows = by_config[key];
    std::vector<int> batches;
    for (const auto* in : rows) batches.push_back(in->record.batch);
    std::sort(batches.begin(), batches.end());
    if (std::unique(batches.begin(), batches.end()) - batches.begin() < 2) continue;
    std::vector<Prediction> predictions;
    ConfigRegret c;
    c.label = ConfigLabel(rows.front()->record);
    for (const auto* in : rows) {
      predictions.push_back(in->prediction);
      if (in->record.status == PointStatus::ok && in->record.throughput_ips > c.measured_best_ips) {
        c.measured_best_ips = in->record.throughput_ips;
        c.measured_best_batch = in->record.batch;
      }
    }
    const std::optional<int> pick = RecommendBatch(predictions, rule, nullptr);
    if (!pick || c.measured_best_ips <= 0) continue;
    const PipelineRecord& chosen = rows[*pick]->record;
    c.predicted_best_batch = chosen.batch;
    if (chosen.status == PointStatus::ok) {
      ScoreAgainstPick(rows, static_cast<std::size_t>(*pick), &c);
      ScoreEachRun(rows, static_cast<std::size_t>(*pick), &c);
    } else
      c.measured_at_predicted_ips = 0.0;  // out of memory: regret 1 against the pooled best
    c.regret = std::max(0.0, 1.0 - c.measured_at_predicted_ips / c.measured_best_ips);
    regrets.push_back(c.regret);
    report.regrets.push_back(c);
  }
  report.mean_regret = Mean(regrets);
  report.max_regret = regrets.empty() ? 0 : *std::max_element(regrets.begin(), regrets.end());

  for (const auto& [regime, name] : EnumNames<Regime>::kNames) {
    std::vector<double> e;
    for (const auto& p : report.points)
      if (p.regime == regime) e.push_back(p.ape);
    if (e.empty()) continue;
    report.regimes.push_back({regime, static_cast<int>(e.size()), Mean(e), Quantile(e, 0.5)});
  }
  for (const char* mode : {"eager", "graph", "compiled", "compiled max-autotune"}) {
    std::vector<double> e, signed_error;
    for (const auto& p : report.points)
      if (p.execution == mode) {
        e.push_back(p.ape);
        signed_error.push_back((p.predicted_ips - p.measured_ips) / p.measured_ips);
      }
    if (e.empty()) continue;
    report.executions.push_back(
        {mode, static_cast<int>(e.size()), Mean(e), Quantile(e, 0.5), Mean(signed_error)});
  }
  std::map<std::string, std::vector<double>> by_case;  // sorted by name
  for (const auto& p : report.points) by_case[p.error_case].push_back(p.ape);
  for (const auto& [name, e] : by_case)
    report.cases.push_back({name, static_cast<int>(e.size()), Mean(e)});
  return report;
}

void to_json(nlohmann::json& j, const ValidationReport& r) {
  auto point = [](const PointError& p) {
    return nlohmann::json{{"id", p.id},
                          {"label", p.label},
                          {"batch", p.batch},
                          {"measured_ips", p.measured_ips},
                          {"predicted_ips", p.predicted_ips},
                          {"ape", p.ape},
                          {"regime", p.regime},
                          {"execution", p.execution}};
  };
  nlohmann::json worst = nlohmann::json::array(), points = nlohmann::json::array(),
                 regrets = nlohmann::json::array(), regimes = nlohmann::json::array(),
                 executions = nlohmann::json::array(), cases = nlohmann::json::array();
  for (const auto& p : r.worst) worst.push_back(point(p));
  for (const auto& p : r.points) points.push_back(point(p));
  for (const auto& c : r.regrets)
    regrets.push_back({{"config", c.label},
                       {"predicted_best_batch", c.predicted_best_batch},
                       {"measured_best_batch", c.measured_best_batch},
                       {"measured_best_ips", c.measured_best_ips},
                       {"measured_at_predicted_ips", c.measured_at_predicted_ips},
                       {"regret", c.regret},
                       {"paired_runs", c.paired_runs},
                       {"unpaired_batches", c.unpaired_batches},
                       {"runs_scored", c.runs_scored},
                       {"run_regret_min", c.run_regret_min},
                       {"run_regret_max", c.run_regret_max}});
  for (const auto& g : r.regimes)
    regimes.push_back({{"regime", g.regime},
                       {"points", g.points},
                       {"mape", g.mape},
                       {"median_ape", g.median_ape}});
  for (const auto& g : r.executions)
    executions.push_back({{"execution", g.execution},
                          {"points", g.points},
                          {"mape", g.mape},
                          {"median_ape", g.median_ape},
                          {"mean_signed_error", g.mean_signed}});
  for (const auto& g : r.cases)
    cases.push_back({{"case", g.name}, {"points", g.points}, {"mape", g.mape}});
  j = nlohmann::json{
      {"summary",
       {{"points", r.points.size()},
        {"skipped", r.skipped},
        {"mape", r.mape},
        {"median_ape", r.median_ape},
        {"p90_ape", r.p90_ape},
        {"spearman", std::isfinite(r.spearman) ? nlohmann::json(r.spearman) : nlohmann::json()},
        {"configs_with_regret", r.regrets.size()},
        {"mean_regret", r.mean_regret},
        {"max_regret", r.max_regret},
        {"oom",
         {{"records", r.oom.records},
          {"correct", r.oom.correct},
          {"accuracy", r.oom.Accuracy()},
          {"missed", r.oom.missed},
          {"false_alarm", r.oom.false_alarm}}}}},
      {"worst", worst},
      {"regret", regrets},
      {"regimes", regimes},
      {"executions", executions},
      {"cases", cases},
      {"points", points}};
}

}  // namespace vitperf
