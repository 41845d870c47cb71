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

// Per-channel normalisation constants: timm's ImageNet mean/std for 3 channels, 0.5/0.5 otherwise
// (no published constants exist for other channel counts).
struct ChannelNorm {
  float mean = 0.5f;
  float std = 0.5f;
};
ChannelNorm ChannelNormalisation(int channels, int channel);

// uint8 pixels [B, C, H, W] -> (x / 255 - mean) / std in `dtype`, on the tensor's device.
torch::Tensor NormalizeImages(const torch::Tensor& pixels_u8, torch::ScalarType dtype);

struct VitAttentionImpl : torch::nn::Module {
  VitAttentionImpl(int dim, int heads, bool fused);
  torch::Tensor forward(const torch::Tensor& x);

  int heads;
  bool fused;  // use SDPA; only ever true where FusedAttentionAvailable()
  double scale;
  torch::nn::Linear qkv{nullptr}, proj{nullptr};
};
TORCH_MODULE(VitAttention);

struct VitMlpImpl : torch::nn::Module {
  VitMlpImpl(int dim, int hidden);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::nn::GELU act{nullptr};  // exact (erf) GELU, timm's default
};
TORCH_MODULE(VitMlp);

struct VitBlockImpl : torch::nn::Module {
  VitBlockImpl(int dim, int heads, int mlp_hidden, bool fused);
  torch::Tensor forward(torch::Tensor x);

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  VitAttention attn{nullptr};
  VitMlp mlp{nullptr};
};
TORCH_MODULE(VitBlock);

struct VitModuleImpl : torch::nn::Module {
  // Weights are random and deterministic: the global LibTorch generator is seeded with `seed`
  // before they are drawn. Throws std::invalid_argument for an invalid config.
  explicit VitModuleImpl(const ViTConfig& config, std::uint64_t seed = 0);

  // images: float [B, C, H, W] in the module's dtype. Returns logits [B, classes],
  // pooled [B, dim] or tokens [B, N, dim] according to config.output.
  torch::Tensor forward(const torch::Tensor& images);

  // True when fused attention was requested but this LibTorch runs math instead.
  bool fused_fell_back() const { return fused_fell_back_; }
  const ViTConfig& config() const { return config_; }
  std::int64_t ParameterCount() const;

  torch::nn::Conv2d patch_embed{nullptr};  // timm: patch_embed.proj
  torch::Tensor cls_token;                 // [1, 1, dim], undefined without a class token
  torch::Tensor pos_embed;                 // [1, Tokens, dim]
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear head{nullptr};  // only for logits

 private:
  ViTConfig config_;
  bool fused_fell_back_ = false;
};
TORCH_MODULE(VitModule);

}  // namespace vitperf::measure
