// The error to expect from a prediction, by how its profile was obtained: measured by held-out
// checks (scripts/expected_error.py writes data/accuracy/expected_error.json) and looked up
// here, so every prediction can say what it rests on and how far off it may be.
#pragma once

#include <string>

#include "model/hardware_profile.h"

namespace vitperf {

struct ExpectedError {
  // calibrated, same_architecture (uncalibrated, its architecture calibrated on another GPU),
  // other_architecture (uncalibrated, no GPU of its architecture calibrated)
  std::string basis;
  double mape = 0;  // [fraction] held-out MAPE of throughput; 0 when no figure is recorded
  std::string how;  // how that figure was obtained, for people
};

// Throws nothing: without the file (or for a case it lacks) mape is 0 and `how` says so.
ExpectedError ExpectedErrorFor(const HardwareProfile& profile);

// "calibrated: held-out error 3.4% (5-fold ...)" or "uncalibrated: datasheet + sm90 priors;
// expect about 9% error (...)": one line for people.
std::string DescribeExpectedError(const HardwareProfile& profile, const ExpectedError& expected);

}  // namespace vitperf
