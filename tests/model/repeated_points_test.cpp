// Pooling repeated measurements of one point: long-run averages over the runs, per device.
#include "model/repeated_points.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vitperf {
namespace {

PipelineRecord MeasuredRun(const std::string& id, double ips, double launch_us,
                           const std::string& device_name = "NVIDIA H100 80GB HBM3") {
  PipelineRecord r;
  r.id = id;
  r.device = "cuda:0";
  r.throughput_ips = ips;
  r.compute.median_ms = 1000.0 / ips;
  r.compute.repeats = 10;
  r.preprocess_ms = ips / 100;
  r.host_launch_us = launch_us;
  r.kernel_time_ms = 900.0 / ips;
  r.peak_memory_bytes = ips;
  r.wall_s = 1;
  r.provenance = {{"device_name", device_name}};
  return r;
}

TEST(RepeatedPoints, ARepeatedPointBecomesTheLongRunAverageOfItsRuns) {
  PipelineRecord untraced = MeasuredRun("a", 300, 0);
  untraced.kernel_time_ms = 0;
  const std::vector<PipelineRecord> pooled = PoolRepeatedPoints(
      {MeasuredRun("a", 100, 6), MeasuredRun("b", 50, 7), untraced, MeasuredRun("a", 200, 8)});
  ASSERT_EQ(pooled.size(), 2u);
  const PipelineRecord& a = pooled[0];  // order of first appearance
  EXPECT_EQ(a.id, "a");
  EXPECT_EQ(a.pooled_runs, 3);
  // 10 + 3.33 + 5 ms per image over three runs: 6.11 ms, 163.6 images/s (the median run: 200).
  EXPECT_DOUBLE_EQ(a.throughput_ips, 3.0 / (1.0 / 100 + 1.0 / 300 + 1.0 / 200));
  EXPECT_DOUBLE_EQ(a.compute.median_ms, (10.0 + 1000.0 / 300 + 5.0) / 3);
  EXPECT_EQ(a.compute.repeats, 30);
  EXPECT_DOUBLE_EQ(a.preprocess_ms, 2);
  EXPECT_DOUBLE_EQ(a.host_launch_us, 7) << "runs without the launch probe (0) do not count";
  EXPECT_DOUBLE_EQ(a.kernel_time_ms, (9.0 + 4.5) / 2) << "nor runs without a kernel trace";
  EXPECT_DOUBLE_EQ(a.peak_memory_bytes, 300) << "the largest peak";
  EXPECT_DOUBLE_EQ(a.wall_s, 3);
  EXPECT_EQ(pooled[1].id, "b");
  EXPECT_EQ(pooled[1].pooled_runs, 1);
  EXPECT_DOUBLE_EQ(pooled[1].throughput_ips, 50);
}

TEST(RepeatedPoints, TheSamePointOnAnotherGpuStaysApart) {
  const std::vector<PipelineRecord> pooled =
      PoolRepeatedPoints({MeasuredRun("a", 100, 6), MeasuredRun("a", 300, 6, "NVIDIA H200")});
  ASSERT_EQ(pooled.size(), 2u);
  EXPECT_DOUBLE_EQ(pooled[0].throughput_ips, 100);
  EXPECT_DOUBLE_EQ(pooled[1].throughput_ips, 300);
}

TEST(RepeatedPoints, OnlyOkRunsArePooledAndAFailedPointKeepsItsRecord) {
  PipelineRecord oom = MeasuredRun("a", 0, 0);
  oom.status = PointStatus::oom;
  PipelineRecord error = MeasuredRun("b", 0, 0);
  error.status = PointStatus::error;
  error.message = "first";
  PipelineRecord error2 = error;
  error2.message = "second";
  const std::vector<PipelineRecord> pooled =
      PoolRepeatedPoints({oom, MeasuredRun("a", 120, 6), error, error2});
  ASSERT_EQ(pooled.size(), 2u);
  EXPECT_EQ(pooled[0].status, PointStatus::ok);
  EXPECT_DOUBLE_EQ(pooled[0].throughput_ips, 120);
  EXPECT_EQ(pooled[1].status, PointStatus::error);
  EXPECT_EQ(pooled[1].message, "first");
}

TEST(RepeatedPoints, TheSetOverloadCountsMergedRecords) {
  MeasurementSet set;
  set.pipeline = {MeasuredRun("a", 100, 6), MeasuredRun("a", 200, 6), MeasuredRun("a", 300, 6),
                  MeasuredRun("b", 1, 1)};
  EXPECT_EQ(PoolRepeatedPoints(&set), 2);
  EXPECT_EQ(set.pipeline.size(), 2u);
  EXPECT_EQ(PoolRepeatedPoints(&set), 0) << "pooling twice changes nothing";
}

TEST(RepeatedPoints, APooledPeakComesFromTheRunsThatMeasuredTheirOwnPeak) {
  PipelineRecord old_run = MeasuredRun("a", 100, 6);
  old_run.peak_memory_bytes = 700e6;  // counted an earlier point's cuBLAS workspaces
  old_run.provenance["time_utc"] = "2026-11-24T10:00:00Z";
  PipelineRecord own_run = MeasuredRun("a", 100, 6);
  own_run.peak_memory_bytes = 450e6;
  own_run.provenance["time_utc"] = "2026-11-24T11:04:06Z";
  const std::vector<PipelineRecord> mixed = PoolRepeatedPoints({old_run, own_run});
  ASSERT_EQ(mixed.size(), 1u);
  EXPECT_DOUBLE_EQ(mixed[0].peak_memory_bytes, 450e6);
  EXPECT_TRUE(PeakMemoryIsPerPoint(mixed[0]));
  // Older runs only: the largest of their peaks, and not per point.
  PipelineRecord older = old_run;
  older.peak_memory_bytes = 650e6;
  const std::vector<PipelineRecord> old_only = PoolRepeatedPoints({old_run, older});
  EXPECT_DOUBLE_EQ(old_only[0].peak_memory_bytes, 700e6);
  EXPECT_FALSE(PeakMemoryIsPerPoint(old_only[0]));
  EXPECT_FALSE(PeakMemoryIsPerPoint(MeasuredRun("b", 1, 1)));  // no time recorded
}

}  // namespace
}  // namespace vitperf
