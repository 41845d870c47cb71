// Building a ViT's operator list and picking one operator out of it, for the model tests.
#pragma once

#include <stdexcept>

#include "model/architecture.h"
#include "model/operators.h"
#include "model/vit_config.h"

namespace vitperf {

// A copy: `ops` may be a temporary.
inline Operator Find(const OperatorList& ops, OpKind kind) {
  for (const Operator& op : ops)
    if (op.kind == kind) return op;
  throw std::runtime_error("operator missing");
}

// The kernel rules of the architecture the model tests' hand counts were taken on.
inline const Architecture& TestArchitecture() {
  static const Architecture sm90 = LoadArchitecture("sm90");
  return sm90;
}

// `normalize_in_model_dtype`: the device normalisation's form (false: the three kernels of records
// measured before kNormalizeInModelDtypeSince).
inline OperatorList Build(const ViTConfig& c, int batch, bool uint8_input = false,
                          bool fused = false, bool normalize_in_model_dtype = true) {
  ForwardOptions f;
  f.architecture = &TestArchitecture();
  f.normalize_input_on_device = uint8_input;
  f.normalize_in_model_dtype = normalize_in_model_dtype;
  f.fuse_elementwise = fused;
  OperatorList ops;
  BuildOperators(c, batch, f, &ops);
  return ops;
}

}  // namespace vitperf
