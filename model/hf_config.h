// A Hugging Face transformers config.json as a ViTConfig: ViTConfig ("vit"), CLIPVisionConfig
// ("clip_vision_model", or the vision_config of a "clip" config), Dinov2Config ("dinov2") and
// SiglipVisionConfig ("siglip_vision_model", or the vision_config of a "siglip" config). Fields
// a config.json leaves out take the transformers defaults of that config class.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/vit_config.h"

namespace vitperf {

// The model_type values accepted, for error messages: "vit, clip, clip_vision_model, ...".
std::string SupportedHuggingFaceTypes();

// Throws std::invalid_argument naming the field (or, for an unknown model_type, the supported
// ones). `source` names the file in the config's name and in errors.
ViTConfig ViTConfigFromHuggingFace(const nlohmann::json& config, const std::string& source);

}  // namespace vitperf
