// Throughput +- one standard error from a calibrated profile's coefficient errors.
//
// Approximation: profiles store only the diagonal of the coefficient covariance (one standard
// error per coefficient), so the errors are propagated as if the coefficients were independent:
// sigma_log^2 = sum_k (d log throughput / d log c_k)^2 (error_k / c_k)^2, with the sensitivities
// from central finite differences through Evaluate. Coefficients that the fit could only pin down
// jointly (negatively correlated, e.g. a copy bandwidth and its per-copy latency) make this
// overstate the interval; positively correlated ones make it understate it.
#pragma once

#include "model/evaluate.h"

namespace vitperf {

struct ThroughputInterval {
  double throughput_ips = 0;         // the prediction
  double low_ips = 0, high_ips = 0;  // throughput * exp(-+ sigma_log)
  double relative_sigma = 0;         // sigma of log throughput (about the relative error)
  bool has_errors = false;           // false: the profile carries no errors (uncalibrated)
};

ThroughputInterval PredictThroughputInterval(const ViTConfig& config, int batch,
                                             const PipelineOptions& options,
                                             const HardwareProfile& profile);

}  // namespace vitperf
