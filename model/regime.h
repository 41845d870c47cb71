// What bounds a prediction: the resource or stage whose time sets the pace.
#pragma once

#include "model/enum_names.h"

namespace vitperf {

enum class Regime {
  compute,     // matrix or vector units
  memory,      // device-memory bandwidth
  transfer,    // host-device link (PCIe)
  overhead,    // kernel launch / dispatch / synchronisation
  preprocess,  // host-side preparation of the batch
};

template <>
struct EnumNames<Regime> {
  static constexpr const char* kField = "regime";
  static constexpr std::array<std::pair<Regime, const char*>, 5> kNames{{
      {Regime::compute, "compute"},
      {Regime::memory, "memory"},
      {Regime::transfer, "transfer"},
      {Regime::overhead, "overhead"},
      {Regime::preprocess, "preprocess"},
  }};
};
VITPERF_ENUM_JSON(Regime)

}  // namespace vitperf
