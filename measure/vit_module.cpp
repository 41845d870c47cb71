#include "measure/vit_module.h"

#include <torch/version.h>

#include <cmath>
#include <stdexcept>

namespace vitperf::measure {

bool FusedAttentionAvailable() {
#if TORCH_VERSION_MAJOR >= 2
  return true;
#else
  return false;
#endif
}

torch::ScalarType ComputeDtype(Precision p) {
  switch (p) {
    case Precision::fp16:
      return torch::kHalf;
    case Precision::bf16:
      return torch::kBFloat16;
    case Precision::fp32:
    case Precision::tf32:
      return torch::kFloat;
  }
  throw std::invalid_argument("precision: unknown value");
}

ChannelNorm ChannelNormalisation(int channels, int channel) {
  // timm's IMAGENET_DEFAULT_MEAN / IMAGENET_DEFAULT_STD.
  static constexpr std::array<float, 3> kMean{0.485f, 0.456f, 0.406f};
  static constexpr std::array<float, 3> kStd{0.229f, 0.224f, 0.225f};
  if (channels == 3 && channel >= 0 && channel < 3) return {kMean[channel], kStd[channel]};
  return {};
}

torch::Tensor NormalizeImages(const torch::Tensor& pixels_u8, torch::ScalarType dtype) {
  const int channels = static_cast<int>(pixels_u8.size(1));
  std::vector<float> scale(channels), shift(channels);
  for (int c = 0; c < channels; ++c) {
    const ChannelNorm n = ChannelNormalisation(channels, c);
    scale[c] = 1.0f / (255.0f * n.std);  // x/255 - mean over std == x*scale + shift
    shift[c] = -n.mean / n.std;
  }
  const auto opts = torch::TensorOptions().dtype(torch::kFloat).device(pixels_u8.device());
  // Built on the host then copied; [1, C, 1, 1] broadcasts over batch and pixels.
  const torch::Tensor s = torch::tensor(scale).view({1, channels, 1, 1}).to(opts);
  const torch::Tensor b = torch::tensor(shift).view({1, channels, 1, 1}).to(opts);
  // One fused multiply-add in fp32, then the cast: what a device preprocessing kernel does.
  return torch::addcmul(b, pixels_u8.to(torch::kFloat), s).to(dtype);
}

VitAttentionImpl::VitAttentionImpl(int dim, int heads_, bool fused_)
    : heads(heads_), fused(fused_), scale(1.0 / std::sqrt(static_cast<double>(dim / heads_))) {
  qkv = register_module("qkv", torch::nn::Linear(torch::nn::LinearOptions(dim, 3 * dim)));
  proj = register_module("proj", torch::nn::Linear(dim, dim));
}

namespace {
// at::linear, not Linear::forward: the C++ frontend's functional linear runs a 3-D input as
// matmul followed by a separate, non-vectorised broadcast bias add (12.5 of 35 ms for vit_b16
// at batch 256 on the H100), where at::linear folds it into one GEMM with a bias epilogue,
// which is what Python (timm) runs.
torch::Tensor Linear(const torch::nn::Linear& layer, const torch::Tensor& x) {
  return torch::linear(x, layer->weight, layer->bias);
}
}  // namespace

torch::Tensor VitAttentionImpl::forward(const torch::Tensor& x) {
  const int64_t b = x.size(0), n = x.size(1), c = x.size(2);
  // [B, N, 3, heads, head_dim] -> [3, B, heads, N, head_dim], as timm.
  auto qkv_t = Linear(qkv, x).reshape({b, n, 3, heads, c / heads}).permute({2, 0, 3, 1, 4});
  auto q = qkv_t[0], k = qkv_t[1], v = qkv_t[2];
  torch::Tensor out;
#if TORCH_VERSION_MAJOR >= 2
  if (fused) out = at::scaled_dot_product_attention(q, k, v);
#endif
  if (!out.defined()) {
    // math: the N x N score matrix per head is materialised (what "math" means in the model).
    auto attn = torch::matmul(q * scale, k.transpose(-2, -1)).softmax(-1);
    out = torch::matmul(attn, v);
  }
  return Linear(proj, out.transpose(1, 2).reshape({b, n, c}));
}

VitMlpImpl::VitMlpImpl(int dim, int hidden) {
  fc1 = register_module("fc1", torch::nn::Linear(dim, hidden));
  act = register_module("act", torch::nn::GELU());
  fc2 = register_module("fc2", torch::nn::Linear(hidden, dim));
}

torch::Tensor VitMlpImpl::forward(const torch::Tensor& x) {
  return Linear(fc2, act->forward(Linear(fc1, x)));
}

namespace {
torch::nn::LayerNorm MakeLayerNorm(int dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6));  // timm's eps
}
}  // namespace

VitBlockImpl::VitBlockImpl(int dim, int heads, int mlp_hidden, bool fused) {
  norm1 = register_module("norm1", MakeLayerNorm(dim));
  attn = register_module("attn", VitAttention(dim, heads, fused));
  norm2 = register_module("norm2", MakeLayerNorm(dim));
  mlp = register_module("mlp", VitMlp(dim, mlp_hidden));
}

torch::Tensor VitBlockImpl::forward(torch::Tensor x) {
  x = x + attn->forward(norm1->forward(x));
  return x + mlp->forward(norm2->forward(x));
}

VitModuleImpl::VitModuleImpl(const ViTConfig& config, std::uint64_t seed) : config_(config) {
  ValidateOrThrow(config);
  torch::manual_seed(seed);
  const bool want_fused = config.attention == AttentionImpl::fused;
  const bool fused = want_fused && FusedAttentionAvailable();
  fused_fell_back_ = want_fused && !fused;

  patch_embed = register_module(
      "patch_embed",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(config.channels, config.dim, config.patch)
                            .stride(config.patch)
                            .bias(true)));
  // timm: cls_token ~ N(0, 1e-6), pos_embed ~ trunc_normal(0.02); a plain normal is equivalent
  // for timing and keeps activations finite.
  if (config.class_token)
    cls_token = register_parameter("cls_token", torch::randn({1, 1, config.dim}) * 1e-6);
  pos_embed = register_parameter("pos_embed", torch::randn({1, config.Tokens(), config.dim}) * .02);
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < config.depth; ++i)
    blocks->push_back(VitBlock(config.dim, config.heads, config.MlpHidden(), fused));
  norm = register_module("norm", MakeLayerNorm(config.dim));
  if (config.output == OutputKind::logits)
    head = register_module("head", torch::nn::Linear(config.dim, config.classes));
}

torch::Tensor VitModuleImpl::forward(const torch::Tensor& images) {
  // [B, C, H, W] -> [B, dim, H/p, W/p] -> [B, patches, dim]
  auto x = patch_embed->forward(images).flatten(2).transpose(1, 2);
  if (cls_token.defined()) x = torch::cat({cls_token.expand({x.size(0), -1, -1}), x}, 1);
  x = x + pos_embed;
  for (const auto& block : *blocks) x = block->as<VitBlock>()->forward(x);
  x = norm->forward(x);
  if (config_.output == OutputKind::tokens) return x;
  const int64_t prefix = config_.class_token ? 1 : 0;
  // timm: cls pooling takes token 0; mean pooling averages the patch tokens (prefix excluded).
  auto pooled = config_.pooling == Pooling::cls ? x.select(1, 0)
                                                : x.narrow(1, prefix, x.size(1) - prefix).mean(1);
  if (config_.output == OutputKind::pooled) return pooled;
  return Linear(head, pooled);
}

std::int64_t VitModuleImpl::ParameterCount() const {
  std::int64_t total = 0;
  for (const auto& p : parameters()) total += p.numel();
  return total;
}

}  // namespace vitperf::measure
