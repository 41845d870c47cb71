// `regimes` as a result: the bounding regime of one model, pipeline and GPU over two axes, with
// the boundaries bisected on the model; printed as a letter grid or as JSON (schema
// vitperf.regimes). The printers only read the result: the map is computed once, before them.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/hardware_profile.h"
#include "model/pipeline_options.h"
#include "model/vit_config.h"
#include "predict/regime_map.h"

namespace vitperf {

inline constexpr int kRegimesSchemaVersion = 1;

struct RegimesResult {
  ViTConfig model;
  PipelineOptions options;
  HardwareProfile profile;
  int base_batch = 1;  // the batch of every cell when neither axis is the batch
  RegimeMap map;
  std::string plot_note;  // "plot: PATH" or "plot not rendered: WHY"; empty when none was asked
};

// `argv`: how the output was asked for, for the meta block.
nlohmann::json RegimesJson(const RegimesResult& result, const std::vector<std::string>& argv);
void PrintRegimes(std::ostream& out, const RegimesResult& result);

}  // namespace vitperf
