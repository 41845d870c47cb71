#include "model/coefficients.h"

namespace vitperf {

const std::array<CoefficientInfo, kNumCoefficients>& CoefficientTable() {
  static const std::array<CoefficientInfo, kNumCoefficients> table{{
#define VITPERF_COEF_INFO(name, def, lo, hi, unit, stage, meaning) \
  {#name, def, lo, hi, unit, CoefStage::stage, meaning},
      VITPERF_COEFFICIENTS(VITPERF_COEF_INFO)
#undef VITPERF_COEF_INFO
  }};
  return table;
}

const CoefficientInfo& Info(Coef c) { return CoefficientTable()[static_cast<int>(c)]; }

std::optional<Coef> CoefficientByName(const std::string& name) {
  for (int i = 0; i < kNumCoefficients; ++i)
    if (name == CoefficientTable()[i].name) return static_cast<Coef>(i);
  return std::nullopt;
}

CoefficientValues<double> DefaultCoefficients() {
  CoefficientValues<double> c;
  for (int i = 0; i < kNumCoefficients; ++i) c.v[i] = CoefficientTable()[i].default_value;
  return c;
}

std::vector<Coef> FittedCoefficients() {
  std::vector<Coef> out;
  for (int i = 0; i < kNumCoefficients; ++i)
    if (CoefficientTable()[i].fitted()) out.push_back(static_cast<Coef>(i));
  return out;
}

}  // namespace vitperf
