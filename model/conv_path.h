// The kernels that can run the patch embedding (a stride = kernel convolution on NCHW input).
// Which one runs is the framework's choice by the shape, and differs by architecture: the
// rules are data (data/arch/<name>.json "patch_conv", Architecture::PatchConvPathFor). The
// kernels differ by up to 3x in rate and in fixed cost, so the model follows the choice.
#pragma once

#include "model/enum_names.h"

namespace vitperf {

enum class ConvPath {
  // fp32 FMAs on the CUDA cores on the NCHW tensor as it is (implicit_convolve_sgemm).
  simt,
  // a tensor-core convolution (128x128 tiles) behind NCHW -> NHWC copies of the input and the
  // weight: each wave of tiles walks the whole inner dimension.
  tensor_core,
  // an implicit-GEMM tensor-core kernel (64x64 tiles), also behind the layout copies.
  implicit_gemm,
  // fp32 FMAs on the NCHW tensor with precomputed gather offsets (precomputed_convolve_sgemm):
  // what cuDNN switches the tensor-core cases to at the largest inputs, faster than the
  // implicit SIMT kernel.
  precomputed_simt,
};

template <>
struct EnumNames<ConvPath> {
  static constexpr const char* kField = "conv_path";
  static constexpr std::array<std::pair<ConvPath, const char*>, 4> kNames{{
      {ConvPath::simt, "simt"},
      {ConvPath::tensor_core, "tensor_core"},
      {ConvPath::implicit_gemm, "implicit_gemm"},
      {ConvPath::precomputed_simt, "precomputed_simt"},
  }};
};
VITPERF_ENUM_JSON(ConvPath)

}  // namespace vitperf
