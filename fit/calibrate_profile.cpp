#include "fit/calibrate_profile.h"

#include <stdexcept>

#include "fit/device_match.h"
#include "fit/host_staging_fit.h"
#include "model/measurement_record.h"
#include "model/repeated_points.h"
#include "model/run_selection.h"

namespace vitperf {
namespace {

// The shipped profile the measured device matches, for when no base is named.
std::string MatchingShippedProfile(const MeasurementSet& data, const std::string& device) {
  const std::string name = data.provenance.empty() ? "" : MeasuredDeviceName(data.provenance[0]);
  for (const auto& p : ShippedProfiles())
    if (DeviceMatchesProfile(device, name, p, nullptr) &&
        p.name.find("-generic") == std::string::npos)
      return p.name;
  if (device.rfind("cpu", 0) == 0) return "cpu-generic";
  throw std::invalid_argument("base: no shipped profile matches '" + name +
                              "'; pass --base NAME or a .json profile (see `vitperf gpus`)");
}

}  // namespace

CalibrationResult CalibrateProfile(const CalibrateRequest& request, RunMessages* messages) {
  if (request.data.empty()) throw std::invalid_argument("data: name at least one measurement file");
  if (request.output.empty()) throw std::invalid_argument("-o/--output: name the profile to write");
  std::string why;
  if (!request.options.IsValid(&why)) throw std::invalid_argument(why);
  CalibrationResult result;
  result.request = request;
  // A named base is checked before any file is read.
  if (!request.base.empty()) result.base = LoadProfile(request.base);

  MeasurementSet data;
  result.inputs = ReadInputs(request.data, &data);
  if (const std::string s = RejectionSummary(data); !s.empty()) messages->warnings.push_back(s);
  KeepRuns(request.runs, &data);
  result.pooled_repeats = PoolRepeatedPoints(&data);
  if (request.base.empty()) result.base = LoadProfile(MatchingShippedProfile(data, request.device));
  if (const std::string note = AdoptDataHostThreshold(data, &result.base); !note.empty())
    messages->notes.push_back(note);
  FitOptions options = request.options;
  options.observations.host_launch_reference_us = MedianHostLaunchUs(data.pipeline);
  result.fit = FitCoefficients(result.base, data, options);
  CheckFitUsable(result.fit, request.output);
  result.fitted = MakeFittedProfile(result.base, result.fit, result.inputs, options, data.probes,
                                    data.pipeline);
  if (!request.runs.empty()) result.fitted.fit["runs"] = request.runs;
  WriteCalibrationFile(result.fitted, request.output);
  return result;
}

}  // namespace vitperf
