// Predictions against measurements, point by point and in summary: percentage errors, rank
// correlation, best-batch regret per config (paired by run, see ConfigRegret), out-of-memory
// accuracy and the error per predicted regime. Lives in predict/ (not fit/) so that a host
// without Ceres can validate a profile.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/evaluate.h"
#include "model/measurement_record.h"

namespace vitperf {

inline constexpr const char* kValidationSchema = "vitperf.validation";
inline constexpr int kValidationSchemaVersion = 1;

struct ValidationOptions {
  // Which batch the model "recommends" per config, by RecommendBatch's rule: the smallest batch
  // within this fraction of the best predicted throughput. 1.0 (the default) takes the predicted
  // best itself, so a perfect model scores zero regret; 0.95 scores what `vitperf best` would
  // pick, and then even a perfect model can lose up to 5%.
  double near_best_fraction = 1.0;
  int worst_points = 5;
};

// One measured pipeline record with the prediction it is judged against.
struct ValidationInput {
  PipelineRecord record;
  Prediction prediction;
};

// A config: everything but the batch (the model, its precision and attention, the pipeline).
std::string ConfigKey(const PipelineRecord& record);
// "vit_b16 224px bf16, eager uint8 pinned sequential" - the config in words.
std::string ConfigLabel(const PipelineRecord& record);

// Predicts every record at the profile's coefficients, or at `coefficients` when given. With a
// positive `host_launch_reference_us`, each eager record's dispatch cost is scaled by the host
// state it was measured in (DispatchScale): the model's error with the host's drift taken out.
std::vector<ValidationInput> PredictRecords(const std::vector<PipelineRecord>& records,
                                            const HardwareProfile& profile,
                                            const CoefficientValues<double>* coefficients = nullptr,
                                            double host_launch_reference_us = 0);

struct PointError {
  std::string id;
  std::string label;  // config label with the batch
  int batch = 0;
  double measured_ips = 0, predicted_ips = 0;
  double ape = 0;  // |predicted - measured| / measured
  Regime regime = Regime::compute;
  std::string execution;   // eager, graph, compiled or "compiled max-autotune"
  std::string error_case;  // ErrorCaseName (model/expected_error.h): "compiled/host", ...
};

// The best-batch regret of one config, paired by run. A dataset pools the same point from
// several runs (PoolRepeatedPoints), and the host's speed differs between runs (runs on lent GPU
// hosts, up to ~15%): a batch measured only in a slow run must not be compared with another
// measured on eight, or the regret measures the hosts, not the batches. So each other batch b is
// compared with the model's pick p only over the runs that measured both: ratio_b = H_b / H_p, H
// the harmonic mean (images over total time) of that batch's throughputs over the shared runs. The
// measured best is the batch with the largest ratio (the pick itself: 1), and
// regret = 1 - 1 / ratio_best. Batches that share no run with the pick are left out. With one
// run (or no provenance) this is the plain comparison of the measured throughputs.
struct ConfigRegret {
  std::string label;
  int predicted_best_batch = 0;  // the model's pick among the measured batches
  int measured_best_batch = 0;   // the largest paired ratio (the pooled best when the pick OOMs)
  // [images/s] the best and the pick over the runs they share (both pooled when the best is
  // the pick). When the pick ran out of memory: the pooled best, and 0 at the pick.
  double measured_best_ips = 0;
  double measured_at_predicted_ips = 0;
  double regret = 0;         // 1 - measured_at_predicted / measured_best
  int paired_runs = 0;       // runs shared by the pick and the best (0 when the pick OOMs)
  int unpaired_batches = 0;  // ok batches left out: they share no run with the pick
  // The regret within each single run that measured the pick and another batch (1 - pick / the
  // run's best): how much the answer depends on the host of the day. 0 runs: none did.
  int runs_scored = 0;
  double run_regret_min = 0, run_regret_max = 0;
};

struct RegimeError {
  Regime regime = Regime::compute;
  int points = 0;
  double mape = 0, median_ape = 0;
};

// Error over the points of one execution mode (compiled split by compile mode).
struct ExecutionError {
  std::string execution;
  int points = 0;
  double mape = 0, median_ape = 0;
  double mean_signed = 0;  // mean of (predicted - measured) / measured: + means too fast
};

struct OomAccuracy {
  int records = 0;  // ok and oom records
  int correct = 0;
  int missed = 0;       // ran out of memory, predicted to fit
  int false_alarm = 0;  // ran, predicted not to fit
  double Accuracy() const { return records ? static_cast<double>(correct) / records : 1.0; }
};

// Error over the points of one execution mode (max-autotune counted as compiled) and bound
// (model/regime.h BoundOf): "compiled/host", ...; what `predict` states per row.
struct CaseError {
  std::string name;
  int points = 0;
  double mape = 0;
};

struct ValidationReport {
  std::vector<PointError> points;  // every ok record, in input order
  int skipped = 0;                 // records neither ok nor oom, or with unusable throughput
  double mape = 0, median_ape = 0, p90_ape = 0;
  std::vector<PointError> worst;      // largest errors first
  double spearman = 0;                // rank correlation of measured and predicted throughputs
  std::vector<ConfigRegret> regrets;  // configs measured at two or more batches
  double mean_regret = 0, max_regret = 0;
  OomAccuracy oom;
  std::vector<RegimeError> regimes;        // by the predicted regime, only those that occur
  std::vector<ExecutionError> executions;  // by execution mode, only those that occur
  std::vector<CaseError> cases;            // by execution mode and bound, only those that occur
};

ValidationReport Validate(const std::vector<ValidationInput>& inputs,
                          const ValidationOptions& options);

// Spearman's rank correlation (ties get their average rank); NaN for fewer than 2 points or
// a constant series.
double SpearmanCorrelation(const std::vector<double>& a, const std::vector<double>& b);
// The q-quantile (0..1) with linear interpolation between order statistics; 0 when empty.
double Quantile(std::vector<double> values, double q);

// The report's payload (summary, worst points, regrets, OOM, regimes, every point).
void to_json(nlohmann::json& j, const ValidationReport& r);

}  // namespace vitperf
