#include "model/evaluate.h"

#include "model/operators.h"
#include "model/pipeline.h"
#include "model/roofline.h"
#include "model/transfers.h"

namespace vitperf {

Prediction Evaluate(const ViTConfig& config, int batch, const PipelineOptions& options,
                    const HardwareProfile& profile) {
  return Evaluate(config, batch, options, profile, profile.coefficients);
}

Prediction Evaluate(const ViTConfig& config, int batch, const PipelineOptions& options,
                    const HardwareProfile& profile, const CoefficientValues<double>& coefficients) {
  Prediction p;
  p.batch = batch;
  OperatorList ops;
  BuildOperators(config, batch, ForwardOptionsFor(options, profile.architecture), &ops);
  const DeviceRates rates = RatesFor(profile, config.precision);
  const CoefficientView<double> c{coefficients.v.data()};
  const ForwardTime<double> forward = TimeForward(ops, rates, options.execution, c);
  const TransferVolume io = ComputeTransfers(config, batch, options);
  const PipelineTime<double> pipe = TimePipeline(forward, io, options, rates.host, c);

  p.memory = EstimateMemory(config, batch, options, ops, profile);
  p.fits = p.memory.TotalBytes() <= profile.UsableMemoryBytes();
  p.preprocess_s = pipe.preprocess_s;
  p.h2d_s = pipe.h2d_s;
  p.compute_s = pipe.compute_s;
  p.d2h_s = pipe.d2h_s;
  p.period_s = pipe.period_s;
  p.latency_p50_s = pipe.latency_s;
  p.latency_p90_s = pipe.latency_s * c[Coef::latency_p90_factor];
  p.latency_p99_s = pipe.latency_s * c[Coef::latency_p99_factor];
  p.throughput_ips = batch / pipe.period_s;
  p.flops = ops.TotalFlops();
  p.bytes = ops.TotalBytes();
  p.kernels = ops.TotalKernels();
  p.host_ops = ops.TotalHostOps();
  p.matmul_macs = ops.MatmulMacs();
  p.device_s = forward.device_s;
  p.dispatch_s = forward.dispatch_s;
  p.kernel_time_s = forward.kernels_s;
  p.patch_conv_s = forward.patch_conv_s;
  p.attention_s = forward.attention_s;
  p.arithmetic_intensity = p.flops / p.bytes;
  p.achieved_tflops = p.flops / pipe.compute_s * 1e-12;
  p.bandwidth_utilization = p.bytes / pipe.compute_s / (profile.memory_bandwidth_gbs * 1e9);
  p.pipeline_efficiency = forward.device_s / pipe.period_s;
  if (p.pipeline_efficiency > 1) p.pipeline_efficiency = 1;
  p.h2d_bytes = io.h2d_bytes;
  p.d2h_bytes = io.d2h_bytes;
  p.regime = pipe.regime;
  p.compute_regime = ForwardRegime(forward);
  return p;
}

void to_json(nlohmann::json& j, const Prediction& p) {
  j = nlohmann::json{{"batch", p.batch},
                     {"fits", p.fits},
                     {"throughput_ips", p.throughput_ips},
                     {"latency_ms",
                      {{"p50", p.latency_p50_s * 1e3},
                       {"p90", p.latency_p90_s * 1e3},
                       {"p99", p.latency_p99_s * 1e3}}},
                     {"stage_ms",
                      {{"preprocess", p.preprocess_s * 1e3},
                       {"h2d", p.h2d_s * 1e3},
                       {"compute", p.compute_s * 1e3},
                       {"d2h", p.d2h_s * 1e3}}},
                     {"period_ms", p.period_s * 1e3},
                     {"memory_bytes",
                      {{"weights", p.memory.weights_bytes},
                       {"activations", p.memory.activations_bytes},
                       {"io_buffers", p.memory.io_buffers_bytes},
                       {"workspace", p.memory.workspace_bytes},
                       {"total", p.memory.TotalBytes()}}},
                     {"flops", p.flops},
                     {"bytes", p.bytes},
                     {"kernels", p.kernels},
                     {"kernel_time_ms", p.kernel_time_s * 1e3},
                     {"host_ops", p.host_ops},
                     {"matmul_macs", p.matmul_macs},
                     {"arithmetic_intensity", p.arithmetic_intensity},
                     {"achieved_tflops", p.achieved_tflops},
                     {"bandwidth_utilization", p.bandwidth_utilization},
                     {"pipeline_efficiency", p.pipeline_efficiency},
                     {"h2d_bytes", p.h2d_bytes},
                     {"d2h_bytes", p.d2h_bytes},
                     {"regime", p.regime},
                     {"compute_regime", p.compute_regime}};
}

}  // namespace vitperf
