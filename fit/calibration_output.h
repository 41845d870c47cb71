// A calibration (fit/calibrate_profile.h) for people and for programs: siblings over the same
// CalibrationResult that only print it. `vitperf fit` and `vitperf calibrate` word their text
// differently (calibrate follows its measurement with where to use the profile).
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fit/calibrate_profile.h"

namespace vitperf {

inline constexpr int kFitSchemaVersion = 1;

// `vitperf fit`: the files fitted, repeats pooled, the fit report, the profile written.
void PrintFit(std::ostream& out, const CalibrationResult& result);
// `vitperf fit --json` (schema vitperf.fit). `argv`: how the output was asked for.
nlohmann::json FitJson(const CalibrationResult& result, const std::vector<std::string>& argv);

// The fitting half of `vitperf calibrate`, after its measurement summary.
void PrintCalibrateFit(std::ostream& out, const CalibrationResult& result);
// The fitting half's fields of `vitperf calibrate --json` (schema vitperf.calibrate).
void AddCalibrateFitJson(const CalibrationResult& result, nlohmann::json* report);

}  // namespace vitperf
