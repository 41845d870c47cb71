#include "fit/host_staging_fit.h"

#include <algorithm>
#include <iomanip>
#include <set>
#include <sstream>
#include <stdexcept>

#include "fit/fit_coefficients.h"

namespace vitperf {

const std::vector<Coef>& HostStagingCoefficients() {
  static const std::vector<Coef> coefficients = {Coef::host_copy_gbs, Coef::host_dram_copy_gbs,
                                                 Coef::host_cache_mb, Coef::host_nt_copy_gbs};
  return coefficients;
}

std::vector<std::string> FitHostStaging(const std::vector<ProbeRecord>& probes,
                                        HardwareProfile* profile) {
  MeasurementSet staging;
  for (const ProbeRecord& r : probes)
    if (r.probe == "staging") staging.probes.push_back(r);
  if (staging.probes.empty()) return {};
  FitOptions options;
  options.observations.allow_device_mismatch = true;  // the profile may be another GPU's
  // Records the fit cannot use (failed, a non-numeric idle, ...) are dropped there; none left:
  // no fit.
  FitResult fit;
  try {
    fit = FitCoefficients(*profile, staging, options);
  } catch (const std::invalid_argument&) {
    return {};
  }
  const auto& staged = HostStagingCoefficients();
  std::vector<std::string> set;
  for (const CoefficientFit& c : fit.per_coefficient) {
    if (!c.informed || std::find(staged.begin(), staged.end(), c.coefficient) == staged.end())
      continue;
    profile->coefficients[c.coefficient] = c.value;
    std::ostringstream text;
    text << Info(c.coefficient).name << "=" << c.value;
    set.push_back(text.str());
  }
  return set;
}

std::string AdoptDataHostThreshold(const MeasurementSet& data, HardwareProfile* profile) {
  std::set<double> seen;
  for (const nlohmann::json& run : data.provenance) {
    const auto info = run.find("device_info");
    if (info == run.end() || !info->is_object()) continue;
    const auto bytes = info->find("host_memcpy_nontemporal_bytes");
    if (bytes != info->end() && bytes->is_number() && bytes->get<double>() > 0)
      seen.insert(bytes->get<double>());
  }
  if (seen.empty()) return "";
  std::ostringstream text;
  text << std::fixed << std::setprecision(0);  // whole bytes
  if (seen.size() > 1) {
    text << "warning: the data's runs recorded " << seen.size()
         << " different memcpy streaming-store thresholds (" << *seen.begin() << " to "
         << *seen.rbegin() << " bytes); the profile's " << profile->host_memcpy_nontemporal_bytes
         << " is kept";
    return text.str();
  }
  const double bytes = *seen.begin();
  if (bytes == profile->host_memcpy_nontemporal_bytes) return "";
  text << "host.memcpy_nontemporal_bytes: " << profile->host_memcpy_nontemporal_bytes << " -> "
       << bytes << " (recorded by the data's runs: glibc's x86_non_temporal_threshold)";
  profile->host_memcpy_nontemporal_bytes = bytes;
  return text.str();
}

}  // namespace vitperf
