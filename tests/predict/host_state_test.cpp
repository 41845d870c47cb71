// The host state recorded with each point (host_launch_us): the reference it is measured
// against, and what it scales (eager dispatch only) when validating with it.
#include <gtest/gtest.h>

#include <vector>

#include "model/hardware_profile.h"
#include "model/measurement_record.h"
#include "model/presets.h"
#include "predict/validation.h"

namespace vitperf {
namespace {

PipelineRecord Record(ExecutionMode execution, double host_launch_us,
                      PointStatus status = PointStatus::ok) {
  PipelineRecord r;
  r.id = "p";
  r.config = PresetByName("vit_ti16");
  r.batch = 1;
  r.options.execution = execution;
  r.options.compute_only = true;
  r.status = status;
  r.throughput_ips = 300;
  r.host_launch_us = host_launch_us;
  return r;
}

TEST(HostState, MedianSkipsRecordsWithoutOneAndFailedPoints) {
  const std::vector<PipelineRecord> records = {
      Record(ExecutionMode::eager, 6), Record(ExecutionMode::eager, 0),
      Record(ExecutionMode::eager, 9), Record(ExecutionMode::eager, 100, PointStatus::oom),
      Record(ExecutionMode::graph, 7)};
  EXPECT_DOUBLE_EQ(MedianHostLaunchUs(records), 7);  // of 6, 9, 7
  EXPECT_DOUBLE_EQ(MedianHostLaunchUs({Record(ExecutionMode::eager, 0)}), 0);
}

TEST(HostState, ScalesPerKernelHostCostsNotAGraphLaunch) {
  EXPECT_DOUBLE_EQ(DispatchScale(Record(ExecutionMode::eager, 9), 6), 1.5);
  EXPECT_DOUBLE_EQ(DispatchScale(Record(ExecutionMode::eager, 9), 0), 1) << "no reference";
  EXPECT_DOUBLE_EQ(DispatchScale(Record(ExecutionMode::eager, 0), 6), 1) << "not measured";
  EXPECT_DOUBLE_EQ(DispatchScale(Record(ExecutionMode::graph, 9), 6), 1) << "graphs don't dispatch";
  // Compiled code launches each kernel from the host as eager does.
  EXPECT_DOUBLE_EQ(DispatchScale(Record(ExecutionMode::compiled, 9), 6), 1.5);
}

TEST(HostState, ValidationPredictsASlowHostStateSlower) {
  const HardwareProfile gpu = LoadProfile("h100");
  // ViT-Ti/16 at batch 1, eager: dispatch-bound, so time grows almost in step with dispatch.
  const std::vector<PipelineRecord> slow = {Record(ExecutionMode::eager, 12)};
  const double plain = PredictRecords(slow, gpu)[0].prediction.throughput_ips;
  const double at_reference = PredictRecords(slow, gpu, nullptr, 12)[0].prediction.throughput_ips;
  const double twice_slower = PredictRecords(slow, gpu, nullptr, 6)[0].prediction.throughput_ips;
  EXPECT_DOUBLE_EQ(at_reference, plain);
  EXPECT_LT(twice_slower, 0.6 * plain);
  EXPECT_GT(twice_slower, 0.5 * plain * 0.9);
  // A CUDA-graph point is the same whatever the host state.
  const std::vector<PipelineRecord> graph = {Record(ExecutionMode::graph, 12)};
  EXPECT_DOUBLE_EQ(PredictRecords(graph, gpu, nullptr, 6)[0].prediction.throughput_ips,
                   PredictRecords(graph, gpu)[0].prediction.throughput_ips);
}

}  // namespace
}  // namespace vitperf
