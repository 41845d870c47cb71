// Host-device traffic of one batch: pixels in, results out, and the host's own preparation.
#pragma once

#include "model/pipeline_options.h"
#include "model/vit_config.h"

namespace vitperf {

struct TransferVolume {
  double h2d_bytes = 0;          // uint8 pixels, or float32 prepared on the host
  double d2h_bytes = 0;          // logits, pooled features or all tokens (OutputBytes)
  double host_staged_bytes = 0;  // bytes the host writes into the staging buffer
  bool host_normalizes = false;  // float32 input: the host converts and normalises
};

// Zero traffic when options.compute_only (input already on the device, output stays there).
TransferVolume ComputeTransfers(const ViTConfig& config, int batch, const PipelineOptions& options);

// [bytes] of one batch's output on the device.
double OutputBytes(const ViTConfig& config, int batch);

}  // namespace vitperf
