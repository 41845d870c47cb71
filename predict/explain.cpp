#include "predict/explain.h"

#include <cstdio>

namespace vitperf {
namespace {

std::string Format(const char* fmt, double a = 0, double b = 0, double c = 0, double d = 0) {
  char text[512];
  std::snprintf(text, sizeof text, fmt, a, b, c, d);
  return text;
}

}  // namespace

std::string ExplainBottleneck(const ViTConfig& config, const PipelineOptions& options,
                              const HardwareProfile& profile, const Prediction& p) {
  const double peak = profile.MatrixTflops(config.precision);
  const double ridge = peak * 1e12 / (profile.memory_bandwidth_gbs * 1e9);  // [FLOP/byte]
  std::string s =
      "At batch " + std::to_string(p.batch) + " the pipeline is " + ToString(p.regime) + "-bound. ";
  s += Format("The forward pass takes %.3f ms per batch at %.0f TFLOP/s (%.0f%% of the ",
              p.compute_s * 1e3, p.achieved_tflops, 100 * p.achieved_tflops / peak);
  s += ToString(config.precision) + " matrix peak); its arithmetic intensity is " +
       Format("%.0f FLOP/byte against the roofline ridge at %.0f", p.arithmetic_intensity, ridge) +
       ". ";
  if (!options.compute_only) {
    s += Format(
        "The host prepares each batch in %.3f ms; host-to-device copies take %.3f ms "
        "and device-to-host %.3f ms per batch. ",
        p.preprocess_s * 1e3, p.h2d_s * 1e3, p.d2h_s * 1e3);
    // One batch at a time, the host stage adds to every batch's time instead of hiding.
    if (options.pipeline == PipelineMode::sequential && p.regime != Regime::preprocess &&
        p.preprocess_s > 0.1 * p.period_s)
      s += Format(
          "Run sequentially, that host stage is %.0f%% of each batch's time: an "
          "overlapped pipeline hides it behind the forward pass. ",
          100 * p.preprocess_s / p.period_s);
  }
  switch (p.regime) {
    case Regime::compute:
      s += "Matrix units set the pace: a lower precision (bf16/fp16, or fp8 hardware) or a "
           "smaller model moves it; larger batches no longer help.";
      break;
    case Regime::memory:
      s += "Device-memory traffic sets the pace: fused kernels (compiled mode, fused attention) "
           "or larger batches that raise arithmetic intensity move it.";
      break;
    case Regime::transfer:
      s += "The PCIe link sets the pace: send uint8 pixels instead of float32, use pinned "
           "memory, and overlap copies with compute.";
      break;
    case Regime::overhead:
      s += Format(
          "Kernel launch and dispatch set the pace (%.0f kernels, %.3f ms of host dispatch "
          "against %.3f ms of device work): capture a CUDA graph or raise the batch.",
          p.kernels, p.dispatch_s * 1e3, p.device_s * 1e3);
      break;
    case Regime::preprocess:
      s += "Host-side preparation sets the pace: normalise on the GPU (uint8 input) or add "
           "producer threads.";
      break;
  }
  if (config.autocast) {
    // What autocast costs here: the same products' precision on a model cast to it.
    ViTConfig cast = config;
    cast.autocast = false;
    const Prediction pure = Evaluate(cast, p.batch, options, profile);
    s +=
        " Under autocast the forward pass also moves an fp32 residual stream" +
        std::string(options.execution == ExecutionMode::compiled ? "" : " and casts every weight") +
        "; the model cast to " + ToString(config.precision) +
        Format(" instead runs at %.0f images/s (x%.2f).", pure.throughput_ips,
               pure.throughput_ips / p.throughput_ips);
  }
  return s;
}

}  // namespace vitperf
