#include "model/conv_path.h"

#include <algorithm>

namespace vitperf {

ConvPath PatchConvPath(const ViTConfig& c) {
  const bool large_image = std::max(c.image_height, c.image_width) > 384;
  switch (c.precision) {
    case Precision::fp32:
      return ConvPath::simt;
    case Precision::tf32:
      return large_image ? ConvPath::simt : ConvPath::tensor_core;
    case Precision::fp16:
    case Precision::bf16:
      break;
  }
  if (large_image) return ConvPath::simt;
  if (c.dim >= 768) return ConvPath::tensor_core;
  if (c.patch >= 32) return ConvPath::implicit_gemm;
  return ConvPath::simt;
}

}  // namespace vitperf
