#include "predict/operator_breakdown.h"

#include <algorithm>

#include "model/roofline.h"

namespace vitperf {

std::vector<OperatorCost> BreakdownOperators(const ViTConfig& config, int batch,
                                             const PipelineOptions& options,
                                             const HardwareProfile& profile) {
  OperatorList ops;
  BuildOperators(config, batch, ForwardOptionsFor(options, profile.architecture), &ops);
  const DeviceRates rates = RatesFor(profile, config.precision);
  const CoefficientView<double> c{profile.coefficients.v.data()};
  std::vector<OperatorCost> out;
  double total_s = 0;
  for (const Operator& op : ops) {
    const OperatorTime<double> t = TimeOperator(op, rates, c);
    // Views (no kernel, no traffic) take host dispatch only. An operator that compiled code fused
    // into a neighbour's kernel (the residual add into the next LayerNorm) has no kernel of its
    // own but still moves its bytes there: listed, so that the rows sum to the forward.
    if (op.kernels <= 0 && !(t.time_s > 0)) continue;
    OperatorCost cost;
    cost.kind = op.kind;
    cost.shape = DescribeShape(op);
    if (op.kernels <= 0) cost.shape += " (fused into a neighbour's kernel)";
    if (op.kind == OpKind::patch_embed) cost.shape += " conv, " + ToString(op.conv_path);
    if (op.kind == OpKind::attn_fused && rates.flash_attention) {
      const FlashTiling f = FlashAttentionTiling(op, rates);
      cost.shape += " flash, " + std::to_string(static_cast<long long>(f.waves)) + " waves x " +
                    std::to_string(static_cast<long long>(f.key_blocks)) + " key blocks";
    }
    cost.repeat = op.repeat;
    cost.kernels = op.kernels * op.repeat;
    cost.flops = op.flops * op.repeat;
    cost.bytes = op.bytes * op.repeat;
    cost.time_s = t.time_s * op.repeat;
    const double latency_s = t.time_s - std::max(t.compute_s, t.memory_s);
    if (latency_s > std::max(t.compute_s, t.memory_s))
      cost.bound = OperatorBound::latency;
    else
      cost.bound = t.compute_bound ? OperatorBound::compute : OperatorBound::memory;
    total_s += cost.time_s;
    out.push_back(cost);
  }
  for (OperatorCost& cost : out) cost.share = total_s > 0 ? cost.time_s / total_s : 0;
  return out;
}

void to_json(nlohmann::json& j, const OperatorCost& c) {
  j = nlohmann::json{{"operator", c.kind},        {"shape", c.shape}, {"repeat", c.repeat},
                     {"kernels", c.kernels},      {"flops", c.flops}, {"bytes", c.bytes},
                     {"time_ms", c.time_s * 1e3}, {"share", c.share}, {"bound", c.bound}};
}

}  // namespace vitperf
