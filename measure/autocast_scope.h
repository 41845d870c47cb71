// Python's `with torch.autocast(device_type, dtype):` for one forward pass on the calling
// thread, as timm's benchmark.py --amp wraps each forward: the matrix products run on copies of
// the fp32 weights cast at every call (the cast cache is cleared when the outermost scope
// ends), LayerNorm and softmax in fp32.
#pragma once

#include <string>

#include "model/pipeline_options.h"
#include "model/precision.h"
#include "model/vit_config.h"

namespace vitperf::measure {

// Empty when this LibTorch runs autocast at `precision` on the device kind (cuda: true for a
// CUDA device, false for the CPU); otherwise the one-line reason, naming the field `autocast`
// and what is accepted. CUDA: fp16 and bf16; CPU: bf16, and fp16 from LibTorch 2.4.
std::string AutocastUnsupportedReason(Precision precision, bool cuda);

// The same for a pipeline point: empty without config.autocast; otherwise the reason above, or
// that compiled execution (an AOTInductor package) under autocast is not measured yet.
std::string AutocastUnsupportedReason(const ViTConfig& config, ExecutionMode execution, bool cuda);

// Autocast on for one device kind while the object lives; the thread's previous autocast state
// (enabled, dtype, cache switch) is put back on exit. Autocast state is per thread: make the
// scope on the thread that runs the forward pass. Neither copyable nor movable.
class AutocastScope {
 public:
  // Throws std::invalid_argument with AutocastUnsupportedReason when it is not empty.
  AutocastScope(Precision precision, bool cuda);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool cuda_;
  bool previous_enabled_;
  int previous_dtype_;  // c10::ScalarType, kept as int so this header needs no torch
  bool previous_cache_enabled_;
};

}  // namespace vitperf::measure
