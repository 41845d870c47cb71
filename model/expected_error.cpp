#include "model/expected_error.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "model/build_info.h"

namespace vitperf {
namespace {

// Read once per process: `gpus` asks for every shipped profile.
const nlohmann::json& ExpectedErrorFile() {
  static const nlohmann::json file = [] {
    std::ifstream in(std::filesystem::path(DataDir()) / "accuracy" / "expected_error.json");
    return in ? nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false) : nlohmann::json();
  }();
  return file;
}

// Whether a shipped calibration exists for a GPU of this architecture other than `name`: the
// calibration files name their architecture, so their datasheets need not be loaded.
bool ArchitectureCalibrated(const std::string& architecture, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(DataDir()) / "calibration", ec)) {
    if (entry.path().extension() != ".json" || entry.path().stem() == name) continue;
    std::ifstream in(entry.path());
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.value("architecture", "") == architecture) return true;
  }
  return false;
}

// The member `key` of `j`, or nullptr where `j` has none.
const nlohmann::json* Member(const nlohmann::json& j, const std::string& key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

double Number(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

std::string Percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f%%", fraction * 100);
  return text;
}

}  // namespace

ExpectedError ExpectedErrorFor(const HardwareProfile& profile) {
  ExpectedError e;
  e.basis = profile.calibrated ? "calibrated"
            : ArchitectureCalibrated(profile.architecture_name, profile.name)
                ? "same_architecture"
                : "other_architecture";
  const nlohmann::json& file = ExpectedErrorFile();
  if (!file.is_object() || !file.contains(e.basis)) {
    e.how = "no held-out figure recorded (data/accuracy/expected_error.json)";
    return e;
  }
  const nlohmann::json& entry = file[e.basis];
  e.mape = Number(entry, "mape");
  e.how = entry.value("how", "");
  if (e.basis == "calibrated" && entry.contains("by_gpu") &&
      entry["by_gpu"].contains(profile.name)) {
    e.mape = Number(entry["by_gpu"][profile.name], "mape");
    e.how = "5-fold cross-validation by config on this GPU's measurements";
  }
  return e;
}

std::string ErrorCaseName(ExecutionMode execution, Regime regime) {
  return ToString(execution) + "/" + BoundOf(regime);
}

ExpectedError ExpectedErrorForRow(const HardwareProfile& profile, const ExpectedError& overall,
                                  ExecutionMode execution, Regime regime) {
  ExpectedError e = overall;
  if (e.basis != "calibrated") return e;
  const std::string key = ErrorCaseName(execution, regime);
  const nlohmann::json* entry = &ExpectedErrorFile();
  for (const std::string& step : {std::string("calibrated"), std::string("by_gpu"), profile.name,
                                  std::string("by_case"), std::string("cases"), key})
    if (entry) entry = Member(*entry, step);  // the path stops where the file does
  if (!entry || Number(*entry, "mape") <= 0) return e;
  e.mape = Number(*entry, "mape");
  e.case_name = key;
  e.case_points = static_cast<int>(Number(*entry, "points"));
  e.how = "5-fold cross-validation by config on this GPU's measurements: its " +
          std::to_string(e.case_points) + " " + ToString(execution) + " points bound by the " +
          BoundOf(regime);
  return e;
}

std::string DescribeExpectedError(const HardwareProfile& profile, const ExpectedError& e) {
  const std::string figure = e.mape > 0 ? "about " + Percent(e.mape) : "unknown";
  if (profile.calibrated) return "calibrated; held-out error " + figure + " (" + e.how + ")";
  std::string basis;
  for (const std::string& b : profile.DatasheetBasis()) basis += (basis.empty() ? "" : ", ") + b;
  return "uncalibrated: " + basis + "; expect " + figure + " error (" + e.how + ")";
}

}  // namespace vitperf
