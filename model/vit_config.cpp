#include "model/vit_config.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "model/strict_json.h"

namespace vitperf {

bool ViTConfig::IsValid(std::string* why) const {
  auto fail = [&](const std::string& msg) {
    if (why) *why = msg;
    return false;
  };
  // Range checks first, each on the raw field, so that no count below is formed from a value
  // that could make it wrap.
  auto in_range = [&](const char* field, long long value, long long lo, long long hi,
                      const char* unit) {
    if (value >= lo && value <= hi) return true;
    fail(std::string(field) + ": " + std::to_string(value) + " is outside " + std::to_string(lo) +
         ".." + std::to_string(hi) + unit);
    return false;
  };
  if (image_height <= 0 || image_width <= 0)
    return fail("resolution: must be a positive number of pixels");
  if (!in_range("resolution", std::max(image_height, image_width), 1, ViTLimits::kMaxImageSide,
                " pixels"))
    return false;
  if (patch <= 0) return fail("patch: must be positive");
  if (!in_range("patch", patch, 1, ViTLimits::kMaxPatch, " pixels")) return false;
  if (image_height % patch != 0 || image_width % patch != 0)
    return fail("patch: " + std::to_string(patch) + " does not divide the image " +
                std::to_string(image_height) + "x" + std::to_string(image_width));
  if (channels <= 0) return fail("channels: must be positive");
  if (!in_range("channels", channels, 1, ViTLimits::kMaxChannels, "")) return false;
  if (dim <= 0) return fail("dim: must be positive");
  if (!in_range("dim", dim, 1, ViTLimits::kMaxWidth, "")) return false;
  if (depth <= 0) return fail("depth: must be positive");
  if (!in_range("depth", depth, 1, ViTLimits::kMaxDepth, "")) return false;
  if (heads <= 0) return fail("heads: must be positive");
  if (dim % heads != 0)
    return fail("heads: " + std::to_string(heads) + " does not divide dim " + std::to_string(dim));
  if (!in_range("register_tokens", register_tokens, 0, ViTLimits::kMaxRegisterTokens, ""))
    return false;
  const long long tokens = static_cast<long long>(image_height / patch) * (image_width / patch) +
                           (class_token ? 1 : 0) + register_tokens;
  if (tokens > ViTLimits::kMaxTokens)
    return fail("resolution: " + std::to_string(image_height) + "x" + std::to_string(image_width) +
                " at patch " + std::to_string(patch) + " makes " + std::to_string(tokens) +
                " tokens per image, over the limit of " + std::to_string(ViTLimits::kMaxTokens));
  if (mlp_hidden < 0) return fail("mlp_hidden: must not be negative (0: dim * mlp_ratio)");
  if (mlp_hidden == 0) {
    if (!(mlp_ratio > 0.0) || !(dim * mlp_ratio < ViTLimits::kMaxMlpHidden + 1.0) ||
        MlpHidden() <= 0)
      return fail("mlp_ratio: must be positive, with dim * mlp_ratio at most " +
                  std::to_string(ViTLimits::kMaxMlpHidden));
  } else if (!in_range("mlp_hidden", mlp_hidden, 1, ViTLimits::kMaxMlpHidden, "")) {
    return false;
  }
  if (classes <= 0 && output == OutputKind::logits)
    return fail("classes: must be positive when output is logits");
  if (classes < 0) return fail("classes: must not be negative");
  if (!in_range("classes", classes, 0, ViTLimits::kMaxClasses, "")) return false;
  if (pooling == Pooling::cls && !class_token && output != OutputKind::tokens)
    return fail("pooling: cls pooling needs class_token=true (or use pooling=mean or map)");
  if (final_norm == FinalNorm::pooled && pooling == Pooling::map)
    return fail(
        "final_norm: pooled is accepted with pooling cls or mean (map pools after its "
        "own norm; use final_norm=tokens or none)");
  if (rel_pos_bias && (!class_token || register_tokens > 0))
    return fail(
        "rel_pos_bias: the relative position bias (BEiT) needs class_token=true and no "
        "register_tokens");
  if (rope && HeadDim() % 4 != 0)
    return fail("rope: the head dim " + std::to_string(HeadDim()) +
                " must be a multiple of 4 for rotary embeddings");
  if (qk_norm && HeadDim() < 2) return fail("qk_norm: needs a head dim of at least 2");
  if (autocast && precision != Precision::fp16 && precision != Precision::bf16)
    return fail("autocast: runs at precision fp16 or bf16 (got " + ToString(precision) +
                "); without autocast use precision fp32 or tf32");
  return true;
}

std::string ViTConfig::Label() const {
  std::ostringstream s;
  s << name << " " << image_height;
  if (image_width != image_height) s << "x" << image_width;
  s << "px " << ToString(precision);
  if (autocast) s << " autocast";
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
  // Variants only where they differ from the original ViT: the JSON of every config that uses
  // none (the shipped presets, recorded measurements) stays as it was.
  const ViTConfig d;
  auto variant = [&](const char* key, const auto& value, const auto& default_value) {
    if (value != default_value) j[key] = value;
  };
  variant("autocast", c.autocast, d.autocast);
  variant("register_tokens", c.register_tokens, d.register_tokens);
  variant("mlp", c.mlp, d.mlp);
  variant("mlp_hidden", c.mlp_hidden, d.mlp_hidden);
  variant("mlp_norm", c.mlp_norm, d.mlp_norm);
  variant("layer_scale", c.layer_scale, d.layer_scale);
  variant("pre_norm", c.pre_norm, d.pre_norm);
  variant("patch_bias", c.patch_bias, d.patch_bias);
  variant("qk_norm", c.qk_norm, d.qk_norm);
  variant("qkv_bias", c.qkv_bias, d.qkv_bias);
  variant("qkv_fused", c.qkv_fused, d.qkv_fused);
  variant("pos_embed", c.pos_embed, d.pos_embed);
  variant("rope", c.rope, d.rope);
  variant("rel_pos_bias", c.rel_pos_bias, d.rel_pos_bias);
  variant("final_norm", c.final_norm, d.final_norm);
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
      .Optional("autocast", c.autocast)
      .Optional("attention", c.attention)
      .Optional("register_tokens", c.register_tokens)
      .Optional("mlp", c.mlp)
      .Optional("mlp_hidden", c.mlp_hidden)
      .Optional("mlp_norm", c.mlp_norm)
      .Optional("layer_scale", c.layer_scale)
      .Optional("pre_norm", c.pre_norm)
      .Optional("patch_bias", c.patch_bias)
      .Optional("qk_norm", c.qk_norm)
      .Optional("qkv_bias", c.qkv_bias)
      .Optional("qkv_fused", c.qkv_fused)
      .Optional("pos_embed", c.pos_embed)
      .Optional("rope", c.rope)
      .Optional("rel_pos_bias", c.rel_pos_bias)
      .Optional("final_norm", c.final_norm);
  o.RejectUnknownKeys();
  ValidateOrThrow(c);
}

}  // namespace vitperf
