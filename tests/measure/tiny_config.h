// The small ViT the measurement tests run on the CPU in well under a second.
#pragma once

#include "model/vit_config.h"

namespace vitperf::measure {

inline ViTConfig Tiny() {
  ViTConfig c;
  c.name = "tiny";
  c.image_height = c.image_width = 64;
  c.patch = 16;
  c.dim = 64;
  c.depth = 2;
  c.heads = 2;
  c.classes = 10;
  c.precision = Precision::fp32;
  return c;
}

}  // namespace vitperf::measure
