#include "model/patch_conv_kernels.h"

#include "model/top_kernels.h"

namespace vitperf {
namespace {

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

bool IsPatchConvKernel(std::string_view name) {
  if (Contains(name, "implicit_convolve_sgemm")) return true;
  return Contains(name, "fprop") && (Contains(name, "cutlass") || Contains(name, "xmma"));
}

bool IsConvLayoutKernel(std::string_view name) { return Contains(name, "nchwToNhwcKernel"); }

double PatchConvKernelMs(const nlohmann::json& breakdown) {
  const double conv_ms = TopKernelsMs(breakdown, IsPatchConvKernel);
  return conv_ms > 0 ? conv_ms + TopKernelsMs(breakdown, IsConvLayoutKernel) : 0;
}

}  // namespace vitperf
