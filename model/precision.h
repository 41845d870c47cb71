// Numeric precision of a ViT forward pass and the storage size it implies.
#pragma once

#include "model/enum_names.h"

namespace vitperf {

// tf32 stores fp32 but runs matrix products on the tensor cores at reduced mantissa.
enum class Precision { fp32, tf32, fp16, bf16 };

template <>
struct EnumNames<Precision> {
  static constexpr const char* kField = "precision";
  static constexpr std::array<std::pair<Precision, const char*>, 4> kNames{{
      {Precision::fp32, "fp32"},
      {Precision::tf32, "tf32"},
      {Precision::fp16, "fp16"},
      {Precision::bf16, "bf16"},
  }};
};

VITPERF_ENUM_JSON(Precision)

// [bytes] per stored element of weights and activations.
constexpr int ElementBytes(Precision p) {
  return (p == Precision::fp16 || p == Precision::bf16) ? 2 : 4;
}

}  // namespace vitperf
