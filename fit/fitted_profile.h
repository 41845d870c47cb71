// The output of `vitperf fit`: the base profile with fitted coefficients, errors, priors and
// informed flags, marked calibrated, with a summary of the fit in "fit" (inputs and their
// hashes, points used, dropped points counted by reason, solver outcome, error by kind,
// version, time), written as a calibration file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fit/fit_coefficients.h"
#include "model/hardware_profile.h"
#include "model/measurement_record.h"

namespace vitperf {

struct FitInput {
  std::string path;
  std::string fnv1a64;  // hex FNV-1a 64-bit hash of the file's bytes
  int records = 0;      // pipeline and probe records read from it
};


// Reads each file once (rejected lines counted in data->rejected), recording path, hash of the
// bytes read and record count. Throws std::invalid_argument for a missing or unreadable file.
std::vector<FitInput> ReadInputs(const std::vector<std::string>& paths, MeasurementSet* data);

// Throws std::runtime_error when a fit must not become a profile: the solver did not converge,
// its cost or a coefficient is not finite. `output` names the profile left unwritten.
void CheckFitUsable(const FitResult& result, const std::string& output);

nlohmann::json FitProvenance(const FitResult& result, const std::vector<FitInput>& inputs,
                             const FitOptions& options);

// The calibrated profile: fitted coefficients, their errors, the fit's provenance, and the
// medians of the data's host-side probes (fit.host_reference), so that `validate
// --host-probes-from-data` can move the fitted dispatch cost to another host; and the compile
// times of the pipeline records' AOTInductor packages (fit.compile_s, fit/compile_time_summary.h).
HardwareProfile MakeFittedProfile(const HardwareProfile& base, const FitResult& result,
                                  const std::vector<FitInput>& inputs, const FitOptions& options,
                                  const std::vector<ProbeRecord>& probes,
                                  const std::vector<PipelineRecord>& pipeline = {});

// Writes the calibration file (model/calibration.h) of a fitted profile. Throws
// std::runtime_error when the file cannot be written.
void WriteCalibrationFile(const HardwareProfile& fitted, const std::string& path);

}  // namespace vitperf
