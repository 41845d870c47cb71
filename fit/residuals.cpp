#include "fit/residuals.h"

#include <ceres/autodiff_cost_function.h>

#include <memory>

#include "model/memory.h"

namespace vitperf {
namespace {

template <typename Functor>
ceres::CostFunction* Autodiff(Functor* f) {
  return new ceres::AutoDiffCostFunction<Functor, 1, kNumCoefficients>(f);
}

}  // namespace

PipelineTimeResidual::PipelineTimeResidual(const ViTConfig& config, int batch,
                                           const PipelineOptions& options,
                                           const HardwareProfile& profile, double measured_s,
                                           double dispatch_scale, PipelineQuantity quantity)
    : rates_(RatesFor(profile, config.precision)),
      io_(ComputeTransfers(config, batch, options)),
      options_(options),
      measured_s_(measured_s),
      dispatch_scale_(dispatch_scale),
      quantity_(quantity) {
  BuildOperators(config, batch, ForwardOptionsFor(options, profile.architecture), &ops_);
}

PeakMemoryResidual::PeakMemoryResidual(const ViTConfig& config, int batch,
                                       const PipelineOptions& options,
                                       const HardwareProfile& profile, double measured_bytes)
    : measured_bytes_(measured_bytes) {
  HardwareProfile unit = profile;
  unit.coefficients[Coef::activation_memory_factor] = 1.0;
  OperatorList ops;
  BuildOperators(config, batch, ForwardOptionsFor(options, profile.architecture), &ops);
  const MemoryEstimate m = EstimateMemory(config, batch, options, ops, unit);
  activation_bytes_ = m.activations_bytes;
  fixed_bytes_ = m.TotalBytes() - m.activations_bytes;
}

HostCopyResidual::HostCopyResidual(bool to_device, double bytes, const PipelineOptions& options,
                                   const HostSide& host, double measured_gbs)
    : to_device_(to_device),
      bytes_(bytes),
      options_(options),
      host_(host),
      measured_gbs_(measured_gbs) {
  (to_device ? io_.h2d_bytes : io_.d2h_bytes) = bytes;
  options_.compute_only = false;
  options_.pipeline = PipelineMode::sequential;
}

LaunchResidual::LaunchResidual(ExecutionMode execution, double kernels, const DeviceRates& rates,
                               double measured_us)
    : rates_(rates), execution_(execution), kernels_(kernels), measured_us_(measured_us) {
  // Empty kernels: no FLOPs and no bytes, so only dispatch, gaps and graph launch remain. Each
  // is one framework call (x.add_), dispatched eagerly or captured into the graph.
  Operator& op = ops_.Add(OpKind::residual_add, OpClass::elementwise, kernels);
  op.kernels = 1;
  op.host_ops = 1;
  op.bytes = 8;  // one float read and written: one dependent trip through memory
}

ceres::CostFunction* MakeObservationCost(const Observation& o, const HardwareProfile& profile) {
  switch (o.kind) {
    case ObservationKind::period:
    case ObservationKind::compute:
      return Autodiff(new PipelineTimeResidual(o.config, o.batch, o.options, profile, o.measured,
                                               o.dispatch_scale));
    case ObservationKind::latency_p90:
      return Autodiff(new CoefficientRatioResidual(Coef::latency_p90_factor, o.measured));
    case ObservationKind::latency_p99:
      return Autodiff(new CoefficientRatioResidual(Coef::latency_p99_factor, o.measured));
    case ObservationKind::peak_memory:
      return Autodiff(new PeakMemoryResidual(o.config, o.batch, o.options, profile, o.measured));
    case ObservationKind::preprocess:
      return Autodiff(new PipelineTimeResidual(o.config, o.batch, o.options, profile, o.measured,
                                               o.dispatch_scale, PipelineQuantity::preprocess));
    case ObservationKind::kernel_time:
      return Autodiff(new PipelineTimeResidual(o.config, o.batch, o.options, profile, o.measured, 1,
                                               PipelineQuantity::kernels));
    case ObservationKind::patch_conv:
      return Autodiff(new PipelineTimeResidual(o.config, o.batch, o.options, profile, o.measured, 1,
                                               PipelineQuantity::patch_conv));
    case ObservationKind::attention:
      return Autodiff(new PipelineTimeResidual(o.config, o.batch, o.options, profile, o.measured, 1,
                                               PipelineQuantity::attention));
    case ObservationKind::matmul: {
      Operator op;
      op.op_class = OpClass::matmul;
      op.kind = OpKind::mlp_up;
      op.flops = 2.0 * o.m * o.n * o.k;
      op.bytes = (o.m * o.k + o.k * o.n + o.m * o.n) * ElementBytes(o.precision);
      op.kernels = 1;
      op.host_ops = 1;  // mm_out
      op.gemm = GemmShape{o.m, o.n, o.k, 1};
      return Autodiff(new OperatorRateResidual(op, RatesFor(profile, o.precision), op.flops, 1e-12,
                                               o.measured, /*sustained_clock=*/true));
    }
    case ObservationKind::device_copy: {
      Operator op;
      op.op_class = OpClass::elementwise;
      op.kind = OpKind::residual_add;
      op.bytes = 2.0 * o.bytes;  // each byte copied is read once and written once
      op.kernels = 1;
      op.host_ops = 1;  // copy_
      return Autodiff(new OperatorRateResidual(op, RatesFor(profile, Precision::fp32), op.bytes,
                                               1e-9, o.measured));
    }
    case ObservationKind::h2d:
    case ObservationKind::d2h:
      return Autodiff(new HostCopyResidual(o.kind == ObservationKind::h2d, o.bytes, o.options,
                                           RatesFor(profile, Precision::fp32).host, o.measured));
    case ObservationKind::staging:
      return Autodiff(new HostStagingResidual(o.bytes, o.idle_ms, o.staging_h2d,
                                              RatesFor(profile, Precision::fp32).host, o.measured));
    case ObservationKind::launch:
      return Autodiff(new LaunchResidual(o.execution, o.kernels, RatesFor(profile, Precision::fp32),
                                         o.measured));
  }
  return nullptr;
}

double PredictObservation(const Observation& o, const HardwareProfile& profile,
                          const CoefficientValues<double>& coefficients) {
  std::unique_ptr<ceres::CostFunction> cost(MakeObservationCost(o, profile));
  std::array<double, kNumCoefficients> log_c;
  for (int i = 0; i < kNumCoefficients; ++i) log_c[i] = std::log(coefficients.v[i]);
  const double* parameters[] = {log_c.data()};
  double r = 0;
  cost->Evaluate(parameters, &r, nullptr);
  return o.measured * std::exp(r);
}

ceres::CostFunction* MakePriorCost(Coef coefficient, double prior, double weight) {
  return Autodiff(new PriorResidual(coefficient, prior, weight));
}

}  // namespace vitperf
