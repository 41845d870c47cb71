// `laws` as a result: the RQ1/RQ2 scaling laws the model predicts on one GPU and, given
// measurements, the same laws fitted to them and checked against the prediction; printed as
// tables or as JSON (schema vitperf.laws). The printers only read the result.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/hardware_profile.h"
#include "model/measurement_record.h"
#include "predict/measured_laws.h"
#include "predict/scaling_laws.h"

namespace vitperf {

inline constexpr int kLawsSchemaVersion = 1;

struct LawsResult {
  HardwareProfile profile;
  LawsOptions options;
  ScalingLaws laws;
  std::vector<std::string> data;      // measurement files (none: the model's laws only)
  std::vector<MeasuredLaw> measured;  // the laws `data` supports, fitted to it
  double tolerance = 0;               // largest |measured - predicted exponent| that passes
  bool check = false;                 // --check: the command fails unless the check passes
  // Every measured law within tolerance, and with --check at least one law measured (a check
  // that checked nothing must not pass).
  bool CheckPassed() const;
};

LawsResult RunLaws(const HardwareProfile& profile, const LawsOptions& options,
                   const std::vector<std::string>& data_paths, const MeasurementSet& data,
                   double tolerance, bool check);

// `argv`: how the output was asked for, for the meta block.
nlohmann::json LawsJson(const LawsResult& result, const std::vector<std::string>& argv);
void PrintLaws(std::ostream& out, const LawsResult& result);

}  // namespace vitperf
