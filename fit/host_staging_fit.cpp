#include "fit/host_staging_fit.h"

#include <algorithm>
#include <sstream>

#include "fit/fit_coefficients.h"

namespace vitperf {

const std::vector<Coef>& HostStagingCoefficients() {
  static const std::vector<Coef> coefficients = {Coef::host_copy_gbs, Coef::host_dram_copy_gbs,
                                                 Coef::host_cache_mb, Coef::host_cache_decay_ms,
                                                 Coef::host_nt_copy_gbs};
  return coefficients;
}

std::vector<std::string> FitHostStaging(const std::vector<ProbeRecord>& probes,
                                        HardwareProfile* profile) {
  MeasurementSet staging;
  for (const ProbeRecord& r : probes)
    if (r.probe == "staging" && r.status == PointStatus::ok) staging.probes.push_back(r);
  if (staging.probes.empty()) return {};
  FitOptions options;
  options.observations.allow_device_mismatch = true;  // the profile may be another GPU's
  const FitResult fit = FitCoefficients(*profile, staging, options);
  std::vector<std::string> set;
  for (const CoefficientFit& c : fit.per_coefficient) {
    const auto& staged = HostStagingCoefficients();
    if (!c.informed || std::find(staged.begin(), staged.end(), c.coefficient) == staged.end())
      continue;
    profile->coefficients[c.coefficient] = c.value;
    std::ostringstream text;
    text << Info(c.coefficient).name << "=" << c.value;
    set.push_back(text.str());
  }
  return set;
}

}  // namespace vitperf
