// One Ceres cost functor per kind of observation. Each builds what does not depend on the
// coefficients (operator lists, transfer volumes, device rates) once in its constructor, and its
// templated operator() runs the model's own TimeOperator / TimeForward / TimePipeline on Jets:
// the fit and the predictor share one copy of the formulas.
//
// Parameters: one block of kNumCoefficients natural logarithms of the coefficients. Logs make
// every coefficient dimensionless and relative (a step of 0.01 is 1% whatever the unit), which
// conditions the problem, and keep every coefficient positive. Residuals are
// log(predicted / measured), so a 10% error costs the same on a 1 us launch and a 1 s batch.
#pragma once

#include <array>
#include <cmath>

#include "fit/observations.h"
#include "model/hardware_profile.h"
#include "model/pipeline.h"
#include "model/profile_transfer.h"
#include "model/roofline.h"
#include "model/transfers.h"

namespace ceres {
class CostFunction;
}

namespace vitperf {

template <typename T>
std::array<T, kNumCoefficients> CoefficientsFromLogs(const T* log_c) {
  using std::exp;
  std::array<T, kNumCoefficients> c;
  for (int i = 0; i < kNumCoefficients; ++i) c[i] = exp(log_c[i]);
  return c;
}

// What a pipeline residual compares, each in seconds:
//   period      seconds per batch in steady state (or, with options.compute_only, the forward);
//   preprocess  the host staging or normalising of one batch (in a sequential pipeline its
//               cache decays while the forward runs, so the forward is modelled too);
//   kernels     CUPTI's summed kernel durations of one iteration: the forward's operator times
//               without the gaps or the host's dispatch, so the device-side coefficients are
//               fitted on what the device did whatever speed the host ran at;
//   patch_conv  CUPTI's time of the patch embedding's conv and layout-copy kernels alone;
//   attention   CUPTI's time of the fused attention kernels alone.
enum class PipelineQuantity { period, preprocess, kernels, patch_conv, attention };

class PipelineTimeResidual {
 public:
  PipelineTimeResidual(const ViTConfig& config, int batch, const PipelineOptions& options,
                       const HardwareProfile& profile, double measured_s, double dispatch_scale = 1,
                       PipelineQuantity quantity = PipelineQuantity::period);
  template <typename T>
  bool operator()(const T* log_c, T* residual) const {
    using std::log;
    auto c = CoefficientsFromLogs(log_c);
    // The host state of this point: every per-kernel host cost scales with it.
    for (Coef k : kPerKernelHostCoefficients) c[static_cast<int>(k)] *= T(dispatch_scale_);
    const CoefficientView<T> view{c.data()};
    const ForwardTime<T> forward = TimeForward(ops_, rates_, options_.execution, view);
    T predicted_s = forward.kernels_s;
    if (quantity_ == PipelineQuantity::patch_conv) predicted_s = forward.patch_conv_s;
    if (quantity_ == PipelineQuantity::attention) predicted_s = forward.attention_s;
    if (quantity_ == PipelineQuantity::period || quantity_ == PipelineQuantity::preprocess) {
      const PipelineTime<T> pipe = TimePipeline(forward, io_, options_, rates_.host, view);
      predicted_s = quantity_ == PipelineQuantity::period ? pipe.period_s : pipe.preprocess_s;
    }
    residual[0] = log(predicted_s / measured_s_);
    return true;
  }

 private:
  OperatorList ops_;
  DeviceRates rates_;
  TransferVolume io_;
  PipelineOptions options_;
  double measured_s_;
  double dispatch_scale_;
  PipelineQuantity quantity_;
};

// A ratio the model takes straight from one coefficient (latency p90/p50, p99/p50).
class CoefficientRatioResidual {
 public:
  CoefficientRatioResidual(Coef coefficient, double measured)
      : c_(coefficient), measured_(measured) {}
  template <typename T>
  bool operator()(const T* log_c, T* residual) const {
    residual[0] = log_c[static_cast<int>(c_)] - T(std::log(measured_));
    return true;
  }

 private:
  Coef c_;
  double measured_;
};

// Device allocator peak [bytes]: EstimateMemory is linear in activation_memory_factor, so it is
// evaluated once at factor 1 and scaled here.
class PeakMemoryResidual {
 public:
  PeakMemoryResidual(const ViTConfig& config, int batch, const PipelineOptions& options,
                     const HardwareProfile& profile, double measured_bytes);
  template <typename T>
  bool operator()(const T* log_c, T* residual) const {
    using std::exp;
    using std::log;
    const T factor = exp(log_c[static_cast<int>(Coef::activation_memory_factor)]);
    residual[0] = log((T(fixed_bytes_) + T(activation_bytes_) * factor) / measured_bytes_);
    return true;
  }

 private:
  double fixed_bytes_ = 0, activation_bytes_ = 0, measured_bytes_;
};

// One operator timed alone on the device (matmul, device copy): rate = work / time. The probe
// records a device event, calls the operator once and records another, so the kernel waits for
// the host to dispatch the call: time = dispatch_us + TimeOperator (1024^3 bf16 GEMM: 18-22 us
// between the events for a ~3 us kernel). A GEMM repeated back to back also holds the board at
// its power limit, where the SM clock drops
// (data/measurements/studies/diagnostics/h100-gemm_clock.json: 8192^3 at 1500 MHz, a ViT-L forward
// at 1770): with `sustained_clock`, the kernel runs at sustained_matmul_clock in proportion to the
// share of the time the GPU is busy with it.
class OperatorRateResidual {
 public:
  // `work` is what the probe's value counts per run: FLOPs for matmul (value in TFLOP/s, so
  // work_scale 1e-12), bytes read + written for a copy (GB/s, work_scale 1e-9).
  OperatorRateResidual(const Operator& op, const DeviceRates& rates, double work, double work_scale,
                       double measured_rate, bool sustained_clock = false)
      : op_(op),
        rates_(rates),
        work_(work),
        scale_(work_scale),
        measured_(measured_rate),
        sustained_clock_(sustained_clock) {}
  template <typename T>
  bool operator()(const T* log_c, T* residual) const {
    using std::log;
    const auto c = CoefficientsFromLogs(log_c);
    const CoefficientView<T> view{c.data()};
    T kernel_s = TimeOperator(op_, rates_, view).time_s;
    const T dispatch_s = T(op_.host_ops) * view[Coef::dispatch_us] * 1e-6;
    if (sustained_clock_) {
      const T busy_share = kernel_s / (kernel_s + dispatch_s);
      kernel_s /= T(1.0) - busy_share * (T(1.0) - view[Coef::sustained_matmul_clock]);
    }
    residual[0] = log(T(work_ * scale_) / (kernel_s + dispatch_s) / measured_);
    return true;
  }

 private:
  Operator op_;
  DeviceRates rates_;
  double work_, scale_, measured_;
  bool sustained_clock_;
};

// A host-device copy of `bytes` through the pipeline's copy-stage model [GB/s].
class HostCopyResidual {
 public:
  HostCopyResidual(bool to_device, double bytes, const PipelineOptions& options,
                   const HostSide& host, double measured_gbs);
  template <typename T>
  bool operator()(const T* log_c, T* residual) const {
    using std::log;
    const auto c = CoefficientsFromLogs(log_c);
    const CoefficientView<T> view{c.data()};
    const PipelineTime<T> p = TimePipeline(ForwardTime<T>{}, io_, options_, host_, view);
    const T seconds = to_device_ ? p.h2d_s : p.d2h_s;
    residual[0] = log(T(bytes_ * 1e-9) / seconds / measured_gbs_);
    return true;
  }

 private:
  bool to_device_;
  double bytes_;
  TransferVolume io_;
  PipelineOptions options_;
  HostSide host_;
  double measured_gbs_;
};

// One producer's staging memcpy of `bytes` after `idle_ms` asleep, and, with `then_h2d`, the
// staged buffer's copy to the device after each, through the pipeline's host-staging model
// [GB/s] (the "staging" probe).
class HostStagingResidual {
 public:
  HostStagingResidual(double bytes, double idle_ms, bool then_h2d, const HostSide& host,
                      double measured_gbs)
      : bytes_(bytes),
        idle_ms_(idle_ms),
        then_h2d_(then_h2d),
        host_(host),
        measured_gbs_(measured_gbs) {}
  template <typename T>
  bool operator()(const T* log_c, T* residual) const {
    using std::log;
    const auto c = CoefficientsFromLogs(log_c);
    const CoefficientView<T> view{c.data()};
    T idle_s = T(idle_ms_ * 1e-3);
    // The producer also waits out the H2D, as it does in the pipeline.
    if (then_h2d_) idle_s += HostLinkCopySeconds(bytes_, view[Coef::h2d_pinned_gbs], view);
    const T seconds = HostStagingSeconds(bytes_, 1, idle_s, host_.memcpy_nontemporal_bytes, view);
    residual[0] = log(T(bytes_ * 1e-9) / seconds / measured_gbs_);
    return true;
  }

 private:
  double bytes_, idle_ms_;
  bool then_h2d_;
  HostSide host_;
  double measured_gbs_;
};

// Back-to-back tiny kernels: per-kernel time [us] of a forward pass made of nothing else.
class LaunchResidual {
 public:
  LaunchResidual(ExecutionMode execution, double kernels, const DeviceRates& rates,
                 double measured_us);
  template <typename T>
  bool operator()(const T* log_c, T* residual) const {
    using std::log;
    const auto c = CoefficientsFromLogs(log_c);
    const ForwardTime<T> f = TimeForward(ops_, rates_, execution_, CoefficientView<T>{c.data()});
    residual[0] = log(f.total_s * (1e6 / kernels_) / measured_us_);
    return true;
  }

 private:
  OperatorList ops_;
  DeviceRates rates_;
  ExecutionMode execution_;
  double kernels_, measured_us_;
};

// Weak prior: weight * log(c / prior), so sparse data still gives sane numbers.
class PriorResidual {
 public:
  PriorResidual(Coef coefficient, double prior, double weight)
      : index_(static_cast<int>(coefficient)), log_prior_(std::log(prior)), weight_(weight) {}
  template <typename T>
  bool operator()(const T* log_c, T* residual) const {
    residual[0] = T(weight_) * (log_c[index_] - T(log_prior_));
    return true;
  }

 private:
  int index_;
  double log_prior_, weight_;
};

// The model's value of an observation, in the observation's unit, at the given coefficients
// (evaluates the cost function: residual = log(predicted / measured)).
double PredictObservation(const Observation& o, const HardwareProfile& profile,
                          const CoefficientValues<double>& coefficients);

// The autodiff cost function of one observation (caller owns it).
ceres::CostFunction* MakeObservationCost(const Observation& o, const HardwareProfile& profile);
ceres::CostFunction* MakePriorCost(Coef coefficient, double prior, double weight);

}  // namespace vitperf
