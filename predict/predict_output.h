// `predict` as a result: the sweep over batch sizes for one model, pipeline and GPU, with its
// recommended batch, throughput intervals, bottleneck paragraph and operator breakdown, all
// computed once by RunPredict; printed as a table or as JSON (schema vitperf.predict) by
// siblings that only read the result, never the model. The command line and the Python module
// both print through these.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/expected_error.h"
#include "predict/batch_sweep.h"
#include "predict/operator_breakdown.h"
#include "predict/prediction_interval.h"

namespace vitperf {

inline constexpr int kPredictSchemaVersion = 1;

struct PredictQuery {
  ViTConfig config;
  PipelineOptions options;
  HardwareProfile profile;
  std::vector<int> batches;  // empty: 1, 2, 4, ... up to the largest that fits
  std::optional<double> latency_slo_ms;
  std::optional<double> memory_limit_gib;
  bool operators = false;  // also break the forward down by operator
};

// The forward's operators at one batch (--operators).
struct OperatorBreakdownAtBatch {
  int batch = 0;  // the recommended batch, else the largest shown
  std::vector<OperatorCost> operators;
};

struct PredictResult {
  PredictQuery query;
  BatchSweep sweep;
  long long parameters = 0;
  ExpectedError expected_error;
  std::string expected_error_summary;  // the one line for people
  // One per row of the sweep: the held-out error of predictions like that row (its execution
  // mode and bound on this GPU), the profile's figure where none is recorded.
  std::vector<ExpectedError> row_expected_errors;
  std::optional<std::string> execution_caveat;  // the execution mode rests on priors
  // One per row of the sweep when the profile is calibrated (it carries coefficient errors);
  // empty otherwise.
  std::vector<ThroughputInterval> intervals;
  std::string explanation;  // the bottleneck at the recommended batch; empty without one
  std::optional<OperatorBreakdownAtBatch> breakdown;  // with query.operators
};

// Everything the printers show, computed here. Throws std::invalid_argument for a bad
// constraint, std::runtime_error when the model does not fit even at batch 1.
PredictResult RunPredict(PredictQuery query);

// `argv`: how the output was asked for, for the meta block.
nlohmann::json PredictJson(const PredictResult& result, const std::vector<std::string>& argv);
void PrintPredict(std::ostream& out, const PredictResult& result);

}  // namespace vitperf
