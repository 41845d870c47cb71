// Device memory of a running pipeline: weights, peak live activations, I/O buffers, workspace;
// and the largest batch that fits.
#pragma once

#include "model/hardware_profile.h"
#include "model/operators.h"
#include "model/pipeline_options.h"
#include "model/vit_config.h"

namespace vitperf {

struct MemoryEstimate {
  double weights_bytes = 0;
  double activations_bytes = 0;  // peak live activations inside the forward pass
  double io_buffers_bytes = 0;   // device input and output buffers, one per batch in flight
  double workspace_bytes = 0;
  double TotalBytes() const {
    return weights_bytes + activations_bytes + io_buffers_bytes + workspace_bytes;
  }
};

MemoryEstimate EstimateMemory(const ViTConfig& config, int batch, const PipelineOptions& options,
                              const OperatorList& ops, const HardwareProfile& profile);

// Largest batch whose estimate fits in `budget_bytes` (0 when even batch 1 does not fit).
// Memory grows monotonically with batch, so this is a binary search.
int LargestFittingBatch(const ViTConfig& config, const PipelineOptions& options,
                        const HardwareProfile& profile, double budget_bytes,
                        int search_limit = 1 << 20);

}  // namespace vitperf
