// A paragraph, for people, on what bounds a prediction and what would move it.
#pragma once

#include <string>

#include "model/evaluate.h"
#include "model/hardware_profile.h"
#include "model/vit_config.h"

namespace vitperf {

std::string ExplainBottleneck(const ViTConfig& config, const PipelineOptions& options,
                              const HardwareProfile& profile, const Prediction& p);

}  // namespace vitperf
