// Which cuDNN kernel runs the patch embedding (a stride = kernel convolution on NCHW input).
// cuDNN picks by heuristics on the shape (PyTorch's default, cudnn.benchmark off), and the
// three kernels it picks differ by up to 3x in rate and in fixed cost, so the model follows the
// choice. The rule below is what CUPTI recorded on the H100 and the H200 (LibTorch 2.11, CUDA
// 13.0; every traced record in data/measurements/h*-*.jsonl, breakdown.top_kernels).
#pragma once

#include "model/enum_names.h"
#include "model/vit_config.h"

namespace vitperf {

enum class ConvPath {
  // implicit_convolve_sgemm: fp32 FMAs on the CUDA cores on the NCHW tensor as it is.
  // ~18 TFLOP/s at patch 16 (14.5 at patch 32) on the H100, whatever the precision.
  simt,
  // cutlass tensorop fprop (128x128 tiles) behind cuDNN's NCHW -> NHWC copies of the input and
  // the weight: each wave of tiles walks the whole inner dimension, ~0.1 us per element.
  tensor_core,
  // sm80 xmma implicit GEMM (64x64 tiles), also behind the layout copies: the same fixed cost
  // per inner element at one wave, ~0.085 us per element and wave after it.
  implicit_gemm,
};

template <>
struct EnumNames<ConvPath> {
  static constexpr const char* kField = "conv_path";
  static constexpr std::array<std::pair<ConvPath, const char*>, 3> kNames{{
      {ConvPath::simt, "simt"},
      {ConvPath::tensor_core, "tensor_core"},
      {ConvPath::implicit_gemm, "implicit_gemm"},
  }};
};
VITPERF_ENUM_JSON(ConvPath)

// The observed rule, bf16 and fp16:
//   images over 384 px a side (512-2048 measured)                 -> simt
//   width >= 768 (768, 1024, 1280 measured; 14-, 16-, 32-px patches) -> tensor_core
//   patch 32 at width 384 (224 and 256 px)                        -> implicit_gemm
//   otherwise (width 192-384, patch <= 16)                        -> simt
// fp32 -> simt; tf32 -> tensor_core up to 384 px (measured at 224 px for widths 384-1024).
// Widths between 384 and 768 were not measured; the rule sends them to simt.
ConvPath PatchConvPath(const ViTConfig& config);

}  // namespace vitperf
