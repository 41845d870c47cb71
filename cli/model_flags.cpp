#include "cli/model_flags.h"

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
  c->add_option("--autocast", f->autocast,
                "on or off: fp32 weights run under torch.autocast at --precision fp16 or bf16 "
                "(AMP, as timm's benchmark --amp)");
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
  c->add_option("--compile-mode", f->compile_mode,
                "with --execution compiled: default or max-autotune (AOTInductor settings)");
  c->add_option("--input", f->input, "uint8 (normalised on the GPU) or float32 (default uint8)");
  c->add_option("--host-memory", f->host_memory, "pinned or pageable (default pinned)");
  c->add_option("--pipeline", f->pipeline,
                "sequential or overlapped (default: predict overlapped, the studies sequential)");
  c->add_option("--queue-depth", f->queue_depth, "batches in flight when overlapped (default 2)");
  c->add_option("--numa", f->numa, "none, local or remote (default none)");
  c->add_option("--start", f->start,
                "where decoded images start: pageable (the producers stage them; default) or "
                "pinned (a loader decodes into pinned memory; needs uint8 and pinned memory)");
  c->add_option("--producer-threads", f->producer_threads, "host threads preparing batches");
  c->add_flag("--compute-only", f->compute_only,
              "forward pass only, on device-resident input (what timm's benchmark reports)");
}

void AddGpuFlags(CLI::App* c, GpuFlags* f) {
  c->add_option("--gpu,-g", f->gpu, "GPU profile name, alias or JSON file (see `vitperf gpus`)")
      ->capture_default_str();
}

HardwareProfile ResolveGpu(const GpuFlags& f) { return LoadProfile(f.gpu); }

}  // namespace vitperf::cli
