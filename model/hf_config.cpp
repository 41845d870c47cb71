#include "model/hf_config.h"

#include <array>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace vitperf {
namespace {

constexpr std::array<const char*, 6> kTypes = {"vit",    "clip",   "clip_vision_model",
                                               "dinov2", "siglip", "siglip_vision_model"};

// Reads fields of one config object; absent fields keep the transformers default given.
class HfFields {
 public:
  HfFields(const nlohmann::json& j, std::string context) : j_(j), context_(std::move(context)) {}

  int Int(const char* key, int default_value) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return default_value;
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > (1LL << 30))
      throw std::invalid_argument(context_ + "." + key + ": " + it->dump() +
                                  " is not an integer in 0..1073741824");
    return it->get<int>();
  }
  double Number(const char* key, double default_value) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return default_value;
    if (!it->is_number() || !std::isfinite(it->get<double>()))
      throw std::invalid_argument(context_ + "." + key + ": " + it->dump() + " is not a number");
    return it->get<double>();
  }
  bool Bool(const char* key, bool default_value) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return default_value;
    if (!it->is_boolean())
      throw std::invalid_argument(context_ + "." + key + ": " + it->dump() + " is not true/false");
    return it->get<bool>();
  }
  // image_size and patch_size may be an integer or a [height, width] pair.
  std::pair<int, int> Size(const char* key, int default_value) const {
    auto it = j_.find(key);
    if (it != j_.end() && it->is_array()) {
      if (it->size() != 2 || !(*it)[0].is_number_integer() || !(*it)[1].is_number_integer())
        throw std::invalid_argument(context_ + "." + key + ": expected an integer or [h, w]");
      return {(*it)[0].get<int>(), (*it)[1].get<int>()};
    }
    const int v = Int(key, default_value);
    return {v, v};
  }
  bool Has(const char* key) const { return j_.contains(key); }
  const nlohmann::json& json() const { return j_; }
  const std::string& context() const { return context_; }

 private:
  const nlohmann::json& j_;
  std::string context_;
};

// The fields every supported config shares, with the config class's defaults.
void ReadCommon(const HfFields& f, int default_patch, ViTConfig* c) {
  const auto image = f.Size("image_size", 224);
  const auto patch = f.Size("patch_size", default_patch);
  if (patch.first != patch.second)
    throw std::invalid_argument(f.context() + ".patch_size: non-square patches are not supported");
  if (patch.first <= 0) throw std::invalid_argument(f.context() + ".patch_size: must be positive");
  // The stride-p patch convolution reads whole patches only (SigLIP So400m/14 at 384 px sees
  // 27 x 14 = 378 px): the config describes the pixels the model reads.
  c->image_height = image.first / patch.first * patch.first;
  c->image_width = image.second / patch.first * patch.first;
  c->patch = patch.first;
  c->channels = f.Int("num_channels", 3);
  c->dim = f.Int("hidden_size", 768);
  c->depth = f.Int("num_hidden_layers", 12);
  c->heads = f.Int("num_attention_heads", 12);
}

// Classification head: the labels of a *ForImageClassification checkpoint.
void ReadHead(const HfFields& f, ViTConfig* c) {
  bool classifier = false;
  if (auto it = f.json().find("architectures"); it != f.json().end() && it->is_array())
    for (const auto& a : *it)
      classifier |=
          a.is_string() && a.get<std::string>().find("ForImageClassification") != std::string::npos;
  auto labels = f.json().find("id2label");
  if (classifier && labels != f.json().end() && labels->is_object() && !labels->empty()) {
    c->output = OutputKind::logits;
    c->classes = static_cast<int>(labels->size());
  } else {
    c->output = OutputKind::pooled;
    c->classes = 0;
  }
}

ViTConfig FromVit(const HfFields& f) {
  ViTConfig c;
  ReadCommon(f, 16, &c);
  c.mlp_hidden = f.Int("intermediate_size", 3072);
  c.qkv_bias = f.Bool("qkv_bias", true) ? QkvBias::qkv : QkvBias::none;
  ReadHead(f, &c);
  return c;
}

// CLIP's vision tower: pre_layrnorm before the blocks, no patch bias, post_layernorm on the
// class token only.
ViTConfig FromClipVision(const HfFields& f) {
  ViTConfig c;
  ReadCommon(f, 32, &c);
  c.mlp_hidden = f.Int("intermediate_size", 3072);
  c.pre_norm = true;
  c.patch_bias = false;
  c.final_norm = FinalNorm::pooled;
  c.output = OutputKind::pooled;
  c.classes = 0;
  return c;
}

// DINOv2: layer scale, optional packed SwiGLU whose hidden width transformers rounds as
// (int(2/3 * dim * mlp_ratio) + 7) // 8 * 8.
ViTConfig FromDinov2(const HfFields& f) {
  ViTConfig c;
  ReadCommon(f, 16, &c);
  const double ratio = f.Number("mlp_ratio", 4.0);
  if (!(ratio > 0)) throw std::invalid_argument(f.context() + ".mlp_ratio: must be positive");
  const int hidden = static_cast<int>(c.dim * ratio);
  if (f.Bool("use_swiglu_ffn", false)) {
    c.mlp = MlpKind::swiglu_packed;
    c.mlp_hidden = (static_cast<int>(hidden * 2 / 3.0) + 7) / 8 * 8;
  } else {
    c.mlp_hidden = hidden;
  }
  c.qkv_bias = f.Bool("qkv_bias", true) ? QkvBias::qkv : QkvBias::none;
  c.layer_scale = true;
  ReadHead(f, &c);
  return c;
}

// SigLIP's vision tower: no class token, post_layernorm over the tokens, then the attention-pool
// head (vision_use_head, default true).
ViTConfig FromSiglipVision(const HfFields& f) {
  ViTConfig c;
  ReadCommon(f, 16, &c);
  c.mlp_hidden = f.Int("intermediate_size", 3072);
  c.class_token = false;
  c.pooling = f.Bool("vision_use_head", true) ? Pooling::map : Pooling::mean;
  c.output = OutputKind::pooled;
  c.classes = 0;
  return c;
}

}  // namespace

std::string SupportedHuggingFaceTypes() {
  std::string out;
  for (const char* t : kTypes) out += (out.empty() ? "" : ", ") + std::string(t);
  return out;
}

ViTConfig ViTConfigFromHuggingFace(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw std::invalid_argument("hf-config: " + source + " is not a JSON object");
  auto type_it = j.find("model_type");
  if (type_it == j.end() || !type_it->is_string())
    throw std::invalid_argument("hf-config: " + source + " has no model_type (supported: " +
                                SupportedHuggingFaceTypes() + ")");
  const std::string type = type_it->get<std::string>();
  const std::string context = "hf-config " + source;
  auto vision = [&](const char* outer) -> const nlohmann::json& {
    auto it = j.find("vision_config");
    if (it == j.end() || !it->is_object())
      throw std::invalid_argument(context + ": a '" + std::string(outer) +
                                  "' config needs a vision_config object");
    return *it;
  };
  ViTConfig c;
  if (type == "vit") {
    c = FromVit(HfFields(j, context));
  } else if (type == "clip_vision_model") {
    c = FromClipVision(HfFields(j, context));
  } else if (type == "clip") {
    c = FromClipVision(HfFields(vision("clip"), context + ".vision_config"));
  } else if (type == "dinov2") {
    c = FromDinov2(HfFields(j, context));
  } else if (type == "siglip_vision_model") {
    c = FromSiglipVision(HfFields(j, context));
  } else if (type == "siglip") {
    c = FromSiglipVision(HfFields(vision("siglip"), context + ".vision_config"));
  } else {
    throw std::invalid_argument("hf-config: model_type '" + type +
                                "' is not supported (supported: " + SupportedHuggingFaceTypes() +
                                ")");
  }
  // Named by the checkpoint it came from where the file says so, else by the file
  // (".../clip-vit-large-patch14/config.json" by its folder).
  const std::filesystem::path path(source);
  std::string name =
      path.stem() == "config" ? path.parent_path().filename().string() : path.stem().string();
  if (auto it = j.find("_name_or_path"); it != j.end() && it->is_string() && !it->empty())
    name = it->get<std::string>();
  c.name = "hf:" + name;
  std::string why;
  if (!c.IsValid(&why)) throw std::invalid_argument(context + ": " + why);
  return c;
}

}  // namespace vitperf
