// A GPU's calibration, kept apart from its datasheet: data/calibration/<gpu>.json (schema
// "vitperf.calibration") holds each fitted coefficient once (value, standard error, prior,
// informed by the data or not) and a summary of the fit that produced it (input files by hash
// and record count, dropped points counted by reason, solver outcome, error by kind). The
// datasheet file (data/hardware/<gpu>.json) holds the figures and the architecture.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/hardware_profile.h"

namespace vitperf {

inline constexpr const char* kCalibrationSchema = "vitperf.calibration";
inline constexpr int kCalibrationSchemaVersion = 1;

bool IsCalibrationJson(const nlohmann::json& j);

// The calibration file's content for a calibrated profile. `gpu` names the datasheet: a shipped
// profile's name, or a path to its file.
nlohmann::json CalibrationJson(const HardwareProfile& profile, const std::string& gpu);

// Applies a calibration file's coefficients and fit summary to its datasheet profile. Throws
// std::invalid_argument naming the field (context: the file).
void ApplyCalibration(const nlohmann::json& j, const std::string& context,
                      HardwareProfile* datasheet);

// The datasheet a calibration file names in "gpu" (a shipped name, or a path relative to the
// calibration file's folder).
std::string CalibrationDatasheet(const nlohmann::json& j, const std::string& calibration_path);

}  // namespace vitperf
