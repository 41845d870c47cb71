// `predict` as a result: the sweep over batch sizes for one model, pipeline and GPU, with its
// recommended batch; printed as a table with a paragraph on the bottleneck, or as JSON (schema
// vitperf.predict). The command line and the Python module both print through these.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "predict/batch_sweep.h"

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

struct PredictResult {
  PredictQuery query;
  BatchSweep sweep;
};

// Throws std::invalid_argument for a bad constraint, std::runtime_error when the model does
// not fit even at batch 1.
PredictResult RunPredict(PredictQuery query);

// `argv`: how the output was asked for, for the meta block.
nlohmann::json PredictJson(const PredictResult& result, const std::vector<std::string>& argv);
void PrintPredict(std::ostream& out, const PredictResult& result);

}  // namespace vitperf
