// `models` and `gpus` as output: the named presets with the timm zoo, and the shipped hardware
// profiles with their expected error; as tables or as JSON (schemas vitperf.models and
// vitperf.gpus). The command line and the Python module both print through these.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vitperf {

inline constexpr int kCatalogSchemaVersion = 1;

// `argv`: how the output was asked for, for the meta block.
nlohmann::json ModelsJson(const std::vector<std::string>& argv);
void PrintModels(std::ostream& out);
nlohmann::json GpusJson(const std::vector<std::string>& argv);
void PrintGpus(std::ostream& out);

}  // namespace vitperf
