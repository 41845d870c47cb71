// CUPTI kernel times: each traced point gives an observation of its summed kernel durations, and
// its residual moves with the device-side coefficients only, never with the host's.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "fit/observations.h"
#include "fit/residuals.h"
#include "model/evaluate.h"
#include "model/presets.h"

namespace vitperf {
namespace {

PipelineRecord Traced(const std::string& id, double kernel_time_ms) {
  PipelineRecord r;
  r.id = id;
  r.device = "cpu";
  r.config = PresetByName("vit_ti16");
  r.batch = 8;
  r.options.compute_only = true;
  r.throughput_ips = 3000;
  r.kernel_time_ms = kernel_time_ms;
  return r;
}

int KernelTimeObservations(const ObservationSet& set, double* seconds = nullptr) {
  int n = 0;
  for (const Observation& o : set.observations)
    if (o.kind == ObservationKind::kernel_time) {
      ++n;
      if (seconds) *seconds = o.measured;
    }
  return n;
}

TEST(KernelTimeObservations, ATracedPointGivesItsKernelSumInSeconds) {
  MeasurementSet data;
  data.pipeline = {Traced("traced", 2.5), Traced("untraced", 0)};
  const HardwareProfile cpu = LoadProfile("cpu-generic");
  double seconds = 0;
  EXPECT_EQ(KernelTimeObservations(CollectObservations(data, cpu, {}), &seconds), 1);
  EXPECT_DOUBLE_EQ(seconds, 2.5e-3);
  ObservationOptions off;
  off.kernel_times = false;
  EXPECT_EQ(KernelTimeObservations(CollectObservations(data, cpu, off)), 0);
}

TEST(KernelTimeObservations, ReadFromTheRecordsBreakdown) {
  nlohmann::json j = Traced("t", 0);
  j["breakdown"] = {{"source", "cupti"}, {"kernel_count", 126}, {"kernel_time_ms", 0.41}};
  EXPECT_DOUBLE_EQ(j.get<PipelineRecord>().kernel_time_ms, 0.41);
  j["breakdown"] = nullptr;
  EXPECT_DOUBLE_EQ(j.get<PipelineRecord>().kernel_time_ms, 0);
}

TEST(KernelTimeObservations, ResidualFollowsTheDeviceAndIgnoresTheHost) {
  const HardwareProfile gpu = LoadProfile("h100");
  const ViTConfig tiny = PresetByName("vit_ti16");
  PipelineOptions eager;
  eager.compute_only = true;
  const double kernels_s = Evaluate(tiny, 8, eager, gpu).kernel_time_s;
  ASSERT_GT(kernels_s, 0);
  const PipelineTimeResidual residual(tiny, 8, eager, gpu, kernels_s, 1, PipelineQuantity::kernels);
  std::array<double, kNumCoefficients> log_c{};
  for (int i = 0; i < kNumCoefficients; ++i) log_c[i] = std::log(gpu.coefficients.v[i]);
  auto at = [&](Coef c, double factor) {
    std::array<double, kNumCoefficients> moved = log_c;
    moved[static_cast<int>(c)] += std::log(factor);
    double r = 0;
    residual(moved.data(), &r);
    return r;
  };
  EXPECT_NEAR(at(Coef::dispatch_us, 1), 0, 1e-12) << "the model's own kernel sum";
  EXPECT_NEAR(at(Coef::dispatch_us, 3), 0, 1e-12) << "a slower host changes no kernel";
  EXPECT_NEAR(at(Coef::kernel_gap_us, 3), 0, 1e-12) << "gaps lie between kernels";
  EXPECT_LT(at(Coef::kernel_latency_us, 2), -1e-3 + at(Coef::kernel_latency_us, 3));
  EXPECT_GT(at(Coef::matmul_efficiency, 0.5), 0.01) << "slower GEMMs, longer kernels";
}

// The launch probe's kernel reads and writes one element: one trip through memory plus the gap
// (graph) or the framework call when that is longer (eager).
TEST(KernelTimeObservations, LaunchProbeKernelIsAGapPlusOneMemoryTrip) {
  const HardwareProfile gpu = LoadProfile("h100");
  CoefficientValues<double> c = gpu.coefficients;
  c[Coef::graph_kernel_gap_us] = 0.5;
  c[Coef::kernel_gap_us] = 1.5;
  c[Coef::kernel_latency_us] = 0.7;
  c[Coef::dispatch_us] = 6;
  std::array<double, kNumCoefficients> log_c{};
  for (int i = 0; i < kNumCoefficients; ++i) log_c[i] = std::log(c.v[i]);
  const DeviceRates rates = RatesFor(gpu, Precision::fp32);
  double r = 0;
  LaunchResidual(ExecutionMode::graph, 1000, rates, 1.2)(log_c.data(), &r);
  EXPECT_NEAR(r, 0, 1e-3) << "0.5 us gap + 0.7 us trip";
  LaunchResidual(ExecutionMode::eager, 1000, rates, 6.0)(log_c.data(), &r);
  EXPECT_NEAR(r, 0, 1e-9) << "eager: the 6 us call, not the 2.2 us kernel";
}

}  // namespace
}  // namespace vitperf
