#include "predict/prediction_interval.h"

#include <cmath>

namespace vitperf {

ThroughputInterval PredictThroughputInterval(const ViTConfig& config, int batch,
                                             const PipelineOptions& options,
                                             const HardwareProfile& profile) {
  constexpr double kStep = 1e-4;  // relative step of the central differences
  ThroughputInterval out;
  out.throughput_ips = Evaluate(config, batch, options, profile).throughput_ips;
  double variance = 0;
  for (int k = 0; k < kNumCoefficients; ++k) {
    const double c = profile.coefficients.v[k];
    const double error = profile.coefficient_errors.v[k];
    if (!(error > 0) || !(c > 0)) continue;
    out.has_errors = true;
    CoefficientValues<double> up = profile.coefficients, down = profile.coefficients;
    up.v[k] = c * (1 + kStep);
    down.v[k] = c * (1 - kStep);
    const double d_log_tp =
        std::log(Evaluate(config, batch, options, profile, up).throughput_ips /
                 Evaluate(config, batch, options, profile, down).throughput_ips);
    const double sensitivity = d_log_tp / (std::log1p(kStep) - std::log1p(-kStep));
    variance += std::pow(sensitivity * error / c, 2);
  }
  out.relative_sigma = std::sqrt(variance);
  out.low_ips = out.throughput_ips * std::exp(-out.relative_sigma);
  out.high_ips = out.throughput_ips * std::exp(out.relative_sigma);
  return out;
}

}  // namespace vitperf
