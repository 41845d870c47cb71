// Named ViT presets matching timm's models (architecture only; weights are never loaded).
#pragma once

#include <string>
#include <vector>

#include "model/vit_config.h"

namespace vitperf {

struct ModelPreset {
  const char* name;       // vitperf's short name, e.g. "vit_b16"
  const char* timm_name;  // the timm model it mirrors, e.g. "vit_base_patch16_224"
  ViTConfig config;       // at its usual resolution, 1000 classes, bf16, fused attention
};

const std::vector<ModelPreset>& ModelPresets();

// Accepts the short name or the timm name of a preset, or the timm name (with or without its
// pretrained tag) of a model in the timm zoo (model/timm_zoo.h). Throws std::invalid_argument
// naming the closest names when the name is unknown.
ViTConfig PresetByName(const std::string& name);

}  // namespace vitperf
