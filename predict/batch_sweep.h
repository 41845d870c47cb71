// Predictions over batch sizes for one (model, pipeline, GPU), and the recommended batch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/evaluate.h"

namespace vitperf {

struct SweepConstraints {
  std::optional<double> latency_slo_ms;        // p90 latency must stay at or under this
  std::optional<double> memory_limit_bytes;    // device memory budget (default: the device's)
  double near_best_fraction = 0.95;            // "within 5% of the best throughput"
};

struct BatchSweep {
  std::vector<Prediction> rows;      // in batch order; rows past the memory limit are dropped
  int largest_fitting_batch = 0;     // under the memory budget
  std::optional<int> recommended;    // index into rows; empty when nothing meets the constraints
  std::string recommendation_reason; // why that batch (or why none)
};

// Default batches: 1, 2, 4, ... up to the largest that fits (and that batch itself).
std::vector<int> DefaultBatches(int largest_fitting_batch, int cap = 1 << 16);

BatchSweep SweepBatches(const ViTConfig& config, const PipelineOptions& options,
                        const HardwareProfile& profile, const std::vector<int>& batches,
                        const SweepConstraints& constraints);

// The smallest batch within near_best_fraction of the best throughput among rows that meet the
// constraints. Separate so that measured rows can be scored by the same rule.
std::optional<int> RecommendBatch(const std::vector<Prediction>& rows,
                                  const SweepConstraints& constraints, std::string* reason);

}  // namespace vitperf
