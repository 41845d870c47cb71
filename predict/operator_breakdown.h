// Where one forward pass spends its device time: the model's operators at one batch, each with
// its work, its time and what bounds it. What a CUPTI trace would show, predicted.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/hardware_profile.h"
#include "model/operators.h"
#include "model/pipeline_options.h"
#include "model/vit_config.h"

namespace vitperf {

// Which term of TimeOperator is the largest: the matrix or vector rate, device memory, or the
// fixed latencies (memory trips, per-row reductions) that neither hides.
enum class OperatorBound { compute, memory, latency };

template <>
struct EnumNames<OperatorBound> {
  static constexpr const char* kField = "bound";
  static constexpr std::array<std::pair<OperatorBound, const char*>, 3> kNames{{
      {OperatorBound::compute, "compute"},
      {OperatorBound::memory, "memory"},
      {OperatorBound::latency, "latency"},
  }};
};
VITPERF_ENUM_JSON(OperatorBound)

struct OperatorCost {
  OpKind kind = OpKind::layernorm;
  std::string shape;   // DescribeShape, plus the conv kernel for the patch embedding
  double repeat = 1;   // instances per forward pass
  double kernels = 0;  // per forward pass, all instances
  double flops = 0;    // per forward pass
  double bytes = 0;    // per forward pass
  double time_s = 0;   // per forward pass, all instances, gaps excluded
  double share = 0;    // of the forward's summed operator time
  OperatorBound bound = OperatorBound::compute;
};
void to_json(nlohmann::json& j, const OperatorCost& c);

std::vector<OperatorCost> BreakdownOperators(const ViTConfig& config, int batch,
                                             const PipelineOptions& options,
                                             const HardwareProfile& profile);

}  // namespace vitperf
