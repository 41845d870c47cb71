// Parameter count of a ViT, exactly as timm builds it: conv patch embedding, class and register
// tokens, learned position embedding, optional pre-norm, pre-norm blocks (qkv and its biases, q/k
// norm, projection, layer scale, relative position bias table, GELU or SwiGLU MLP with its
// optional hidden norm), final norm, attention-pool head, linear head.
#pragma once

#include "model/vit_config.h"

namespace vitperf {

struct ParameterBreakdown {
  long long patch_embed = 0;  // conv weight + bias
  long long tokens = 0;       // class and register tokens + position embedding
  long long pre_norm = 0;     // CLIP's norm_pre
  long long per_block = 0;    // one transformer block
  long long blocks = 0;       // all blocks
  long long final_norm = 0;   // over the tokens or over the pooled feature
  long long pool = 0;         // attention-pool head (map)
  long long head = 0;         // zero unless output is logits
  long long Total() const;    // checked: throws rather than wrap
};

// Throws std::invalid_argument for a config that is not valid or whose counts overflow.
ParameterBreakdown CountParameters(const ViTConfig& c);

// Parameters of one MLP of width `hidden` on `dim` (fc1 [+ gate], hidden norm, fc2).
long long MlpParameters(const ViTConfig& c, long long dim, long long hidden);

}  // namespace vitperf
