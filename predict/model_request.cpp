#include "predict/model_request.h"

#include <cmath>

#include "model/hf_config.h"
#include "model/input_file.h"
#include "model/presets.h"
#include "model/strict_json.h"
#include "predict/int_list.h"

namespace vitperf {

namespace {

// A whole decimal integer in [lo, hi], or an error naming the flag and the range.
int ParseIntFlag(const char* flag, const std::string& text, long long lo, long long hi) {
  size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size())
    throw std::invalid_argument(std::string(flag) + ": '" + text +
                                "' is not an integer (accepted: " + std::to_string(lo) + ".." +
                                std::to_string(hi) + ")");
  if (value < lo || value > hi)
    throw std::invalid_argument(std::string(flag) + ": " + text + " is outside " +
                                std::to_string(lo) + ".." + std::to_string(hi));
  return static_cast<int>(value);
}

double ParsePositiveFlag(const char* flag, const std::string& text) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || !(value > 0) || !std::isfinite(value))
    throw std::invalid_argument(std::string(flag) + ": '" + text +
                                "' is not a positive finite number");
  return value;
}

bool ParseSwitch(const char* flag, const std::string& text) {
  if (text == "on" || text == "true" || text == "yes" || text == "1") return true;
  if (text == "off" || text == "false" || text == "no" || text == "0") return false;
  throw std::invalid_argument(std::string(flag) + ": '" + text + "' is not one of on, off");
}

}  // namespace

ViTConfig ResolveModel(const ModelRequest& f) {
  const int sources = (f.model_given ? 1 : 0) + (f.config_file.empty() ? 0 : 1) +
                      (f.hf_config_file.empty() ? 0 : 1) + (f.config ? 1 : 0);
  if (sources > 1)
    throw std::invalid_argument(
        "model: give one of --model, --config and --hf-config (a second would be ignored)");
  ViTConfig c;
  if (f.config) {
    c = *f.config;
  } else if (!f.config_file.empty()) {
    c = ParseStrictJson(ReadInputFile(f.config_file, "config", kMaxSpecFileBytes),
                        "config '" + f.config_file + "'")
            .get<ViTConfig>();
  } else if (!f.hf_config_file.empty()) {
    c = ViTConfigFromHuggingFace(
        ParseStrictJson(ReadInputFile(f.hf_config_file, "hf-config", kMaxSpecFileBytes),
                        "hf-config '" + f.hf_config_file + "'"),
        f.hf_config_file);
  } else {
    c = PresetByName(f.model);
  }
  using L = ViTLimits;
  if (f.res) c.image_height = c.image_width = ParseIntFlag("res", *f.res, 1, L::kMaxImageSide);
  if (f.height) c.image_height = ParseIntFlag("height", *f.height, 1, L::kMaxImageSide);
  if (f.width) c.image_width = ParseIntFlag("width", *f.width, 1, L::kMaxImageSide);
  if (f.patch) c.patch = ParseIntFlag("patch", *f.patch, 1, L::kMaxPatch);
  if (f.dim) {
    c.dim = ParseIntFlag("dim", *f.dim, 1, L::kMaxWidth);
    if (!f.heads) c.heads = std::max(1, c.dim / 64);  // ViT convention: 64-wide heads
  }
  if (f.depth) c.depth = ParseIntFlag("depth", *f.depth, 1, L::kMaxDepth);
  if (f.heads) c.heads = ParseIntFlag("heads", *f.heads, 1, L::kMaxWidth);
  if (f.mlp_ratio) {
    c.mlp_ratio = ParsePositiveFlag("mlp-ratio", *f.mlp_ratio);
    c.mlp_hidden = 0;  // the ratio given replaces the preset's explicit width
  }
  if (f.mlp_hidden) c.mlp_hidden = ParseIntFlag("mlp-hidden", *f.mlp_hidden, 1, L::kMaxMlpHidden);
  if (f.classes) c.classes = ParseIntFlag("classes", *f.classes, 0, L::kMaxClasses);
  if (f.registers)
    c.register_tokens = ParseIntFlag("registers", *f.registers, 0, L::kMaxRegisterTokens);
  if (!f.precision.empty()) c.precision = ParseEnumOrThrow<Precision>(f.precision);
  if (!f.autocast.empty()) c.autocast = ParseSwitch("autocast", f.autocast);
  if (!f.attention.empty()) c.attention = ParseEnumOrThrow<AttentionImpl>(f.attention);
  if (!f.output.empty()) c.output = ParseEnumOrThrow<OutputKind>(f.output);
  if (!f.class_token.empty()) c.class_token = ParseSwitch("class-token", f.class_token);
  if (!f.pooling.empty()) c.pooling = ParseEnumOrThrow<Pooling>(f.pooling);
  if (!f.mlp.empty()) c.mlp = ParseEnumOrThrow<MlpKind>(f.mlp);
  if (!f.mlp_norm.empty()) c.mlp_norm = ParseSwitch("mlp-norm", f.mlp_norm);
  if (!f.layer_scale.empty()) c.layer_scale = ParseSwitch("layer-scale", f.layer_scale);
  if (!f.pre_norm.empty()) c.pre_norm = ParseSwitch("pre-norm", f.pre_norm);
  if (!f.patch_bias.empty()) c.patch_bias = ParseSwitch("patch-bias", f.patch_bias);
  if (!f.qk_norm.empty()) c.qk_norm = ParseSwitch("qk-norm", f.qk_norm);
  if (!f.qkv_bias.empty()) c.qkv_bias = ParseEnumOrThrow<QkvBias>(f.qkv_bias);
  if (!f.qkv_fused.empty()) c.qkv_fused = ParseSwitch("qkv-fused", f.qkv_fused);
  if (!f.pos_embed.empty()) c.pos_embed = ParseEnumOrThrow<PosEmbed>(f.pos_embed);
  if (!f.rope.empty()) c.rope = ParseSwitch("rope", f.rope);
  if (!f.rel_pos_bias.empty()) c.rel_pos_bias = ParseSwitch("rel-pos-bias", f.rel_pos_bias);
  if (!f.final_norm.empty()) c.final_norm = ParseEnumOrThrow<FinalNorm>(f.final_norm);
  // A modified preset is no longer the published model: mark it so tables don't mislead.
  const bool architecture_changed =
      f.patch || f.dim || f.depth || f.heads || f.mlp_ratio || f.mlp_hidden || f.registers ||
      !(f.class_token + f.pooling + f.mlp + f.mlp_norm + f.layer_scale + f.pre_norm + f.patch_bias +
        f.qk_norm + f.qkv_bias + f.qkv_fused + f.pos_embed + f.rope + f.rel_pos_bias + f.final_norm)
           .empty();
  if (architecture_changed) c.name += "*";
  ValidateOrThrow(c);
  return c;
}

PipelineOptions ResolvePipeline(const PipelineRequest& f, PipelineMode default_mode) {
  PipelineOptions o;
  o.pipeline = default_mode;
  if (!f.execution.empty()) o.execution = ParseEnumOrThrow<ExecutionMode>(f.execution);
  if (!f.compile_mode.empty()) o.compile_mode = ParseEnumOrThrow<CompileMode>(f.compile_mode);
  if (!f.input.empty()) o.input = ParseEnumOrThrow<InputFormat>(f.input);
  if (!f.host_memory.empty()) o.host_memory = ParseEnumOrThrow<HostMemory>(f.host_memory);
  if (!f.pipeline.empty()) o.pipeline = ParseEnumOrThrow<PipelineMode>(f.pipeline);
  if (!f.numa.empty()) o.numa = ParseEnumOrThrow<NumaBinding>(f.numa);
  if (!f.start.empty()) o.start = ParseEnumOrThrow<ImageStart>(f.start);
  if (o.pipeline == PipelineMode::overlapped) o.queue_depth = 2;
  if (f.queue_depth) o.queue_depth = *f.queue_depth;
  if (f.producer_threads) o.producer_threads = *f.producer_threads;
  o.compute_only = f.compute_only;
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  return o;
}

std::vector<int> ParseBatchList(const std::string& text) {
  return ParsePositiveIntList(text, "batch", 1 << 24, "--batch 1,8,64");
}

std::string DescribePipeline(const PipelineOptions& o) {
  if (o.compute_only) return "forward pass only, input already on the device";
  std::string s = o.input == InputFormat::uint8 ? "uint8 pixels normalised on the device"
                                                : "float32 prepared on the host";
  s += ", " + ToString(o.host_memory) + " host memory, " + ToString(o.execution);
  if (o.execution == ExecutionMode::compiled) s += " (" + ToString(o.compile_mode) + ")";
  s += ", ";
  s += o.pipeline == PipelineMode::sequential
           ? "sequential"
           : "overlapped (queue depth " + std::to_string(o.queue_depth) + ")";
  if (o.numa != NumaBinding::none) s += ", NUMA " + ToString(o.numa);
  if (o.start == ImageStart::pinned) s += ", images decoded into pinned memory (nothing staged)";
  return s;
}

}  // namespace vitperf
