// The error to expect from a prediction, by how its profile was obtained: measured by held-out
// checks (scripts/expected_error.py writes data/accuracy/expected_error.json) and looked up
// here, so every prediction can say what it rests on and how far off it may be.
#pragma once

#include <string>

#include "model/hardware_profile.h"
#include "model/pipeline_options.h"
#include "model/regime.h"

namespace vitperf {

struct ExpectedError {
  // calibrated, same_architecture (uncalibrated, its architecture calibrated on another GPU),
  // other_architecture (uncalibrated, no GPU of its architecture calibrated)
  std::string basis;
  double mape = 0;  // [fraction] held-out MAPE of throughput; 0 when no figure is recorded
  std::string how;  // how that figure was obtained, for people
  // With a case: the held-out points it rests on, e.g. "compiled/host" (execution mode / what
  // bounds them: host, device or pipeline); empty for the profile's overall figure.
  std::string case_name;
  int case_points = 0;
};

// Throws nothing: without the file (or for a case it lacks) mape is 0 and `how` says so.
ExpectedError ExpectedErrorFor(const HardwareProfile& profile);

// The case of the held-out points like one prediction: "<execution mode>/<bound>", e.g.
// "compiled/host" (max-autotune counts as compiled); validate groups its points by it.
std::string ErrorCaseName(ExecutionMode execution, Regime regime);

// The error of predictions like one row: on a calibrated GPU, the held-out error of its points
// of the same case (a host-bound compiled batch 1 misses by several times what a device-bound
// batch 256 does); `overall` (ExpectedErrorFor(profile), looked up once per profile) where the
// file has too few such points, or the GPU is uncalibrated.
ExpectedError ExpectedErrorForRow(const HardwareProfile& profile, const ExpectedError& overall,
                                  ExecutionMode execution, Regime regime);

// "calibrated: held-out error 3.4% (5-fold ...)" or "uncalibrated: datasheet + sm90 priors;
// expect about 9% error (...)": one line for people.
std::string DescribeExpectedError(const HardwareProfile& profile, const ExpectedError& expected);

}  // namespace vitperf
