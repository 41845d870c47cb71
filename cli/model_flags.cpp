#include "cli/model_flags.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "model/hf_config.h"
#include "cli/int_list.h"
#include "model/input_file.h"
#include "model/presets.h"
#include "model/strict_json.h"

namespace vitperf::cli {

void AddModelFlags(CLI::App* c, ModelFlags* f) {
  c->add_option("--model,-m", f->model, "model preset, or timm name (see `vitperf models`)")
      ->capture_default_str()
      ->each([f](const std::string&) { f->model_given = true; });
  c->add_option("--config", f->config_file, "ViT config JSON file (instead of --model)");
  c->add_option(
      "--hf-config", f->hf_config_file,
      "Hugging Face config.json: vit, clip(_vision_model), dinov2, siglip(_vision_model)");
  c->add_option("--res", f->res, "input resolution [pixels], square");
  c->add_option("--height", f->height, "input height [pixels] (non-square images)");
  c->add_option("--width", f->width, "input width [pixels] (non-square images)");
  c->add_option("--patch", f->patch, "patch size [pixels]");
  c->add_option("--dim", f->dim, "embedding width");
  c->add_option("--depth", f->depth, "number of blocks");
  c->add_option("--heads", f->heads, "attention heads (default: unchanged, or dim/64 with --dim)");
  c->add_option("--mlp-ratio", f->mlp_ratio, "MLP hidden width over embedding width");
  c->add_option("--mlp-hidden", f->mlp_hidden, "MLP hidden width (overrides --mlp-ratio)");
  c->add_option("--classes", f->classes, "classifier outputs");
  c->add_option("--precision,-p", f->precision, "fp32, tf32, fp16 or bf16 (default bf16)");
  c->add_option("--attention", f->attention, "fused (flash/SDPA) or math (default fused)");
  c->add_option("--output", f->output, "logits, pooled or tokens (default logits)");
  c->add_option("--class-token", f->class_token, "on or off");
  c->add_option("--registers", f->registers, "register tokens (DINOv2 reg4: 4)");
  c->add_option("--pooling", f->pooling, "cls, mean or map (attention-pool head, SigLIP)");
  c->add_option("--mlp", f->mlp, "gelu, swiglu_packed (DINOv2-g) or swiglu (EVA02)");
  c->add_option("--mlp-norm", f->mlp_norm, "on or off: LayerNorm over the MLP hidden width");
  c->add_option("--layer-scale", f->layer_scale, "on or off");
  c->add_option("--pre-norm", f->pre_norm, "on or off: LayerNorm before the blocks (CLIP)");
  c->add_option("--patch-bias", f->patch_bias, "on or off: patch-embedding bias");
  c->add_option("--qk-norm", f->qk_norm, "on or off: LayerNorm of q and k");
  c->add_option("--qkv-bias", f->qkv_bias, "qkv, qv (BEiT, EVA) or none");
  c->add_option("--qkv-fused", f->qkv_fused, "on or off: one qkv projection or three");
  c->add_option("--pos-embed", f->pos_embed, "learned, patches (no_embed_class) or none");
  c->add_option("--rope", f->rope, "on or off: rotary position embedding (EVA02)");
  c->add_option("--rel-pos-bias", f->rel_pos_bias, "on or off: relative position bias (BEiT)");
  c->add_option("--final-norm", f->final_norm, "tokens, pooled (fc_norm) or none");
}

void AddPipelineFlags(CLI::App* c, PipelineFlags* f) {
  c->add_option("--execution", f->execution, "eager, graph or compiled (default eager)");
  c->add_option("--input", f->input, "uint8 (normalised on the GPU) or float32 (default uint8)");
  c->add_option("--host-memory", f->host_memory, "pinned or pageable (default pinned)");
  c->add_option("--pipeline", f->pipeline, "sequential or overlapped (default sequential)");
  c->add_option("--queue-depth", f->queue_depth, "batches in flight when overlapped (default 2)");
  c->add_option("--numa", f->numa, "none, local or remote (default none)");
  c->add_option("--producer-threads", f->producer_threads, "host threads preparing batches");
  c->add_flag("--compute-only", f->compute_only,
              "forward pass only, on device-resident input (what timm's benchmark reports)");
}

void AddGpuFlags(CLI::App* c, GpuFlags* f) {
  c->add_option("--gpu,-g", f->gpu, "GPU profile name, alias or JSON file (see `vitperf gpus`)")
      ->capture_default_str();
}

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

ViTConfig ResolveModel(const ModelFlags& f) {
  const int sources = (f.model_given ? 1 : 0) + (f.config_file.empty() ? 0 : 1) +
                      (f.hf_config_file.empty() ? 0 : 1);
  if (sources > 1)
    throw std::invalid_argument(
        "model: give one of --model, --config and --hf-config (a second would be ignored)");
  ViTConfig c;
  if (!f.config_file.empty()) {
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

PipelineOptions ResolvePipeline(const PipelineFlags& f) {
  PipelineOptions o;
  if (!f.execution.empty()) o.execution = ParseEnumOrThrow<ExecutionMode>(f.execution);
  if (!f.input.empty()) o.input = ParseEnumOrThrow<InputFormat>(f.input);
  if (!f.host_memory.empty()) o.host_memory = ParseEnumOrThrow<HostMemory>(f.host_memory);
  if (!f.pipeline.empty()) o.pipeline = ParseEnumOrThrow<PipelineMode>(f.pipeline);
  if (!f.numa.empty()) o.numa = ParseEnumOrThrow<NumaBinding>(f.numa);
  if (o.pipeline == PipelineMode::overlapped) o.queue_depth = 2;
  if (f.queue_depth) o.queue_depth = *f.queue_depth;
  if (f.producer_threads) o.producer_threads = *f.producer_threads;
  o.compute_only = f.compute_only;
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  return o;
}

HardwareProfile ResolveGpu(const GpuFlags& f) { return LoadProfile(f.gpu); }

std::vector<int> ParseBatchList(const std::string& text) {
  return ParsePositiveIntList(text, "batch", 1 << 24, "--batch 1,8,64");
}

std::string DescribePipeline(const PipelineOptions& o) {
  if (o.compute_only) return "forward pass only, input already on the device";
  std::string s = o.input == InputFormat::uint8 ? "uint8 pixels normalised on the device"
                                                : "float32 prepared on the host";
  s += ", " + ToString(o.host_memory) + " host memory, " + ToString(o.execution) + ", ";
  s += o.pipeline == PipelineMode::sequential
           ? "sequential"
           : "overlapped (queue depth " + std::to_string(o.queue_depth) + ")";
  if (o.numa != NumaBinding::none) s += ", NUMA " + ToString(o.numa);
  return s;
}

}  // namespace vitperf::cli
