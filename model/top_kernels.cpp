#include "model/top_kernels.h"

#include <string>

namespace vitperf {

double TopKernelsMs(const nlohmann::json& breakdown,
                    const std::function<bool(std::string_view name)>& matches) {
  if (!breakdown.is_object()) return 0;
  const auto list = breakdown.find("top_kernels");
  if (list == breakdown.end() || !list->is_array()) return 0;
  double ms = 0;
  for (const auto& kernel : *list) {
    if (!kernel.is_object() || !kernel.contains("name") || !kernel.contains("time_ms")) continue;
    if (!kernel["name"].is_string() || !kernel["time_ms"].is_number()) continue;
    if (matches(kernel["name"].get<std::string>())) ms += kernel["time_ms"].get<double>();
  }
  return ms;
}

}  // namespace vitperf
