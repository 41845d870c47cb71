#include "model/patch_conv_kernels.h"

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
  if (!breakdown.is_object()) return 0;
  const auto list = breakdown.find("top_kernels");
  if (list == breakdown.end() || !list->is_array()) return 0;
  double conv_ms = 0, layout_ms = 0;
  for (const auto& kernel : *list) {
    if (!kernel.is_object() || !kernel.contains("name") || !kernel.contains("time_ms")) continue;
    if (!kernel["name"].is_string() || !kernel["time_ms"].is_number()) continue;
    const std::string name = kernel["name"].get<std::string>();
    if (IsPatchConvKernel(name)) conv_ms += kernel["time_ms"].get<double>();
    if (IsConvLayoutKernel(name)) layout_ms += kernel["time_ms"].get<double>();
  }
  return conv_ms > 0 ? conv_ms + layout_ms : 0;
}

}  // namespace vitperf
