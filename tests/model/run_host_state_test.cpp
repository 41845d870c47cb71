// Each run's median host state given to its points: the host's speed per run, not its drift.
#include "model/run_host_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vitperf {
namespace {

PipelineRecord PointOfRun(const std::string& boot_id, double launch_us,
                          PointStatus status = PointStatus::ok) {
  PipelineRecord r;
  r.id = "pl-" + std::to_string(launch_us);
  r.status = status;
  r.host_launch_us = launch_us;
  r.provenance = {{"host_boot_id", boot_id}, {"time_utc", "2026-11-24T17:00:00Z"}};
  return r;
}

TEST(RunHostState, EveryPointTakesItsRunsMedian) {
  std::vector<PipelineRecord> records = {PointOfRun("run-a", 5), PointOfRun("run-b", 8),
                                         PointOfRun("run-a", 9), PointOfRun("run-a", 6),
                                         PointOfRun("run-b", 7)};
  EXPECT_EQ(UseRunMedianHostLaunch(&records), 2);
  EXPECT_DOUBLE_EQ(records[0].host_launch_us, 6);    // run a: 5, 6, 9
  EXPECT_DOUBLE_EQ(records[1].host_launch_us, 7.5);  // run b: 7, 8
  EXPECT_DOUBLE_EQ(records[2].host_launch_us, 6);
  EXPECT_DOUBLE_EQ(records[3].host_launch_us, 6);
  EXPECT_DOUBLE_EQ(records[4].host_launch_us, 7.5);
}

TEST(RunHostState, UnmeasuredAndFailedPointsNeitherCountNorGainAState) {
  std::vector<PipelineRecord> records = {PointOfRun("run-a", 5), PointOfRun("run-a", 0),
                                         PointOfRun("run-a", 40, PointStatus::oom),
                                         PointOfRun("run-b", 9, PointStatus::error)};
  EXPECT_EQ(UseRunMedianHostLaunch(&records), 1);
  EXPECT_DOUBLE_EQ(records[0].host_launch_us, 5) << "the failed point's 40 us does not count";
  EXPECT_DOUBLE_EQ(records[1].host_launch_us, 0) << "a point without a probe stays without";
  EXPECT_DOUBLE_EQ(records[2].host_launch_us, 5);
  EXPECT_DOUBLE_EQ(records[3].host_launch_us, 9) << "a run with no ok probe keeps its own";
}

}  // namespace
}  // namespace vitperf
