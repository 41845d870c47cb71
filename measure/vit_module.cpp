#include "measure/vit_module.h"

#include <torch/version.h>

#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

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

torch::ScalarType ModelDtype(const ViTConfig& config) {
  return config.autocast ? torch::kFloat : ComputeDtype(config.precision);
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
  const auto opts = torch::TensorOptions().dtype(dtype).device(pixels_u8.device());
  // Built on the host and copied once per device: a copy from pageable host memory is illegal
  // inside a CUDA graph capture, and the graph's warm-up call fills this cache before it.
  // [1, C, 1, 1] broadcasts over batch and pixels. Never freed: device tensors must not outlive
  // the CUDA context at exit.
  static std::mutex cache_mutex;
  static auto* cache = new std::map<std::string, std::pair<torch::Tensor, torch::Tensor>>();
  const std::string key = pixels_u8.device().str() + "/" + std::to_string(channels) + "/" +
                          std::string(c10::toString(dtype));
  torch::Tensor s, b;
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = cache->find(key);
    if (it == cache->end())
      it = cache
               ->emplace(key,
                         std::make_pair(torch::tensor(scale).view({1, channels, 1, 1}).to(opts),
                                        torch::tensor(shift).view({1, channels, 1, 1}).to(opts)))
               .first;
    s = it->second.first;
    b = it->second.second;
  }
  // Two kernels in the model's dtype: the cast (uint8 in), then x*scale + shift in place (computed
  // in fp32 inside the kernel). The earlier to(float32), addcmul, to(dtype) moved 19 B per pixel
  // at bf16 through two fp32 temporaries (7 B now), on the input stream beside the forward pass
  // it slowed. One addcmul reading uint8 would be one kernel, but LibTorch 1.13's CPU kernel
  // refuses mixed input dtypes.
  torch::Tensor x = pixels_u8.to(dtype);
  torch::addcmul_out(x, b, x, s);
  return x;
}

namespace {
// at::linear, not Linear::forward: the C++ frontend's functional linear runs a 3-D input as
// matmul followed by a separate, non-vectorised broadcast bias add (12.5 of 35 ms for vit_b16
// at batch 256 on the H100), where at::linear folds it into one GEMM with a bias epilogue,
// which is what Python (timm) runs.
torch::Tensor Linear(const torch::nn::Linear& layer, const torch::Tensor& x) {
  return torch::linear(x, layer->weight, layer->bias);
}

// A LayerNorm in its weights' dtype. Under autocast that is what CUDA's fp32 rule for
// layer_norm does to an fp16/bf16 input (the q, k and MLP-hidden norms, the MAP head's norm);
// LibTorch 1.13's CPU autocast has no such rule and its kernel refuses the mixed dtypes.
// Otherwise input and weights share a dtype and the cast is no kernel at all.
torch::Tensor Norm(const torch::nn::LayerNorm& norm, const torch::Tensor& x) {
  return norm.ptr()->forward(x.to(norm->weight.scalar_type()));
}

torch::nn::LayerNorm MakeLayerNorm(int dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6));  // timm's eps
}

torch::nn::Linear MakeLinear(int in, int out, bool bias) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

// timm's rot(): (x0, x1) -> (-x1, x0) for each channel pair, then x * cos + rot(x) * sin.
torch::Tensor ApplyRope(const torch::Tensor& x, const RopeTables& rope) {
  using torch::indexing::Slice;
  const auto rotated = torch::stack({-x.index({"...", Slice(1, torch::indexing::None, 2)}),
                                     x.index({"...", Slice(0, torch::indexing::None, 2)})},
                                    -1)
                           .reshape(x.sizes());
  return x * rope.cos + rotated * rope.sin;
}

// Rotates the patch tokens of q or k [B, H, N, hd], leaving the prefix tokens as they are.
torch::Tensor RotatePatches(const torch::Tensor& x, const RopeTables& rope, int prefix) {
  if (prefix == 0) return ApplyRope(x, rope);
  return torch::cat(
      {x.narrow(2, 0, prefix), ApplyRope(x.narrow(2, prefix, x.size(2) - prefix), rope)}, 2);
}

}  // namespace

torch::Tensor Attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                     const torch::Tensor& bias, bool fused, double scale) {
#if TORCH_VERSION_MAJOR >= 2
  if (fused)
    return at::scaled_dot_product_attention(
        q, k, v, bias.defined() ? std::optional<torch::Tensor>(bias) : std::nullopt);
#endif
  // math: the N x N score matrix per head is materialised (what "math" means in the model).
  auto scores = torch::matmul(q * scale, k.transpose(-2, -1));
  if (bias.defined()) scores = scores + bias;
  return torch::matmul(scores.softmax(-1), v);
}

RopeTables MakeRopeTables(const ViTConfig& c) {
  // Angles over the patch grid's rows for one half of the rotated pairs and over its columns for
  // the other, at head_dim / 4 geometric frequencies each (RoPE's 10000^(-2i/d) ladder).
  const int64_t hd = c.HeadDim(), bands = hd / 4;
  const auto freq = torch::pow(10000.0, -torch::arange(bands, torch::kDouble) / bands);
  const auto rows = torch::arange(c.GridHeight(), torch::kDouble);
  const auto cols = torch::arange(c.GridWidth(), torch::kDouble);
  const auto row_angles = torch::outer(rows, freq).unsqueeze(1).expand({-1, c.GridWidth(), -1});
  const auto col_angles = torch::outer(cols, freq).unsqueeze(0).expand({c.GridHeight(), -1, -1});
  const auto angles = torch::cat({row_angles, col_angles}, -1)
                          .reshape({c.Patches(), 2 * bands})
                          .repeat_interleave(2, -1);  // [patches, head_dim]
  return {angles.sin().to(torch::kFloat), angles.cos().to(torch::kFloat)};
}

torch::Tensor RelativePositionIndex(const ViTConfig& c) {
  const int64_t gh = c.GridHeight(), gw = c.GridWidth(), p = gh * gw, n = p + 1;
  const int64_t distances = c.RelativeDistances();
  const auto ys = torch::arange(gh, torch::kLong).repeat_interleave(gw);  // [p]
  const auto xs = torch::arange(gw, torch::kLong).repeat({gh});
  const auto dy = ys.unsqueeze(1) - ys.unsqueeze(0) + (gh - 1);
  const auto dx = xs.unsqueeze(1) - xs.unsqueeze(0) + (gw - 1);
  auto index = torch::empty({n, n}, torch::kLong);
  using torch::indexing::Slice;
  index.index_put_({Slice(1), Slice(1)}, dy * (2 * gw - 1) + dx);
  index.index_put_({0, Slice()}, distances - 3);
  index.index_put_({Slice(), 0}, distances - 2);
  index.index_put_({0, 0}, distances - 1);
  return index;
}

VitAttentionImpl::VitAttentionImpl(const ViTConfig& c, bool fused_)
    : heads(c.heads),
      prefix_tokens(c.PrefixTokens()),
      fused(fused_),
      scale(1.0 / std::sqrt(static_cast<double>(c.HeadDim()))) {
  const int d = c.dim;
  if (c.qkv_fused) {
    qkv = register_module("qkv", MakeLinear(d, 3 * d, c.qkv_bias == QkvBias::qkv));
    if (c.qkv_bias == QkvBias::qv) {
      q_bias = register_parameter("q_bias", torch::zeros({d}));
      v_bias = register_parameter("v_bias", torch::zeros({d}));
    }
  } else {
    const bool q_v = c.qkv_bias != QkvBias::none;
    q_proj = register_module("q_proj", MakeLinear(d, d, q_v));
    k_proj = register_module("k_proj", MakeLinear(d, d, c.qkv_bias == QkvBias::qkv));
    v_proj = register_module("v_proj", MakeLinear(d, d, q_v));
  }
  if (c.qk_norm) {
    q_norm = register_module("q_norm", MakeLayerNorm(c.HeadDim()));
    k_norm = register_module("k_norm", MakeLayerNorm(c.HeadDim()));
  }
  if (c.rel_pos_bias) {
    relative_position_bias_table = register_parameter(
        "relative_position_bias_table", torch::randn({c.RelativeDistances(), c.heads}) * .02);
    // Not a registered buffer: Module::to(dtype) would cast it to bf16, where indices past
    // 256 are no longer exact (gather refuses a non-integer index anyway).
    relative_position_index = RelativePositionIndex(c);
  }
  proj = register_module("proj", torch::nn::Linear(d, d));
}

torch::Tensor VitAttentionImpl::forward(const torch::Tensor& x, const RopeTables* rope) {
  const int64_t b = x.size(0), n = x.size(1), c = x.size(2);
  torch::Tensor q, k, v;
  if (qkv) {
    torch::Tensor bias = qkv->bias;
    if (q_bias.defined()) bias = torch::cat({q_bias, torch::zeros_like(q_bias), v_bias});
    // [B, N, 3, heads, head_dim] -> [3, B, heads, N, head_dim], as timm.
    auto qkv_t = torch::linear(x, qkv->weight, bias)
                     .reshape({b, n, 3, heads, c / heads})
                     .permute({2, 0, 3, 1, 4});
    q = qkv_t[0], k = qkv_t[1], v = qkv_t[2];
  } else {
    auto split = [&](const torch::nn::Linear& l) {
      return Linear(l, x).reshape({b, n, heads, c / heads}).transpose(1, 2);
    };
    q = split(q_proj), k = split(k_proj), v = split(v_proj);
  }
  if (q_norm) q = Norm(q_norm, q), k = Norm(k_norm, k);
  // timm (Eva): the rotated q and k are cast back to v's dtype; a no-op unless autocast made
  // them fp32 (fp32 rope tables, or a LayerNorm'd q and k).
  if (rope)
    q = RotatePatches(q, *rope, prefix_tokens).to(v.scalar_type()),
    k = RotatePatches(k, *rope, prefix_tokens).to(v.scalar_type());
  torch::Tensor bias;
  if (relative_position_bias_table.defined() &&
      relative_position_index.device() != relative_position_bias_table.device())
    relative_position_index = relative_position_index.to(relative_position_bias_table.device());
  if (relative_position_bias_table.defined())
    bias = relative_position_bias_table.index_select(0, relative_position_index.view(-1))
               .view({n, n, heads})
               .permute({2, 0, 1})
               .contiguous()
               .unsqueeze(0);  // the table's dtype: fp32 under autocast, as timm's
  const auto out = Attend(q, k, v, bias, fused, scale);
  return Linear(proj, out.transpose(1, 2).reshape({b, n, c}));
}

VitMlpImpl::VitMlpImpl(const ViTConfig& c, int hidden) : kind(c.mlp) {
  switch (kind) {
    case MlpKind::gelu:
      fc1 = register_module("fc1", torch::nn::Linear(c.dim, hidden));
      break;
    case MlpKind::swiglu_packed:
      fc1 = register_module("fc1", torch::nn::Linear(c.dim, 2 * hidden));
      break;
    case MlpKind::swiglu:
      fc1_g = register_module("fc1_g", torch::nn::Linear(c.dim, hidden));
      fc1_x = register_module("fc1_x", torch::nn::Linear(c.dim, hidden));
      break;
  }
  if (c.mlp_norm) norm = register_module("norm", MakeLayerNorm(hidden));
  fc2 = register_module("fc2", torch::nn::Linear(hidden, c.dim));
}

torch::Tensor VitMlpImpl::forward(const torch::Tensor& x) {
  torch::Tensor h;
  switch (kind) {
    case MlpKind::gelu:
      h = torch::gelu(Linear(fc1, x));  // exact (erf) GELU, timm's default
      break;
    case MlpKind::swiglu_packed: {
      const auto gate_value = Linear(fc1, x).chunk(2, -1);  // timm GluMlp: act on the first half
      h = torch::silu(gate_value[0]) * gate_value[1];
      break;
    }
    case MlpKind::swiglu:
      h = torch::silu(Linear(fc1_g, x)) * Linear(fc1_x, x);
      break;
  }
  if (norm) h = Norm(norm, h);
  return Linear(fc2, h);
}

VitBlockImpl::VitBlockImpl(const ViTConfig& c, bool fused) {
  norm1 = register_module("norm1", MakeLayerNorm(c.dim));
  attn = register_module("attn", VitAttention(c, fused));
  norm2 = register_module("norm2", MakeLayerNorm(c.dim));
  mlp = register_module("mlp", VitMlp(c, c.MlpHidden()));
  if (c.layer_scale) {
    gamma1 = register_parameter("gamma1", torch::full({c.dim}, 1e-5));
    gamma2 = register_parameter("gamma2", torch::full({c.dim}, 1e-5));
  }
}

torch::Tensor VitBlockImpl::forward(torch::Tensor x, const RopeTables* rope) {
  auto a = attn->forward(Norm(norm1, x), rope);
  x = x + (gamma1.defined() ? a * gamma1 : a);
  auto m = mlp->forward(Norm(norm2, x));
  return x + (gamma2.defined() ? m * gamma2 : m);
}

VitAttentionPoolImpl::VitAttentionPoolImpl(const ViTConfig& c, bool fused_)
    : heads(c.heads), fused(fused_) {
  latent = register_parameter("latent", torch::randn({1, 1, c.dim}) * .02);
  q = register_module("q", torch::nn::Linear(c.dim, c.dim));
  kv = register_module("kv", torch::nn::Linear(c.dim, 2 * c.dim));
  proj = register_module("proj", torch::nn::Linear(c.dim, c.dim));
  norm = register_module("norm", MakeLayerNorm(c.dim));
  ViTConfig gelu = c;
  gelu.mlp = MlpKind::gelu;  // the head's MLP is a GELU MLP of the blocks' hidden width
  gelu.mlp_norm = false;
  mlp = register_module("mlp", VitMlp(gelu, c.MlpHidden()));
}

torch::Tensor VitAttentionPoolImpl::forward(const torch::Tensor& x) {
  const int64_t b = x.size(0), n = x.size(1), c = x.size(2);
  const auto q_t =
      Linear(q, latent.expand({b, -1, -1})).reshape({b, 1, heads, c / heads}).transpose(1, 2);
  const auto kv_t = Linear(kv, x).reshape({b, n, 2, heads, c / heads}).permute({2, 0, 3, 1, 4});
  const double scale = 1.0 / std::sqrt(static_cast<double>(c / heads));
  auto o = Attend(q_t, kv_t[0], kv_t[1], torch::Tensor(), fused, scale);
  o = Linear(proj, o.transpose(1, 2).reshape({b, 1, c}));
  o = o + mlp->forward(Norm(norm, o));
  return o.select(1, 0);
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
                            .bias(config.patch_bias)));
  // timm: cls_token ~ N(0, 1e-6), pos_embed ~ trunc_normal(0.02); a plain normal is equivalent
  // for timing and keeps activations finite.
  if (config.class_token)
    cls_token = register_parameter("cls_token", torch::randn({1, 1, config.dim}) * 1e-6);
  if (config.register_tokens > 0)
    reg_token = register_parameter("reg_token",
                                   torch::randn({1, config.register_tokens, config.dim}) * 1e-6);
  if (config.PositionTokens() > 0)
    pos_embed = register_parameter("pos_embed",
                                   torch::randn({1, config.PositionTokens(), config.dim}) * .02);
  if (config.rope) {
    const RopeTables rope = MakeRopeTables(config);
    rope_sin = register_buffer("rope_sin", rope.sin);
    rope_cos = register_buffer("rope_cos", rope.cos);
  }
  if (config.pre_norm) norm_pre = register_module("norm_pre", MakeLayerNorm(config.dim));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < config.depth; ++i) blocks->push_back(VitBlock(config, fused));
  if (config.final_norm == FinalNorm::tokens)
    norm = register_module("norm", MakeLayerNorm(config.dim));
  const bool pools = config.output != OutputKind::tokens;
  if (pools && config.pooling == Pooling::map)
    attn_pool = register_module("attn_pool", VitAttentionPool(config, fused));
  if (config.final_norm == FinalNorm::pooled)
    fc_norm = register_module("fc_norm", MakeLayerNorm(config.dim));
  if (config.output == OutputKind::logits)
    head = register_module("head", torch::nn::Linear(config.dim, config.classes));
}

torch::Tensor VitModuleImpl::forward(const torch::Tensor& images) {
  // [B, C, H, W] -> [B, dim, H/p, W/p] -> [B, patches, dim]
  auto x = patch_embed->forward(images).flatten(2).transpose(1, 2);
  const int64_t b = x.size(0);
  // timm: the position embedding covers the prefix tokens too, or (no_embed_class) is added to
  // the patches before the prefix is put in front.
  if (config_.pos_embed == PosEmbed::patches) x = x + pos_embed;
  std::vector<torch::Tensor> parts;
  if (cls_token.defined()) parts.push_back(cls_token.expand({b, -1, -1}));
  if (reg_token.defined()) parts.push_back(reg_token.expand({b, -1, -1}));
  if (!parts.empty()) {
    parts.push_back(x);
    x = torch::cat(parts, 1);
  }
  if (config_.pos_embed == PosEmbed::learned) x = x + pos_embed;
  if (norm_pre) x = Norm(norm_pre, x);
  // The buffers as stored (the precision's dtype, fp32 under autocast), as timm's.
  RopeTables rope;
  if (rope_sin.defined()) rope = {rope_sin, rope_cos};
  const RopeTables* rope_ptr = rope_sin.defined() ? &rope : nullptr;
  for (const auto& block : *blocks) x = block->as<VitBlock>()->forward(x, rope_ptr);
  if (norm) x = Norm(norm, x);
  if (config_.output == OutputKind::tokens) return x;
  const int64_t prefix = config_.PrefixTokens();
  // timm: cls pooling takes token 0; mean pooling averages the patch tokens (prefix excluded);
  // map pools with the attention-pool head.
  torch::Tensor pooled;
  switch (config_.pooling) {
    case Pooling::cls:
      pooled = x.select(1, 0);
      break;
    case Pooling::mean:
      pooled = x.narrow(1, prefix, x.size(1) - prefix).mean(1);
      break;
    case Pooling::map:
      pooled = attn_pool->forward(x);
      break;
  }
  if (fc_norm) pooled = Norm(fc_norm, pooled);
  if (config_.output == OutputKind::pooled) return pooled;
  return Linear(head, pooled);
}

std::int64_t VitModuleImpl::ParameterCount() const {
  std::int64_t total = 0;
  for (const auto& p : parameters()) total += p.numel();
  return total;
}

}  // namespace vitperf::measure
