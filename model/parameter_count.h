// Parameter count of a ViT, as timm builds it (conv patch embedding with bias, class token,
// learned position embedding, pre-norm blocks with biased linears, final norm, linear head).
#pragma once

#include "model/vit_config.h"

namespace vitperf {

struct ParameterBreakdown {
  long long patch_embed = 0;  // conv weight + bias
  long long tokens = 0;       // class token + position embedding
  long long per_block = 0;    // one transformer block
  long long blocks = 0;       // all blocks
  long long final_norm = 0;
  long long head = 0;  // zero unless output is logits
  long long Total() const { return patch_embed + tokens + blocks + final_norm + head; }
};

ParameterBreakdown CountParameters(const ViTConfig& c);

}  // namespace vitperf
