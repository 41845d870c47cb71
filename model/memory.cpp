#include "model/memory.h"

#include "model/parameter_count.h"
#include "model/transfers.h"

namespace vitperf {

MemoryEstimate EstimateMemory(const ViTConfig& c, int batch, const PipelineOptions& o,
                              const OperatorList& ops, const HardwareProfile& profile) {
  MemoryEstimate m;
  // Under autocast the fp32 parameters stay, and the copies cast to the products' precision
  // stay cached until the autocast region ends: both are resident during the forward pass.
  const double weight_element =
      c.autocast ? 4.0 + ElementBytes(c.precision) : ElementBytes(c.precision);
  m.weights_bytes = static_cast<double>(CountParameters(c).Total()) * weight_element;
  m.activations_bytes = ops.PeakLiveBytes() * profile.coefficients[Coef::activation_memory_factor];
  const double pixels = static_cast<double>(batch) * static_cast<double>(c.PixelsPerImage());
  const double input_element =
      o.compute_only ? c.InputElementBytes() : (o.input == InputFormat::uint8 ? 1.0 : 4.0);
  const double in_flight = o.pipeline == PipelineMode::overlapped ? o.queue_depth : 1;
  m.io_buffers_bytes = in_flight * (pixels * input_element + OutputBytes(c, batch));
  m.workspace_bytes = profile.workspace_mib * 1024.0 * 1024.0;
  return m;
}

int LargestFittingBatch(const ViTConfig& c, const PipelineOptions& o,
                        const HardwareProfile& profile, double budget_bytes, int search_limit) {
  OperatorList ops;
  const ForwardOptions forward = ForwardOptionsFor(o, profile.architecture);
  auto fits = [&](int batch) {
    BuildOperators(c, batch, forward, &ops);
    return EstimateMemory(c, batch, o, ops, profile).TotalBytes() <= budget_bytes;
  };
  if (!fits(1)) return 0;
  int lo = 1, hi = 2;
  while (hi <= search_limit && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi > search_limit) return lo;
  while (hi - lo > 1) {  // invariant: fits(lo), !fits(hi)
    const int mid = lo + (hi - lo) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace vitperf
