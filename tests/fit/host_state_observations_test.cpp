// Each eager point's observations carry its host state relative to the fit's reference, and the
// residual charges dispatch at that state.
#include <gtest/gtest.h>

#include <cmath>

#include "fit/observations.h"
#include "fit/residuals.h"
#include "model/presets.h"
#include "tests/fit/observation_records.h"

namespace vitperf {
namespace {

PipelineRecord Eager(const std::string& id, double host_launch_us) {
  PipelineRecord r = testing::ComputeOnlyPoint(id, 1, 300);
  r.host_launch_us = host_launch_us;
  return r;
}

TEST(HostStateObservations, DispatchScaleIsHostLaunchOverReference) {
  MeasurementSet data;
  data.pipeline = {Eager("slow", 12), Eager("unmeasured", 0)};
  ObservationOptions options;
  options.host_launch_reference_us = 8;
  const ObservationSet set = CollectObservations(data, LoadProfile("cpu-generic"), options);
  ASSERT_FALSE(set.observations.empty());
  for (const Observation& o : set.observations)
    EXPECT_DOUBLE_EQ(o.dispatch_scale, o.id == "slow" ? 1.5 : 1.0) << o.id;
}

TEST(HostStateObservations, ResidualChargesDispatchAtThePointsState) {
  const HardwareProfile gpu = LoadProfile("h100");
  PipelineOptions eager;
  eager.compute_only = true;
  const ViTConfig tiny = PresetByName("vit_ti16");
  const double measured_s = 1e-3;
  std::array<double, kNumCoefficients> log_c{};
  for (int i = 0; i < kNumCoefficients; ++i) log_c[i] = std::log(gpu.coefficients.v[i]);
  double at_reference = 0, slower = 0;
  PipelineTimeResidual(tiny, 1, eager, gpu, measured_s, 1.0)(log_c.data(), &at_reference);
  PipelineTimeResidual(tiny, 1, eager, gpu, measured_s, 2.0)(log_c.data(), &slower);
  // Batch-1 eager ViT-Ti is dispatch-bound: twice the dispatch is close to twice the time.
  EXPECT_GT(slower - at_reference, std::log(1.8));
  EXPECT_LT(slower - at_reference, std::log(2.0) + 1e-9);
}

}  // namespace
}  // namespace vitperf
