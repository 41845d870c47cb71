// The ViT of a ViTConfig as a LibTorch module with random weights, built like timm's
// VisionTransformer (same submodule names and structure) so that what the probes time is what
// the analytical model counts and what timm runs.
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>

#include "model/vit_config.h"

namespace vitperf::measure {

// True when this LibTorch has at::scaled_dot_product_attention (LibTorch >= 2).
bool FusedAttentionAvailable();
// The message a record carries when fused attention was asked for but math ran.
inline constexpr const char* kFusedFallbackMessage =
    "fused attention unavailable in LibTorch <2, ran math";

// Storage type of weights and activations for a precision (tf32 stores fp32).
torch::ScalarType ComputeDtype(Precision p);
// What the module's parameters and buffers are stored in, and the dtype of its input images:
// ComputeDtype(precision), or fp32 under autocast (timm's --amp: fp32 weights and input, the
// casts to the precision made inside each forward pass by measure/autocast_scope.h).
torch::ScalarType ModelDtype(const ViTConfig& config);

// Per-channel normalisation constants: timm's ImageNet mean/std for 3 channels, 0.5/0.5 otherwise
// (no published constants exist for other channel counts).
struct ChannelNorm {
  float mean = 0.5f;
  float std = 0.5f;
};
ChannelNorm ChannelNormalisation(int channels, int channel);

// uint8 pixels [B, C, H, W] -> (x / 255 - mean) / std in `dtype`, on the tensor's device: the
// cast, then one multiply-add in `dtype` (two kernels).
torch::Tensor NormalizeImages(const torch::Tensor& pixels_u8, torch::ScalarType dtype);

// Rotary position embedding tables of the patch tokens (EVA02's RotaryEmbeddingCat layout):
// sin and cos [patches, head_dim], each angle repeated for the pair of channels it rotates.
struct RopeTables {
  torch::Tensor sin, cos;
};
RopeTables MakeRopeTables(const ViTConfig& config);

// BEiT's relative position index [tokens, tokens] into a table of RelativeDistances() rows:
// patch pairs by their (dy, dx), then class-to-token, token-to-class and class-to-class.
torch::Tensor RelativePositionIndex(const ViTConfig& config);

struct VitAttentionImpl : torch::nn::Module {
  VitAttentionImpl(const ViTConfig& config, bool fused);
  torch::Tensor forward(const torch::Tensor& x, const RopeTables* rope);

  int heads;
  int prefix_tokens;  // tokens rotary embeddings skip (class, registers)
  bool fused;         // use SDPA; only ever true where FusedAttentionAvailable()
  double scale;
  torch::nn::Linear qkv{nullptr}, proj{nullptr};                        // fused projection
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr};  // qkv_fused=false
  torch::Tensor q_bias, v_bias;  // qkv_bias=qv with a fused projection (BEiT)
  torch::nn::LayerNorm q_norm{nullptr}, k_norm{nullptr};
  torch::Tensor relative_position_bias_table;  // [RelativeDistances, heads]
  torch::Tensor relative_position_index;       // [tokens, tokens] int64, moved with the table
};
TORCH_MODULE(VitAttention);

struct VitMlpImpl : torch::nn::Module {
  VitMlpImpl(const ViTConfig& config, int hidden);
  torch::Tensor forward(const torch::Tensor& x);

  MlpKind kind;
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};  // fc1 is gate and value side by side when packed
  torch::nn::Linear fc1_g{nullptr}, fc1_x{nullptr};  // SwiGLU apart (EVA02)
  torch::nn::LayerNorm norm{nullptr};                // over the hidden width (mlp_norm)
};
TORCH_MODULE(VitMlp);

struct VitBlockImpl : torch::nn::Module {
  VitBlockImpl(const ViTConfig& config, bool fused);
  torch::Tensor forward(torch::Tensor x, const RopeTables* rope);

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  VitAttention attn{nullptr};
  VitMlp mlp{nullptr};
  torch::Tensor gamma1, gamma2;  // layer scale, undefined without it
};
TORCH_MODULE(VitBlock);

// timm's AttentionPoolLatent (SigLIP's MAP head): one learned query attends over the tokens,
// then proj, and a residual GELU MLP behind a LayerNorm.
struct VitAttentionPoolImpl : torch::nn::Module {
  VitAttentionPoolImpl(const ViTConfig& config, bool fused);
  torch::Tensor forward(const torch::Tensor& x);  // [B, N, dim] -> [B, dim]

  int heads;
  bool fused;
  torch::Tensor latent;  // [1, 1, dim]
  torch::nn::Linear q{nullptr}, kv{nullptr}, proj{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  VitMlp mlp{nullptr};
};
TORCH_MODULE(VitAttentionPool);

struct VitModuleImpl : torch::nn::Module {
  // Weights are random and deterministic: the global LibTorch generator is seeded with `seed`
  // before they are drawn. Throws std::invalid_argument for an invalid config.
  explicit VitModuleImpl(const ViTConfig& config, std::uint64_t seed = 0);

  // images: float [B, C, H, W] in the module's dtype. Returns logits [B, classes],
  // pooled [B, dim] or tokens [B, N, dim] according to config.output. Under config.autocast
  // the caller runs it inside an AutocastScope, the module stays fp32 (ModelDtype), and the
  // output's dtype is whatever autocast leaves (fp16/bf16 logits, fp32 after a LayerNorm).
  torch::Tensor forward(const torch::Tensor& images);

  // True when fused attention was requested but this LibTorch runs math instead.
  bool fused_fell_back() const { return fused_fell_back_; }
  const ViTConfig& config() const { return config_; }
  std::int64_t ParameterCount() const;

  torch::nn::Conv2d patch_embed{nullptr};  // timm: patch_embed.proj
  torch::Tensor cls_token;                 // [1, 1, dim], undefined without a class token
  torch::Tensor reg_token;                 // [1, registers, dim], undefined without registers
  torch::Tensor pos_embed;                 // [1, PositionTokens, dim], undefined without one
  torch::Tensor rope_sin, rope_cos;        // buffers [patches, head_dim] with rotary embeddings
  torch::nn::LayerNorm norm_pre{nullptr};  // pre_norm (CLIP)
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm norm{nullptr};     // final_norm=tokens
  torch::nn::LayerNorm fc_norm{nullptr};  // final_norm=pooled
  VitAttentionPool attn_pool{nullptr};    // pooling=map
  torch::nn::Linear head{nullptr};        // only for logits

 private:
  ViTConfig config_;
  bool fused_fell_back_ = false;
};
TORCH_MODULE(VitModule);

// Scaled dot-product attention as the module runs it: the fused SDPA kernel (LibTorch 2.x, when
// fused) or the math path, each with an optional additive bias on the scores.
torch::Tensor Attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                     const torch::Tensor& bias, bool fused, double scale);

}  // namespace vitperf::measure
