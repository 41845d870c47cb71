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

// Largest batch the memory search tries: a model that fits beyond it has no known largest batch.
inline constexpr int kBatchSearchLimit = 1 << 20;

struct BatchSweep {
  std::vector<Prediction> rows;      // in batch order; rows past the memory limit are dropped
  int largest_fitting_batch = 0;     // under the memory budget
  // The search stopped at kBatchSearchLimit with room to spare: the largest batch that fits is
  // larger than largest_fitting_batch, and unknown.
  bool largest_fitting_unbounded = false;
  std::optional<int> recommended;    // index into rows; empty when nothing meets the constraints
  std::string recommendation_reason; // why that batch (or why none)
};

// The budget [bytes] for --memory-limit [GiB], or nullopt for the device's own. Throws
// std::invalid_argument when it is not finite and positive, or exceeds the device's usable
// memory (a 100 GiB budget on a 15 GiB card would recommend batches that cannot run).
std::optional<double> MemoryBudgetBytes(std::optional<double> limit_gib,
                                        const HardwareProfile& profile);

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
