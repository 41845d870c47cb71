#include "measure/autocast_scope.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <stdexcept>

#include "measure/vit_module.h"

// LibTorch 2.4 made the autocast state per device type (is_autocast_enabled(DeviceType), ...)
// and deprecated the CUDA- and CPU-specific functions.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define VITPERF_AUTOCAST_PER_DEVICE 1
#else
#define VITPERF_AUTOCAST_PER_DEVICE 0
#endif

namespace vitperf::measure {
namespace {

#if VITPERF_AUTOCAST_PER_DEVICE
at::DeviceType Kind(bool cuda) { return cuda ? at::kCUDA : at::kCPU; }
bool IsEnabled(bool cuda) { return at::autocast::is_autocast_enabled(Kind(cuda)); }
void SetEnabled(bool cuda, bool on) { at::autocast::set_autocast_enabled(Kind(cuda), on); }
at::ScalarType GetDtype(bool cuda) { return at::autocast::get_autocast_dtype(Kind(cuda)); }
void SetDtype(bool cuda, at::ScalarType t) { at::autocast::set_autocast_dtype(Kind(cuda), t); }
#else
bool IsEnabled(bool cuda) {
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void SetEnabled(bool cuda, bool on) {
  cuda ? at::autocast::set_enabled(on) : at::autocast::set_cpu_enabled(on);
}
at::ScalarType GetDtype(bool cuda) {
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void SetDtype(bool cuda, at::ScalarType t) {
  cuda ? at::autocast::set_autocast_gpu_dtype(t) : at::autocast::set_autocast_cpu_dtype(t);
}
#endif

}  // namespace

std::string AutocastUnsupportedReason(Precision precision, bool cuda) {
  if (precision != Precision::fp16 && precision != Precision::bf16)
    return "autocast: runs at precision fp16 or bf16 (got " + ToString(precision) + ")";
  // torch.autocast('cpu') of PyTorch 1.13 turns itself off for any dtype but bf16; fp16 is
  // accepted by the releases with the per-device API (2.4 is the bound taken here).
  if (!cuda && precision == Precision::fp16 && !VITPERF_AUTOCAST_PER_DEVICE)
    return "autocast: on the CPU this LibTorch (" + std::to_string(TORCH_VERSION_MAJOR) + "." +
           std::to_string(TORCH_VERSION_MINOR) +
           ") runs autocast at precision bf16 only (got fp16; accepted: bf16, or fp16 on a CUDA "
           "device)";
  return "";
}

std::string AutocastUnsupportedReason(const ViTConfig& config, ExecutionMode execution, bool cuda) {
  if (!config.autocast) return "";
  // scripts/aoti_compile.py exports the model cast to the precision; the fp32 model exported
  // under torch.autocast is not built, so such a point is refused rather than measured as the
  // pure-precision program.
  if (execution == ExecutionMode::compiled)
    return "autocast: compiled execution (AOTInductor packages) under autocast is not measured "
           "yet (accepted: execution eager or graph with autocast, or autocast off)";
  return AutocastUnsupportedReason(config.precision, cuda);
}

AutocastScope::AutocastScope(Precision precision, bool cuda) : cuda_(cuda) {
  const std::string why = AutocastUnsupportedReason(precision, cuda);
  if (!why.empty()) throw std::invalid_argument(why);
  // What torch.autocast.__enter__ does, in its order.
  previous_cache_enabled_ = at::autocast::is_autocast_cache_enabled();
  previous_enabled_ = IsEnabled(cuda_);
  previous_dtype_ = static_cast<int>(GetDtype(cuda_));
  SetEnabled(cuda_, true);
  SetDtype(cuda_, ComputeDtype(precision));
  at::autocast::increment_nesting();
  at::autocast::set_autocast_cache_enabled(true);  // torch.autocast's default
}

AutocastScope::~AutocastScope() {
  // torch.autocast.__exit__: the casts of this forward pass are dropped when the outermost
  // scope ends, so the next forward pass casts every weight again.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  SetEnabled(cuda_, previous_enabled_);
  SetDtype(cuda_, static_cast<at::ScalarType>(previous_dtype_));
  at::autocast::set_autocast_cache_enabled(previous_cache_enabled_);
}

}  // namespace vitperf::measure
