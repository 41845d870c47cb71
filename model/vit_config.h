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
// cls: the class token; mean: average of the patch tokens (timm's "avg"); map: an attention-pool
// head with one learned query (timm's AttentionPoolLatent, SigLIP).
enum class Pooling { cls, mean, map };
// gelu: fc1 -> GELU -> fc2. swiglu_packed: one up-projection of twice the hidden width, split into
// gate and value (timm's SwiGLUPacked, DINOv2-g). swiglu: separate gate and value projections
// (timm's SwiGLU, EVA02).
enum class MlpKind { gelu, swiglu_packed, swiglu };
// Biases of the q, k, v projections: all three; q and v only (BEiT, EVA: k's is fixed at zero);
// none (timm's qkv_bias=False).
enum class QkvBias { qkv, qv, none };
// Learned absolute position embedding over every token (prefix included), over the patch tokens
// only (timm's no_embed_class, DeiT-III, DINOv2 with registers), or none (BEiT, which has a
// relative position bias instead).
enum class PosEmbed { learned, patches, none };
// Where the last LayerNorm runs: over every token (timm's norm), over the pooled feature (timm's
// fc_norm, BEiT and EVA with average pooling), or nowhere.
enum class FinalNorm { tokens, pooled, none };

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
  static constexpr std::array<std::pair<Pooling, const char*>, 3> kNames{{
      {Pooling::cls, "cls"},
      {Pooling::mean, "mean"},
      {Pooling::map, "map"},
  }};
};
template <>
struct EnumNames<MlpKind> {
  static constexpr const char* kField = "mlp";
  static constexpr std::array<std::pair<MlpKind, const char*>, 3> kNames{{
      {MlpKind::gelu, "gelu"},
      {MlpKind::swiglu_packed, "swiglu_packed"},
      {MlpKind::swiglu, "swiglu"},
  }};
};
template <>
struct EnumNames<QkvBias> {
  static constexpr const char* kField = "qkv_bias";
  static constexpr std::array<std::pair<QkvBias, const char*>, 3> kNames{{
      {QkvBias::qkv, "qkv"},
      {QkvBias::qv, "qv"},
      {QkvBias::none, "none"},
  }};
};
template <>
struct EnumNames<PosEmbed> {
  static constexpr const char* kField = "pos_embed";
  static constexpr std::array<std::pair<PosEmbed, const char*>, 3> kNames{{
      {PosEmbed::learned, "learned"},
      {PosEmbed::patches, "patches"},
      {PosEmbed::none, "none"},
  }};
};
template <>
struct EnumNames<FinalNorm> {
  static constexpr const char* kField = "final_norm";
  static constexpr std::array<std::pair<FinalNorm, const char*>, 3> kNames{{
      {FinalNorm::tokens, "tokens"},
      {FinalNorm::pooled, "pooled"},
      {FinalNorm::none, "none"},
  }};
};

VITPERF_ENUM_JSON(AttentionImpl)
VITPERF_ENUM_JSON(OutputKind)
VITPERF_ENUM_JSON(Pooling)
VITPERF_ENUM_JSON(MlpKind)
VITPERF_ENUM_JSON(QkvBias)
VITPERF_ENUM_JSON(PosEmbed)
VITPERF_ENUM_JSON(FinalNorm)

// Upper bounds that keep every count of a valid config inside 64-bit integers (and every per-image
// token or width count inside int), so that no product in the model can wrap around. The token
// bound leaves room for `vitperf laws`, whose resolution search reaches 65536 px at patch 8
// (2^26 tokens).
struct ViTLimits {
  static constexpr long long kMaxImageSide = 1 << 20;  // [pixels]
  static constexpr long long kMaxTokens = 1 << 28;     // per image, prefix tokens included
  static constexpr long long kMaxWidth = 1 << 16;      // dim
  static constexpr long long kMaxMlpHidden = 1 << 20;  // MLP hidden width
  static constexpr long long kMaxDepth = 1 << 12;      // blocks
  static constexpr long long kMaxPatch = 1 << 12;      // [pixels]
  static constexpr long long kMaxChannels = 1 << 12;   // input channels
  static constexpr long long kMaxClasses = 1 << 24;    // head outputs
  static constexpr long long kMaxRegisterTokens = 1 << 12;
};

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
  // Automatic mixed precision (PyTorch's torch.autocast, timm's --amp): fp32 parameters and an
  // fp32 residual stream, matrix products and attention in `precision` (fp16 or bf16) on copies
  // cast at every call, LayerNorm and softmax in fp32. JSON carries it only when on.
  bool autocast = false;
  AttentionImpl attention = AttentionImpl::fused;
  // Architecture variants (timm's VisionTransformer, Eva and Beit arguments in brackets). The
  // defaults are the original ViT; JSON carries a variant only when it differs from its default.
  int register_tokens = 0;          // learned prefix tokens beside the class token [reg_tokens]
  MlpKind mlp = MlpKind::gelu;      // [mlp_layer]
  int mlp_hidden = 0;               // width fc2 reads; 0: int(dim * mlp_ratio)
  bool mlp_norm = false;            // LayerNorm over the hidden width [scale_mlp]
  bool layer_scale = false;         // per-channel scale of each branch [init_values]
  bool pre_norm = false;            // LayerNorm before the blocks (CLIP) [pre_norm]
  bool patch_bias = true;           // patch-embedding conv bias [not pre_norm]
  bool qk_norm = false;             // LayerNorm of q and k over the head dim [qk_norm]
  QkvBias qkv_bias = QkvBias::qkv;  // [qkv_bias]
  bool qkv_fused = true;            // one qkv projection, or q, k, v apart [qkv_fused]
  PosEmbed pos_embed = PosEmbed::learned;  // [no_embed_class, use_abs_pos_emb]
  bool rope = false;                       // rotary embedding of q and k (EVA02) [use_rot_pos_emb]
  bool rel_pos_bias = false;               // per-block relative position bias (BEiT)
  FinalNorm final_norm = FinalNorm::tokens;  // [fc_norm]

  // Per-image counts. IsValid bounds them (ViTLimits), so for a valid config none wraps.
  int GridHeight() const { return image_height / patch; }
  int GridWidth() const { return image_width / patch; }
  int Patches() const { return GridHeight() * GridWidth(); }
  int PrefixTokens() const { return (class_token ? 1 : 0) + register_tokens; }
  int Tokens() const { return Patches() + PrefixTokens(); }
  // Tokens the learned position embedding covers.
  int PositionTokens() const {
    return pos_embed == PosEmbed::learned ? Tokens()
                                          : (pos_embed == PosEmbed::patches ? Patches() : 0);
  }
  int MlpHidden() const {  // as timm: int(dim * ratio) unless given
    return mlp_hidden > 0 ? mlp_hidden : static_cast<int>(dim * mlp_ratio);
  }
  int HeadDim() const { return dim / heads; }
  // [bytes] per element of the images the forward pass takes: its precision's, fp32 under
  // autocast (the model is an fp32 model).
  double InputElementBytes() const { return autocast ? 4.0 : ElementBytes(precision); }
  // Relative distances BEiT's bias table holds: (2 Gh - 1)(2 Gw - 1) plus class-to-token,
  // token-to-class and class-to-class.
  long long RelativeDistances() const {
    return (2LL * GridHeight() - 1) * (2LL * GridWidth() - 1) + 3;
  }
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
