#include "model/attention_kernels.h"

#include "model/top_kernels.h"

namespace vitperf {

bool IsFusedAttentionKernel(std::string_view name) {
  const auto has = [name](std::string_view part) { return name.find(part) != name.npos; };
  return has("flash_fprop") || has("flash_fwd") || has("fmha");
}

double FusedAttentionKernelMs(const nlohmann::json& breakdown) {
  return TopKernelsMs(breakdown, IsFusedAttentionKernel);
}

}  // namespace vitperf
