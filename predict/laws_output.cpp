#include "predict/laws_output.h"

#include <ostream>

#include "predict/json_envelope.h"
#include "predict/laws_tables.h"
#include "predict/model_request.h"

namespace vitperf {

bool LawsResult::CheckPassed() const {
  for (const MeasuredLaw& m : measured)
    if (!m.within_tolerance) return false;
  return !(check && measured.empty());
}

LawsResult RunLaws(const HardwareProfile& profile, const LawsOptions& options,
                   const std::vector<std::string>& data_paths, const MeasurementSet& data,
                   double tolerance, bool check) {
  LawsResult r;
  r.profile = profile;
  r.options = options;
  r.laws = ComputeScalingLaws(profile, options);
  r.data = data_paths;
  if (!data_paths.empty()) r.measured = FitMeasuredLaws(data, profile, tolerance);
  r.tolerance = tolerance;
  r.check = check;
  return r;
}

nlohmann::json LawsJson(const LawsResult& r, const std::vector<std::string>& argv) {
  nlohmann::json j = JsonEnvelope("laws", kLawsSchemaVersion, argv, &r.profile);
  j["precision"] = r.options.precision;
  j["options"] = r.options.pipeline;
  j["laws"] = r.laws;
  if (!r.data.empty()) {
    j["data"] = r.data;
    j["measured"] = r.measured;
    j["tolerance"] = r.tolerance;
    j["check"] = {{"requested", r.check}, {"passed", r.CheckPassed()}};
  }
  return j;
}

void PrintLaws(std::ostream& out, const LawsResult& r) {
  out << "Scaling laws on " << r.profile.display_name
      << (r.profile.calibrated ? "" : " (uncalibrated profile)") << ", "
      << DescribePipeline(r.options.pipeline) << "\n";
  PrintScalingLaws(r.laws, r.profile, r.options, out, false);
  if (!r.data.empty()) PrintMeasuredLaws(r.measured, r.tolerance, out, false);
  if (r.check)
    out << "\ncheck " << (r.CheckPassed() ? "passed" : "FAILED")
        << (r.measured.empty() ? ": the data supports no law" : "") << "\n";
}

}  // namespace vitperf
