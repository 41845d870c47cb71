// A Vision Transformer's architecture and numeric settings: the one spec every part of
// vitperf (analytical model, LibTorch module, fit, predictor) is built from.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/enum_names.h"
#include "model/precision.h"

namespace vitperf {

// "math" materialises the N x N score matrix per head; "fused" (flash / SDPA) does not.
enum class AttentionImpl { math, fused };
// What the model hands back to the host.
enum class OutputKind { logits, pooled, tokens };
enum class Pooling { cls, mean };

template <>
struct EnumNames<AttentionImpl> {
  static constexpr const char* kField = "attention";
  static constexpr std::array<std::pair<AttentionImpl, const char*>, 2> kNames{{
      {AttentionImpl::math, "math"},
      {AttentionImpl::fused, "fused"},
  }};
};
template <>
struct EnumNames<OutputKind> {
  static constexpr const char* kField = "output";
  static constexpr std::array<std::pair<OutputKind, const char*>, 3> kNames{{
      {OutputKind::logits, "logits"},
      {OutputKind::pooled, "pooled"},
      {OutputKind::tokens, "tokens"},
  }};
};
template <>
struct EnumNames<Pooling> {
  static constexpr const char* kField = "pooling";
  static constexpr std::array<std::pair<Pooling, const char*>, 2> kNames{{
      {Pooling::cls, "cls"},
      {Pooling::mean, "mean"},
  }};
};

VITPERF_ENUM_JSON(AttentionImpl)
VITPERF_ENUM_JSON(OutputKind)
VITPERF_ENUM_JSON(Pooling)

struct ViTConfig {
  std::string name = "custom";
  int image_height = 224;  // [pixels]
  int image_width = 224;   // [pixels]
  int patch = 16;          // [pixels] square patch side
  int channels = 3;
  int dim = 768;  // embedding width
  int depth = 12;
  int heads = 12;
  double mlp_ratio = 4.0;
  int classes = 1000;
  bool class_token = true;
  Pooling pooling = Pooling::cls;
  OutputKind output = OutputKind::logits;
  Precision precision = Precision::bf16;
  AttentionImpl attention = AttentionImpl::fused;

  int Patches() const { return (image_height / patch) * (image_width / patch); }
  int Tokens() const { return Patches() + (class_token ? 1 : 0); }
  int MlpHidden() const { return static_cast<int>(dim * mlp_ratio); }  // as timm: int(dim*ratio)
  int HeadDim() const { return dim / heads; }
  long long PixelsPerImage() const {
    return static_cast<long long>(channels) * image_height * image_width;
  }

  // True when the config describes a buildable ViT; otherwise *why names the field and the rule.
  bool IsValid(std::string* why) const;
  // Short human label: "vit_b16 224px bf16".
  std::string Label() const;
};

// Throws std::invalid_argument with IsValid's message.
void ValidateOrThrow(const ViTConfig& config);

void to_json(nlohmann::json& j, const ViTConfig& c);
// Unknown keys are rejected (a typo must not silently fall back to a default).
void from_json(const nlohmann::json& j, ViTConfig& c);

}  // namespace vitperf
