// Least-squares fit of y = coefficient * x^exponent on log-log axes: the form every scaling law
// in vitperf takes (optimal batch vs GFLOPs, time vs resolution, memory vs resolution).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vitperf {

struct PowerLawFit {
  double coefficient = 0;     // y at x = 1
  double exponent = 0;        // slope on log-log axes
  double exponent_error = 0;  // one standard error of the slope; 0 with two points
  double r_squared = 0;       // of the log-log regression
  int points = 0;

  double operator()(double x) const;
  // "y = 3.1 * x^0.52 (R^2 0.97, n=48)"
  std::string Describe(const std::string& x_name = "x", const std::string& y_name = "y") const;
};

void to_json(nlohmann::json& j, const PowerLawFit& f);

// Fits the positive pairs; non-positive or non-finite pairs cannot sit on log axes and are
// skipped. Empty when fewer than two usable points remain or all x are equal.
std::optional<PowerLawFit> FitPowerLaw(const std::vector<double>& x, const std::vector<double>& y);

// Slope between neighbouring points on log-log axes: how the exponent drifts along the curve
// (attention makes time vs resolution steepen from ~2 towards ~4).
std::vector<double> LocalExponents(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace vitperf
