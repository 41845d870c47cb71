#include "fit/validation_refit.h"

#include <set>
#include <stdexcept>

#include "fit/device_match.h"
#include "fit/fit_coefficients.h"
#include "fit/fitted_profile.h"
#include "fit/host_staging_fit.h"

namespace vitperf {
namespace {

ProfileRefitter::Fitted Refit(const HardwareProfile& base, const MeasurementSet& data,
                              const ProfileRefitter::Options& refit) {
  FitOptions options;
  options.observations.allow_device_mismatch = refit.allow_device_mismatch;
  options.observations.host_launch_reference_us = refit.host_launch_reference_us;
  options.frozen = refit.frozen;
  options.also_fitted = refit.also_fitted;
  const FitResult result = FitCoefficients(base, data, options);
  ProfileRefitter::Fitted fitted{base, result.mape, ""};
  fitted.profile.coefficients = result.coefficients;
  fitted.profile.coefficient_errors = result.errors;
  try {
    CheckFitUsable(result, "the refit's profile");
  } catch (const std::runtime_error& e) {
    fitted.unusable = e.what();
  }
  return fitted;
}

std::vector<std::string> ForeignDevices(const MeasurementSet& data,
                                        const HardwareProfile& profile) {
  std::set<std::string> others;
  for (const auto& r : data.pipeline) {
    const std::string name = MeasuredDeviceName(r.provenance);
    if (!DeviceMatchesProfile(r.device, name, profile, nullptr))
      others.insert(name.empty() ? r.device : name);
  }
  return {others.begin(), others.end()};
}

}  // namespace

ProfileRefitter CeresProfileRefitter() {
  ProfileRefitter refitter;
  refitter.fit = Refit;
  refitter.adopt_host_threshold = AdoptDataHostThreshold;
  refitter.fit_host_staging = FitHostStaging;
  refitter.foreign_devices = ForeignDevices;
  return refitter;
}

}  // namespace vitperf
