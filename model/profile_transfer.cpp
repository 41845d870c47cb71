#include "model/profile_transfer.h"

namespace vitperf {

HardwareProfile TransferCoefficients(const HardwareProfile& source, const HardwareProfile& target) {
  HardwareProfile out = target;
  out.coefficients = source.coefficients;
  const double h2d = target.link_h2d_gbs / source.link_h2d_gbs;
  const double d2h = target.link_d2h_gbs / source.link_d2h_gbs;
  out.coefficients[Coef::h2d_pinned_gbs] *= h2d;
  out.coefficients[Coef::h2d_pageable_gbs] *= h2d;
  out.coefficients[Coef::d2h_pinned_gbs] *= d2h;
  out.coefficients[Coef::d2h_pageable_gbs] *= d2h;
  out.coefficient_errors = CoefficientValues<double>{};
  out.calibrated = false;
  out.fit = nlohmann::json{{"coefficients_from", source.name},
                           {"rule", "efficiencies copied; link bandwidths scaled by nominal link ratio"}};
  return out;
}

}  // namespace vitperf
