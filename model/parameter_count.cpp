#include "model/parameter_count.h"

namespace vitperf {

ParameterBreakdown CountParameters(const ViTConfig& c) {
  const long long d = c.dim, f = c.MlpHidden();
  ParameterBreakdown p;
  p.patch_embed = static_cast<long long>(c.channels) * c.patch * c.patch * d + d;
  p.tokens = (c.class_token ? d : 0) + static_cast<long long>(c.Tokens()) * d;
  const long long layernorm = 2 * d;
  const long long qkv = d * 3 * d + 3 * d, proj = d * d + d;
  const long long fc1 = d * f + f, fc2 = f * d + d;
  p.per_block = 2 * layernorm + qkv + proj + fc1 + fc2;
  p.blocks = p.per_block * c.depth;
  p.final_norm = layernorm;
  // The head exists only when logits are produced; pooled/token outputs drop it (timm:
  // num_classes=0).
  p.head = (c.output == OutputKind::logits) ? d * c.classes + c.classes : 0;
  return p;
}

}  // namespace vitperf
