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

// What a regime says of where the time goes, coarser: the host (launch, dispatch, sync), the
// device (matrix, vector or memory units) or the pipeline around the forward pass (copies,
// preprocessing). Held-out errors are kept per execution mode and bound (validate's cases,
// data/accuracy/expected_error.json), the two differing by several times.
inline const char* BoundOf(Regime r) {
  switch (r) {
    case Regime::overhead:
      return "host";
    case Regime::compute:
    case Regime::memory:
      return "device";
    case Regime::transfer:
    case Regime::preprocess:
      return "pipeline";
  }
  return "device";
}

}  // namespace vitperf
