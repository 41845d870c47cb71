// Scaling laws fitted to a measured dataset beside the same laws fitted to the model's
// predictions at the very same points: the CI check that the model's laws hold on hardware.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/hardware_profile.h"
#include "model/measurement_record.h"
#include "predict/power_law_fit.h"

namespace vitperf {

// Default largest allowed |measured exponent - predicted exponent| for --check.
inline constexpr double kDefaultLawTolerance = 0.25;

struct LawPoint {
  double x = 0, predicted = 0, measured = 0;
};

struct MeasuredLaw {
  std::string law;    // "compute time vs resolution", "peak memory vs resolution",
                      // "optimal batch vs GFLOPs/image"
  std::string group;  // what is held fixed: model, precision, batch, pipeline
  std::string x_unit, y_unit;
  std::vector<LawPoint> points;
  PowerLawFit predicted, measured;
  double difference = 0;  // measured exponent - predicted exponent
  bool within_tolerance = true;
};

// Every law the data supports (at least two distinct x values in a group). Records that are
// not ok (OOM, error) only enter as "does not fit" for the optimal-batch rule.
std::vector<MeasuredLaw> FitMeasuredLaws(const MeasurementSet& data, const HardwareProfile& profile,
                                         double tolerance);

void to_json(nlohmann::json& j, const MeasuredLaw& law);

}  // namespace vitperf
