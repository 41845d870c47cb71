#include "model/vit_config.h"

#include <sstream>
#include <stdexcept>

#include "model/strict_json.h"

namespace vitperf {

bool ViTConfig::IsValid(std::string* why) const {
  auto fail = [&](const std::string& msg) {
    if (why) *why = msg;
    return false;
  };
  if (image_height <= 0 || image_width <= 0)
    return fail("resolution: must be a positive number of pixels");
  if (patch <= 0) return fail("patch: must be positive");
  if (image_height % patch != 0 || image_width % patch != 0)
    return fail("patch: " + std::to_string(patch) + " does not divide the image " +
                std::to_string(image_height) + "x" + std::to_string(image_width));
  if (channels <= 0) return fail("channels: must be positive");
  if (dim <= 0) return fail("dim: must be positive");
  if (depth <= 0) return fail("depth: must be positive");
  if (heads <= 0) return fail("heads: must be positive");
  if (dim % heads != 0)
    return fail("heads: " + std::to_string(heads) + " does not divide dim " + std::to_string(dim));
  if (!(mlp_ratio > 0.0) || MlpHidden() <= 0) return fail("mlp_ratio: must be positive");
  if (classes <= 0 && output == OutputKind::logits)
    return fail("classes: must be positive when output is logits");
  if (classes < 0) return fail("classes: must not be negative");
  if (pooling == Pooling::cls && !class_token && output != OutputKind::tokens)
    return fail("pooling: cls pooling needs class_token=true (or use pooling=mean)");
  return true;
}

std::string ViTConfig::Label() const {
  std::ostringstream s;
  s << name << " " << image_height;
  if (image_width != image_height) s << "x" << image_width;
  s << "px " << ToString(precision);
  return s.str();
}

void ValidateOrThrow(const ViTConfig& config) {
  std::string why;
  if (!config.IsValid(&why)) throw std::invalid_argument(why);
}

void to_json(nlohmann::json& j, const ViTConfig& c) {
  j = nlohmann::json{{"name", c.name},
                     {"image_height", c.image_height},
                     {"image_width", c.image_width},
                     {"patch", c.patch},
                     {"channels", c.channels},
                     {"dim", c.dim},
                     {"depth", c.depth},
                     {"heads", c.heads},
                     {"mlp_ratio", c.mlp_ratio},
                     {"classes", c.classes},
                     {"class_token", c.class_token},
                     {"pooling", c.pooling},
                     {"output", c.output},
                     {"precision", c.precision},
                     {"attention", c.attention}};
}

void from_json(const nlohmann::json& j, ViTConfig& c) {
  StrictObject o(j, "config");
  o.Optional("name", c.name)
      .Optional("image_height", c.image_height)
      .Optional("image_width", c.image_width)
      .Optional("patch", c.patch)
      .Optional("channels", c.channels)
      .Optional("dim", c.dim)
      .Optional("depth", c.depth)
      .Optional("heads", c.heads)
      .Optional("mlp_ratio", c.mlp_ratio)
      .Optional("classes", c.classes)
      .Optional("class_token", c.class_token)
      .Optional("pooling", c.pooling)
      .Optional("output", c.output)
      .Optional("precision", c.precision)
      .Optional("attention", c.attention);
  o.RejectUnknownKeys();
  ValidateOrThrow(c);
}

}  // namespace vitperf
