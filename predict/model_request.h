// What a query names as text: a model (preset, timm name or config file, with architecture
// overrides), a pipeline variant and a GPU, resolved into model structs with one error line per
// bad field. Shared by the command line (flags) and the Python module (keyword arguments), so
// both accept and refuse exactly the same input.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/hardware_profile.h"
#include "model/pipeline_options.h"
#include "model/vit_config.h"

namespace vitperf {

struct ModelRequest {
  std::string model = "vit_b16";
  bool model_given = false;    // --model on the command line (the default is not a choice)
  std::string config_file;     // vitperf ViTConfig JSON
  std::string hf_config_file;  // Hugging Face config.json (model/hf_config.h)
  // A ViTConfig already in hand (the Python module's config dict); replaces model/config_file.
  std::optional<ViTConfig> config;
  // Numbers are kept as text and parsed strictly in ResolveModel, so that `--depth ''` or
  // `--res 2147483632` is an error naming the flag and its range, never unset or wrapped.
  std::optional<std::string> res, height, width, patch, dim, depth, heads, classes, mlp_ratio,
      mlp_hidden, registers;
  std::string precision, autocast, attention, output;
  // Architecture variants (model/vit_config.h); switches take on/off.
  std::string class_token, pooling, mlp, mlp_norm, layer_scale, pre_norm, patch_bias, qk_norm,
      qkv_bias, qkv_fused, pos_embed, rope, rel_pos_bias, final_norm;
};

struct PipelineRequest {
  std::string execution, compile_mode, input, host_memory, pipeline, numa, start;
  std::optional<int> queue_depth, producer_threads;
  bool compute_only = false;
};

// Throw std::invalid_argument naming the field and the accepted values.
ViTConfig ResolveModel(const ModelRequest& request);
// `default_mode` when the request names no pipeline: `predict` assumes the overlapped pipeline
// a deployment runs (RQ5: 0.95-1.00 of compute-only throughput on the H200); the studies'
// commands (regimes, laws, report) keep the sequential reference pipeline.
PipelineOptions ResolvePipeline(const PipelineRequest& request,
                                PipelineMode default_mode = PipelineMode::sequential);

// "1,2,8" or "1 2 8" -> {1, 2, 8}; every entry a positive integer.
std::vector<int> ParseBatchList(const std::string& text);

// One line describing the pipeline, e.g. "uint8 pixels, pinned, eager, sequential".
std::string DescribePipeline(const PipelineOptions& options);

}  // namespace vitperf
