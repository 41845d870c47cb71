#include "model/calibration.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "model/closest_names.h"
#include "model/strict_json.h"

namespace vitperf {

bool IsCalibrationJson(const nlohmann::json& j) {
  return j.is_object() && j.contains("schema") && j["schema"] == kCalibrationSchema;
}

nlohmann::json CalibrationJson(const HardwareProfile& p, const std::string& gpu) {
  nlohmann::json coefficients = nlohmann::json::object();
  for (Coef c : FittedCoefficients())
    coefficients[Info(c).name] = {{"value", p.coefficients[c]},
                                  {"error", p.coefficient_errors[c]},
                                  {"prior", p.coefficient_priors[c]},
                                  {"informed", p.coefficient_informed[static_cast<int>(c)]}};
  return nlohmann::json{{"schema", kCalibrationSchema},
                        {"schema_version", kCalibrationSchemaVersion},
                        {"gpu", gpu},
                        {"architecture", p.architecture_name},
                        {"coefficients", coefficients},
                        {"fit", p.fit}};
}

std::string CalibrationDatasheet(const nlohmann::json& j, const std::string& calibration_path) {
  namespace fs = std::filesystem;
  const std::string gpu = j.value("gpu", "");
  if (gpu.find('/') == std::string::npos && fs::path(gpu).extension() != ".json") return gpu;
  const fs::path path(gpu);
  return path.is_absolute() ? gpu : (fs::path(calibration_path).parent_path() / path).string();
}

void ApplyCalibration(const nlohmann::json& j, const std::string& context, HardwareProfile* p) {
  StrictObject o(j, context);
  std::string schema, gpu, architecture;
  int version = 0;
  nlohmann::json coefficients;
  o.Required("schema", schema)
      .Required("schema_version", version)
      .Required("gpu", gpu)
      .Required("architecture", architecture)
      .Required("coefficients", coefficients)
      .Required("fit", p->fit);
  o.RejectUnknownKeys();
  if (version != kCalibrationSchemaVersion)
    throw std::invalid_argument(context + ".schema_version: " + std::to_string(version) +
                                " is not supported (this vitperf reads 1)");
  if (architecture != p->architecture_name)
    throw std::invalid_argument(context + ".architecture: '" + architecture +
                                "' differs from the datasheet's '" + p->architecture_name + "'");
  if (!coefficients.is_object())
    throw std::invalid_argument(context + ".coefficients: expected a JSON object");
  std::vector<std::string> fitted_names;
  for (Coef c : FittedCoefficients()) fitted_names.push_back(Info(c).name);
  for (auto it = coefficients.begin(); it != coefficients.end(); ++it)
    if (std::find(fitted_names.begin(), fitted_names.end(), it.key()) == fitted_names.end())
      throw std::invalid_argument(
          context + ".coefficients." + it.key() +
          ": not a fitted coefficient (closest: " + ClosestNames(it.key(), fitted_names) + ")");
  for (Coef c : FittedCoefficients()) {
    const std::string field = context + ".coefficients." + Info(c).name;
    if (!coefficients.contains(Info(c).name)) throw std::invalid_argument(field + ": missing");
    const nlohmann::json& entry = coefficients[Info(c).name];
    StrictObject e(entry, field);
    double value = 0, error = 0, prior = 0;
    bool informed = false;
    e.Required("value", value).Required("error", error).Required("prior", prior);
    e.Required("informed", informed);
    e.RejectUnknownKeys();
    const CoefficientInfo& info = Info(c);
    if (!(value >= info.lower && value <= info.upper))
      throw std::invalid_argument(field + ".value: " + std::to_string(value) + " is outside [" +
                                  std::to_string(info.lower) + ", " + std::to_string(info.upper) +
                                  "]");
    if (!(error >= 0)) throw std::invalid_argument(field + ".error: must be zero or positive");
    p->coefficients[c] = value;
    p->coefficient_errors[c] = error;
    p->coefficient_priors[c] = prior;
    p->coefficient_informed[static_cast<int>(c)] = informed;
  }
  if (!p->fit.is_object()) throw std::invalid_argument(context + ".fit: expected a JSON object");
  p->calibrated = true;
}

}  // namespace vitperf
