// CUPTI kernel breakdown of one probe iteration: device time and count of kernels per class
// (matrix products, attention, norms/elementwise, other) and the host<->device copies with
// their bytes. The class rule is plain C++ (testable anywhere); the tracer exists only in builds
// with CUPTI (VITPERF_HAVE_CUPTI).
#pragma once

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "model/enum_names.h"

namespace vitperf::measure {

// How pipeline points get their CUPTI kernel breakdown (one untimed iteration after timing).
//   detach: trace, then cuptiFinalize() so the next point's host dispatch runs without CUPTI.
//   keep_attached: trace, leave CUPTI attached (what vitperf did before; kept to show the cost:
//     eager dispatch stays slower for the rest of the process, as Kineto found - TEARDOWN_CUPTI).
//   off: no breakdown.
enum class CuptiBreakdown { detach, keep_attached, off };

}  // namespace vitperf::measure

namespace vitperf {
template <>
struct EnumNames<measure::CuptiBreakdown> {
  static constexpr const char* kField = "cupti";
  static constexpr std::array<std::pair<measure::CuptiBreakdown, const char*>, 3> kNames{{
      {measure::CuptiBreakdown::detach, "detach"},
      {measure::CuptiBreakdown::keep_attached, "keep-attached"},
      {measure::CuptiBreakdown::off, "off"},
  }};
};
}  // namespace vitperf

namespace vitperf::measure {

// Class of a kernel from its (mangled or demangled) name, by case-insensitive substring, first
// match wins: attention before matmul because fused attention kernels are often CUTLASS
// ("fmha_cutlassF_..."). Returns "attention", "matmul", "norm_elementwise" or "other".
inline std::string KernelClass(const std::string& kernel_name) {
  std::string n(kernel_name);
  std::transform(n.begin(), n.end(), n.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto any = [&](std::initializer_list<const char*> needles) {
    for (const char* needle : needles)
      if (n.find(needle) != std::string::npos) return true;
    return false;
  };
  if (any({"flash", "fmha", "attention", "softmax", "sdpa"})) return "attention";
  // nvjet: cuBLAS's Hopper kernels (CUDA 12.8+); conv kernels are implicit gemms. Inductor
  // (compiled execution) names its generated GEMM and convolution templates triton_tem_*.
  if (any({"gemm", "cutlass", "xmma", "sm90_", "cublas", "nvjet", "gemv", "triton_tem_"}))
    return "matmul";
  // Inductor's fused pointwise, reduction and persistent-reduction kernels: the elementwise
  // chains and norms compiled execution folds together.
  if (any({"layer_norm", "layernorm", "elementwise", "vectorized", "reduce", "gelu", "add",
           "triton_poi_", "triton_red_", "triton_per_"}))
    return "norm_elementwise";
  return "other";
}

#if VITPERF_HAVE_CUPTI
// Enables CUPTI activity collection (concurrent kernels, memcpy) for its lifetime. One tracer at
// a time per process (CUPTI activity state is global). Move-only.
class CuptiTracer {
 public:
  // nullptr, with *warning set, when CUPTI cannot be enabled (another profiler owns it, no
  // device, another tracer running); never throws for CUPTI failures.
  static std::unique_ptr<CuptiTracer> Start(std::string* warning);
  ~CuptiTracer();
  CuptiTracer(CuptiTracer&& other) noexcept;
  CuptiTracer& operator=(CuptiTracer&& other) noexcept;
  CuptiTracer(const CuptiTracer&) = delete;
  CuptiTracer& operator=(const CuptiTracer&) = delete;

  // Flushes and disables collection; with `detach`, also detaches CUPTI from the process
  // (cuptiFinalize), because an attached CUPTI keeps slowing every later kernel launch even with
  // no activity enabled. Returns
  //   {"kernels": {class: {"time_ms", "count"}}, "kernel_time_ms", "kernel_count",
  //    "memcpy": {"h2d"|"d2h"|"d2d": {"time_ms", "count", "bytes"}}, "dropped_records"}
  // or null with *warning set when CUPTI failed while stopping. The caller synchronises the
  // device first so every kernel of the iteration has finished.
  nlohmann::json Stop(std::string* warning, bool detach = true);

 private:
  CuptiTracer() = default;
  bool active_ = false;
};
#endif

}  // namespace vitperf::measure
