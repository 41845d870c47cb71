// Sums over the kernels a CUPTI breakdown names (its top_kernels list), so that one operator's
// kernels can be read out of a traced forward pass and fitted on their own.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string_view>

namespace vitperf {

// [ms] Summed time of the listed kernels whose name `matches`; 0 when the breakdown has no
// top_kernels list or no listed kernel matches.
double TopKernelsMs(const nlohmann::json& breakdown,
                    const std::function<bool(std::string_view name)>& matches);

}  // namespace vitperf
