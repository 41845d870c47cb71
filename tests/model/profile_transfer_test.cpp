// Moving coefficients between profiles: the GPU side by datasheet ratios, the host side from
// micro-probes taken on the host that runs the work.
#include "model/profile_transfer.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string>
#include <vector>

#include "model/hardware_profile.h"

namespace vitperf {
namespace {

ProbeRecord Probe(const std::string& probe, nlohmann::json params, double value,
                  PointStatus status = PointStatus::ok) {
  ProbeRecord r;
  r.probe = probe;
  r.params = std::move(params);
  r.value = value;
  r.status = status;
  return r;
}

TEST(ProfileTransfer, LinkRatesScaleByNominalLinksAndTheResultIsUncalibrated) {
  const HardwareProfile h100 = LoadProfile("h100");
  const HardwareProfile h200 =
      LoadProfile(std::string(VITPERF_SOURCE_DIR) + "/data/hardware/h200.json");
  const HardwareProfile moved = TransferCoefficients(h100, h200);
  EXPECT_FALSE(moved.calibrated);
  EXPECT_EQ(moved.name, h200.name);
  EXPECT_DOUBLE_EQ(moved.coefficients[Coef::matmul_efficiency],
                   h100.coefficients[Coef::matmul_efficiency]);
  EXPECT_DOUBLE_EQ(moved.coefficients[Coef::h2d_pinned_gbs],
                   h100.coefficients[Coef::h2d_pinned_gbs] * h200.link_h2d_gbs / h100.link_h2d_gbs);
}

TEST(ProfileTransfer, HostProbesSetDispatchAndPageableRatesFromMedians) {
  // A datasheet profile has no reference host: dispatch becomes the launch probe itself.
  HardwareProfile p =
      LoadProfile(std::string(VITPERF_SOURCE_DIR) + "/data/hardware/h100-sxm.json");
  ASSERT_EQ(ReferenceLaunchUs(p), 0.0);
  const double matmul = p.coefficients[Coef::matmul_efficiency];
  const std::vector<ProbeRecord> probes = {
      Probe("launch", {{"execution", "eager"}}, 5.0),
      Probe("launch", {{"execution", "eager"}}, 7.0),
      Probe("launch", {{"execution", "eager"}}, 6.0),
      Probe("launch", {{"execution", "graph"}}, 1.1),  // not eager: ignored
      Probe("launch", {{"execution", "eager"}}, 99.0, PointStatus::error),
      Probe("h2d", {{"bytes", 1048576}, {"host_memory", "pageable"}}, 3.0),  // small: latency
      Probe("h2d", {{"bytes", 268435456}, {"host_memory", "pageable"}}, 9.0),
      Probe("h2d", {{"bytes", 268435456}, {"host_memory", "pinned"}}, 55.0),
      Probe("d2h", {{"bytes", 268435456}, {"host_memory", "pageable"}}, 16.0),
      Probe("d2h", {{"bytes", 268435456}, {"host_memory", "pageable"}}, 18.0),
  };
  const std::vector<std::string> set = ApplyHostProbes(probes, &p);
  ASSERT_EQ(set.size(), 3u);
  EXPECT_DOUBLE_EQ(p.coefficients[Coef::dispatch_us], 6.0);
  EXPECT_DOUBLE_EQ(p.coefficients[Coef::h2d_pageable_gbs], 9.0);
  EXPECT_DOUBLE_EQ(p.coefficients[Coef::d2h_pageable_gbs], 17.0);
  EXPECT_DOUBLE_EQ(p.coefficients[Coef::matmul_efficiency], matmul) << "GPU side untouched";
  EXPECT_EQ(set[0], "dispatch_us=6");

  HardwareProfile untouched = LoadProfile("h100");
  const double dispatch = untouched.coefficients[Coef::dispatch_us];
  EXPECT_TRUE(ApplyHostProbes({Probe("matmul", {{"m", 8}}, 1.0)}, &untouched).empty());
  EXPECT_DOUBLE_EQ(untouched.coefficients[Coef::dispatch_us], dispatch);
}

TEST(ProfileTransfer, FittedHostCostsMoveToAnotherHostByTheLaunchProbeRatio) {
  HardwareProfile source =
      LoadProfile(std::string(VITPERF_SOURCE_DIR) + "/data/hardware/h100-sxm.json");
  source.coefficients[Coef::dispatch_us] = 4.0;  // fitted on a host whose launch probe read 8 us
  source.coefficients[Coef::sync_us] = 120.0;
  source.coefficients[Coef::host_batch_us] = 40.0;
  source.coefficients[Coef::graph_launch_us] = 10.0;
  source.coefficients[Coef::kernel_gap_us] = 1.5;  // device time: stays
  source.fit = {{"host_reference", {{"launch_eager_us", 8.0}}}};
  const HardwareProfile target =
      LoadProfile(std::string(VITPERF_SOURCE_DIR) + "/data/hardware/h200.json");
  HardwareProfile moved = TransferCoefficients(source, target);
  EXPECT_DOUBLE_EQ(ReferenceLaunchUs(moved), 8.0) << "the reference travels with the coefficients";
  const std::vector<std::string> set =
      ApplyHostProbes({Probe("launch", {{"execution", "eager"}}, 6.0)}, &moved);
  ASSERT_EQ(set.size(), std::size(kHostTimeCoefficients));
  EXPECT_DOUBLE_EQ(moved.coefficients[Coef::dispatch_us], 4.0 * 6.0 / 8.0);
  EXPECT_DOUBLE_EQ(moved.coefficients[Coef::sync_us], 120.0 * 6.0 / 8.0);
  EXPECT_DOUBLE_EQ(moved.coefficients[Coef::host_batch_us], 40.0 * 6.0 / 8.0);
  EXPECT_DOUBLE_EQ(moved.coefficients[Coef::graph_launch_us], 10.0 * 6.0 / 8.0);
  EXPECT_DOUBLE_EQ(moved.coefficients[Coef::kernel_gap_us], 1.5);
  // A reference that is not a positive number counts as none.
  HardwareProfile odd = source;
  odd.fit["host_reference"]["launch_eager_us"] = "fast";
  EXPECT_EQ(ReferenceLaunchUs(odd), 0.0);
}

TEST(ProfileTransfer, ThePointsLaunchStateIsPreferredToTheLaunchProbe) {
  HardwareProfile source =
      LoadProfile(std::string(VITPERF_SOURCE_DIR) + "/data/hardware/h100-sxm.json");
  source.coefficients[Coef::dispatch_us] = 6.0;
  source.coefficients[Coef::sync_us] = 150.0;
  source.fit = {{"host_reference", {{"launch_eager_us", 6.0}, {"point_launch_us", 8.0}}}};
  const std::vector<ProbeRecord> probes = {Probe("launch", {{"execution", "eager"}}, 5.0)};
  // The data's points ran at a median of 5 us per tiny launch: 5/8 of the fitted host's state.
  HardwareProfile with_points = source;
  ApplyHostProbes(probes, &with_points, 5.0);
  EXPECT_DOUBLE_EQ(with_points.coefficients[Coef::dispatch_us], 6.0 * 5.0 / 8.0);
  EXPECT_DOUBLE_EQ(with_points.coefficients[Coef::sync_us], 150.0 * 5.0 / 8.0);
  // Without the data's point state, the launch probes' ratio (5/6).
  HardwareProfile probes_only = source;
  ApplyHostProbes(probes, &probes_only, 0.0);
  EXPECT_DOUBLE_EQ(probes_only.coefficients[Coef::dispatch_us], 6.0 * 5.0 / 6.0);
  // A profile without the point reference falls back to the probes too.
  HardwareProfile no_point_reference = source;
  no_point_reference.fit["host_reference"].erase("point_launch_us");
  ApplyHostProbes(probes, &no_point_reference, 5.0);
  EXPECT_DOUBLE_EQ(no_point_reference.coefficients[Coef::dispatch_us], 6.0 * 5.0 / 6.0);
}

TEST(ProfileTransfer, MedianHostProbesAreZeroWithoutProbes) {
  const HostProbeMedians m = MedianHostProbes({Probe("matmul", {{"m", 8}}, 1.0)});
  EXPECT_EQ(m.launch_eager_us, 0.0);
  EXPECT_EQ(m.h2d_pageable_gbs, 0.0);
  EXPECT_EQ(m.d2h_pageable_gbs, 0.0);
}

}  // namespace
}  // namespace vitperf
