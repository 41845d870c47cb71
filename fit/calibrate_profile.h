// The one calibration workflow behind `vitperf fit` and `vitperf calibrate`: measurement files
// in, a calibrated profile out. Reads the files (hashing each), keeps the asked runs, pools
// repeated points, adopts the data's host threshold, fits the coefficients, refuses an unusable
// fit, and writes the profile. Returns everything the printers (fit/calibration_output.h) show,
// so that they only print.
#pragma once

#include <string>
#include <vector>

#include "fit/fit_coefficients.h"
#include "fit/fitted_profile.h"
#include "model/hardware_profile.h"
#include "predict/run_messages.h"

namespace vitperf {

struct CalibrateRequest {
  std::vector<std::string> data;  // measurement files (JSONL)
  std::vector<std::string> runs;  // run ids kept (none: every run)
  // The profile to start from: a name or a .json file; empty: the shipped profile that matches
  // the measured device (MatchingShippedProfile).
  std::string base;
  std::string device = "cuda:0";  // what was measured, for matching an empty `base`
  std::string output;             // the calibrated profile to write (.json)
  FitOptions options;
};

struct CalibrationResult {
  CalibrateRequest request;
  HardwareProfile base;  // as fitted from: with the data's host threshold adopted
  std::vector<FitInput> inputs;
  int pooled_repeats = 0;  // repeated measurements pooled into their points
  FitResult fit;
  HardwareProfile fitted;  // written to request.output
};

// Throws std::invalid_argument for a bad request or unusable data, std::runtime_error for a
// fit that must not become a profile or a file that cannot be written. `messages` receives
// what reading skipped and what was adopted from the data, also when it throws.
CalibrationResult CalibrateProfile(const CalibrateRequest& request, RunMessages* messages);

}  // namespace vitperf
