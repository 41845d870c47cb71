#include "cli/model_flags.h"

#include <fstream>
#include <sstream>

#include "cli/int_list.h"
#include "model/input_file.h"
#include "model/presets.h"
#include "model/strict_json.h"

namespace vitperf::cli {

void AddModelFlags(CLI::App* c, ModelFlags* f) {
  c->add_option("--model,-m", f->model,
                "model preset or timm name (see `vitperf models`)")
      ->capture_default_str();
  c->add_option("--config", f->config_file, "ViT config JSON file (instead of --model)");
  c->add_option("--res", f->res, "input resolution [pixels], square");
  c->add_option("--patch", f->patch, "patch size [pixels]");
  c->add_option("--dim", f->dim, "embedding width");
  c->add_option("--depth", f->depth, "number of blocks");
  c->add_option("--heads", f->heads, "attention heads (default: unchanged, or dim/64 with --dim)");
  c->add_option("--mlp-ratio", f->mlp_ratio, "MLP hidden width over embedding width");
  c->add_option("--classes", f->classes, "classifier outputs");
  c->add_option("--precision,-p", f->precision, "fp32, tf32, fp16 or bf16 (default bf16)");
  c->add_option("--attention", f->attention, "fused (flash/SDPA) or math (default fused)");
  c->add_option("--output", f->output, "logits, pooled or tokens (default logits)");
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

ViTConfig ResolveModel(const ModelFlags& f) {
  ViTConfig c;
  if (!f.config_file.empty()) {
    c = ParseStrictJson(ReadInputFile(f.config_file, "config", kMaxSpecFileBytes),
                        "config '" + f.config_file + "'")
            .get<ViTConfig>();
  } else {
    c = PresetByName(f.model);
  }
  if (f.res) c.image_height = c.image_width = *f.res;
  if (f.patch) c.patch = *f.patch;
  if (f.dim) {
    c.dim = *f.dim;
    if (!f.heads) c.heads = std::max(1, *f.dim / 64);  // ViT convention: 64-wide heads
  }
  if (f.depth) c.depth = *f.depth;
  if (f.heads) c.heads = *f.heads;
  if (f.mlp_ratio) c.mlp_ratio = *f.mlp_ratio;
  if (f.classes) c.classes = *f.classes;
  if (!f.precision.empty()) c.precision = ParseEnumOrThrow<Precision>(f.precision);
  if (!f.attention.empty()) c.attention = ParseEnumOrThrow<AttentionImpl>(f.attention);
  if (!f.output.empty()) c.output = ParseEnumOrThrow<OutputKind>(f.output);
  // A modified preset is no longer the published model: mark it so tables don't mislead.
  if (f.patch || f.dim || f.depth || f.heads || f.mlp_ratio) c.name += "*";
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
