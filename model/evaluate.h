// One prediction: a ViT config at one batch size, in one pipeline, on one hardware profile.
// The single entry point the predictor, the validator and the answers call.
#pragma once

#include <nlohmann/json.hpp>

#include "model/hardware_profile.h"
#include "model/memory.h"
#include "model/pipeline_options.h"
#include "model/regime.h"
#include "model/vit_config.h"

namespace vitperf {

struct Prediction {
  int batch = 1;
  bool fits = true;  // the memory estimate fits the device
  MemoryEstimate memory;

  // Per batch [s].
  double preprocess_s = 0, h2d_s = 0, compute_s = 0, d2h_s = 0;
  double period_s = 0;  // steady-state time between finished batches
  double latency_p50_s = 0, latency_p90_s = 0, latency_p99_s = 0;
  double throughput_ips = 0;  // [images/s]

  // Forward pass.
  double flops = 0, bytes = 0, kernels = 0, host_ops = 0, matmul_macs = 0;
  double device_s = 0, dispatch_s = 0;
  double kernel_time_s = 0;          // ForwardTime::kernels_s
  double patch_conv_s = 0;           // ForwardTime::patch_conv_s
  double attention_s = 0;            // ForwardTime::attention_s
  double arithmetic_intensity = 0;   // [FLOP/byte] of the forward pass
  double achieved_tflops = 0;        // forward FLOPs over compute-stage time
  double bandwidth_utilization = 0;  // forward bytes / compute time / datasheet bandwidth
  double pipeline_efficiency = 0;    // share of the period the device spends computing
  double h2d_bytes = 0, d2h_bytes = 0;

  Regime regime = Regime::compute;          // what bounds the whole pipeline
  Regime compute_regime = Regime::compute;  // what bounds the forward pass
};

void to_json(nlohmann::json& j, const Prediction& p);

Prediction Evaluate(const ViTConfig& config, int batch, const PipelineOptions& options,
                    const HardwareProfile& profile);
// Same, with coefficients other than the profile's (the validator's folds, the fit).
Prediction Evaluate(const ViTConfig& config, int batch, const PipelineOptions& options,
                    const HardwareProfile& profile, const CoefficientValues<double>& coefficients);

}  // namespace vitperf
