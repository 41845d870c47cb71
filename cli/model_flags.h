// Flags shared by every command that takes a model, a pipeline and a GPU: --model/--config,
// architecture overrides, precision, pipeline variant, --gpu. Parsed into model structs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "model/hardware_profile.h"
#include "model/pipeline_options.h"
#include "model/vit_config.h"

namespace vitperf::cli {

struct ModelFlags {
  std::string model = "vit_b16";
  bool model_given = false;    // --model on the command line (the default is not a choice)
  std::string config_file;     // vitperf ViTConfig JSON
  std::string hf_config_file;  // Hugging Face config.json (model/hf_config.h)
  // Numbers are kept as text and parsed strictly in ResolveModel, so that `--depth ''` or
  // `--res 2147483632` is an error naming the flag and its range, never unset or wrapped.
  std::optional<std::string> res, height, width, patch, dim, depth, heads, classes, mlp_ratio,
      mlp_hidden, registers;
  std::string precision, attention, output;
  // Architecture variants (model/vit_config.h); switches take on/off.
  std::string class_token, pooling, mlp, mlp_norm, layer_scale, pre_norm, patch_bias, qk_norm,
      qkv_bias, qkv_fused, pos_embed, rope, rel_pos_bias, final_norm;
};

struct PipelineFlags {
  std::string execution, input, host_memory, pipeline, numa;
  std::optional<int> queue_depth, producer_threads;
  bool compute_only = false;
};

struct GpuFlags {
  std::string gpu = "h100";
};

void AddModelFlags(CLI::App* command, ModelFlags* flags);
void AddPipelineFlags(CLI::App* command, PipelineFlags* flags);
void AddGpuFlags(CLI::App* command, GpuFlags* flags);

// Throw std::invalid_argument naming the flag and the accepted values.
ViTConfig ResolveModel(const ModelFlags& flags);
PipelineOptions ResolvePipeline(const PipelineFlags& flags);
HardwareProfile ResolveGpu(const GpuFlags& flags);

// "1,2,8" or "1 2 8" -> {1, 2, 8}; every entry a positive integer.
std::vector<int> ParseBatchList(const std::string& text);

// One line describing the pipeline, e.g. "uint8 pixels, pinned, eager, sequential".
std::string DescribePipeline(const PipelineOptions& options);

}  // namespace vitperf::cli
