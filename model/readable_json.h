// JSON written for people as well as programs: objects and arrays are broken into lines down to
// a depth, but an object or array of plain values stays on one line, so a calibration reads one
// coefficient or one input file per line instead of one number per line.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vitperf {

std::string ReadableJson(const nlohmann::json& j, int expand_depth = 4);

}  // namespace vitperf
