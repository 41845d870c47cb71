#include "model/parameter_count.h"

#include "model/checked_count.h"

namespace vitperf {

long long ParameterBreakdown::Total() const {
  return (CheckedCount(patch_embed) + tokens + pre_norm + blocks + final_norm + pool + head)
      .value();
}

long long MlpParameters(const ViTConfig& c, long long dim, long long hidden) {
  using N = CheckedCount;
  const N d = dim, f = hidden;
  const N up = d * f + f;                       // one up-projection with bias
  N p = c.mlp == MlpKind::gelu ? up : up + up;  // SwiGLU: gate and value, packed or apart
  if (c.mlp_norm) p += N(2) * f;
  return (p + f * d + d).value();
}

ParameterBreakdown CountParameters(const ViTConfig& c) {
  ValidateOrThrow(c);
  using N = CheckedCount;
  const N d = c.dim, f = c.MlpHidden(), hd = c.HeadDim();
  const N layernorm = N(2) * d;
  ParameterBreakdown p;
  p.patch_embed = (N(c.channels) * c.patch * c.patch * d + (c.patch_bias ? d : N(0))).value();
  p.tokens = (N(c.PrefixTokens()) * d + N(c.PositionTokens()) * d).value();
  p.pre_norm = c.pre_norm ? layernorm.value() : 0;

  N qkv_bias = 0;
  switch (c.qkv_bias) {
    case QkvBias::qkv:
      qkv_bias = N(3) * d;
      break;
    case QkvBias::qv:
      qkv_bias = N(2) * d;
      break;
    case QkvBias::none:
      break;
  }
  N block = N(2) * layernorm + N(3) * d * d + qkv_bias;
  if (c.qk_norm) block += N(2) * (N(2) * hd);  // LayerNorm over the head dim, for q and for k
  block += d * d + d;                          // proj
  if (c.layer_scale) block += N(2) * d;
  if (c.rel_pos_bias) block += N(c.RelativeDistances()) * c.heads;
  block += MlpParameters(c, c.dim, c.MlpHidden());
  p.per_block = block.value();
  p.blocks = (block * c.depth).value();
  p.final_norm = c.final_norm == FinalNorm::none ? 0 : layernorm.value();
  if (c.pooling == Pooling::map && c.output != OutputKind::tokens) {
    // timm's AttentionPoolLatent: one latent query, q and kv projections (biased), proj, norm and
    // a GELU MLP of the blocks' hidden width.
    const N q = d * d + d, kv = N(2) * d * d + N(2) * d, proj = d * d + d;
    p.pool = (d + q + kv + proj + layernorm + d * f + f + f * d + d).value();
  }
  // The head exists only when logits are produced; pooled/token outputs drop it (timm:
  // num_classes=0).
  p.head = (c.output == OutputKind::logits) ? (d * c.classes + N(c.classes)).value() : 0;
  return p;
}

}  // namespace vitperf
