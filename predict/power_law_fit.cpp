#include "predict/power_law_fit.h"

#include <cmath>
#include <cstdio>

namespace vitperf {

double PowerLawFit::operator()(double x) const { return coefficient * std::pow(x, exponent); }

std::string PowerLawFit::Describe(const std::string& x_name, const std::string& y_name) const {
  char text[200];
  std::snprintf(text, sizeof text, "%s = %.4g * %s^%.3f (+/- %.3f, R^2 %.3f, n=%d)", y_name.c_str(),
                coefficient, x_name.c_str(), exponent, exponent_error, r_squared, points);
  return text;
}

void to_json(nlohmann::json& j, const PowerLawFit& f) {
  j = nlohmann::json{{"coefficient", f.coefficient},
                     {"exponent", f.exponent},
                     {"exponent_error", f.exponent_error},
                     {"r_squared", f.r_squared},
                     {"points", f.points}};
}

std::optional<PowerLawFit> FitPowerLaw(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> lx, ly;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (!(x[i] > 0) || !(y[i] > 0) || !std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    lx.push_back(std::log(x[i]));
    ly.push_back(std::log(y[i]));
  }
  const size_t n = lx.size();
  if (n < 2) return std::nullopt;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += lx[i];
    my += ly[i];
  }
  mx /= n;
  my /= n;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxx += (lx[i] - mx) * (lx[i] - mx);
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) * (ly[i] - my);
  }
  // Relative test: log values of equal x differ only by rounding.
  if (sxx <= 1e-18 * (1 + mx * mx)) return std::nullopt;
  PowerLawFit f;
  f.points = static_cast<int>(n);
  f.exponent = sxy / sxx;
  f.coefficient = std::exp(my - f.exponent * mx);
  double residual = 0;
  for (size_t i = 0; i < n; ++i) {
    const double r = ly[i] - (my + f.exponent * (lx[i] - mx));
    residual += r * r;
  }
  f.r_squared = syy > 0 ? 1 - residual / syy : 1;
  if (n > 2) f.exponent_error = std::sqrt(residual / (n - 2) / sxx);
  return f;
}

std::vector<double> LocalExponents(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> out;
  for (size_t i = 1; i < x.size() && i < y.size(); ++i) {
    if (x[i] > 0 && x[i - 1] > 0 && y[i] > 0 && y[i - 1] > 0 && x[i] != x[i - 1])
      out.push_back(std::log(y[i] / y[i - 1]) / std::log(x[i] / x[i - 1]));
    else
      out.push_back(std::nan(""));
  }
  return out;
}

}  // namespace vitperf
