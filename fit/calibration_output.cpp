#include "fit/calibration_output.h"

#include <ostream>

#include "fit/fit_report.h"
#include "predict/json_envelope.h"

namespace vitperf {

void PrintFit(std::ostream& out, const CalibrationResult& r) {
  out << "fitted " << r.base.name << " (" << r.base.display_name << ") to " << r.request.data.size()
      << " file(s)\n";
  if (r.pooled_repeats > 0)
    out << r.pooled_repeats
        << " repeated measurement(s) pooled into their points (long-run averages)\n";
  PrintFitReport(out, r.fit);
  out << "wrote " << r.request.output << "\n";
}

nlohmann::json FitJson(const CalibrationResult& r, const std::vector<std::string>& argv) {
  nlohmann::json j = JsonEnvelope("fit", kFitSchemaVersion, argv, &r.fitted);
  j["output"] = r.request.output;
  j["pooled_repeats"] = r.pooled_repeats;
  j["fit"] = r.fitted.fit;
  return j;
}

void PrintCalibrateFit(std::ostream& out, const CalibrationResult& r) {
  out << "\nfitted " << r.base.name << " (" << r.base.display_name << ")\n";
  PrintFitReport(out, r.fit);
  out << "wrote " << r.request.output << "; use it with `vitperf predict --gpu " << r.request.output
      << "`\n";
}

void AddCalibrateFitJson(const CalibrationResult& r, nlohmann::json* report) {
  (*report)["output"] = r.request.output;
  (*report)["fit"] = r.fitted.fit;
}

}  // namespace vitperf
