// Peak memory informs the fit only for records measured once each point's peak was its own
// (kPeakMemoryPerPointSince): earlier ones count other points' cuBLAS workspaces.
#include <gtest/gtest.h>

#include <string>

#include "fit/observations.h"
#include "model/hardware_profile.h"
#include "tests/fit/observation_records.h"

namespace vitperf {
namespace {

PipelineRecord WithPeak(const std::string& id, const std::string& time_utc) {
  PipelineRecord r = testing::ComputeOnlyPoint(id, 8, 3000);
  r.peak_memory_bytes = 200e6;
  if (!time_utc.empty()) r.provenance = {{"time_utc", time_utc}};
  return r;
}

int PeakMemoryObservations(const ObservationSet& set) {
  int n = 0;
  for (const Observation& o : set.observations) n += o.kind == ObservationKind::peak_memory;
  return n;
}

TEST(PeakMemoryObservations, OnlyRecordsMeasuredAfterTheWorkspaceFixInform) {
  MeasurementSet data;
  data.pipeline = {WithPeak("before", "2026-11-24T10:30:00Z"),
                   WithPeak("after", "2026-11-24T11:04:06Z"), WithPeak("no time", "")};
  ObservationOptions options;
  options.allow_device_mismatch = true;
  const ObservationSet set = CollectObservations(data, LoadProfile("h100"), options);
  EXPECT_EQ(PeakMemoryObservations(set), 1);
  EXPECT_EQ(set.peak_memory_before_fix, 2);
  // Their other observations stay: all three records are used.
  EXPECT_EQ(set.records_used, 3);
  bool warned = false;
  for (const std::string& w : set.warnings)
    warned |= w.find("2 records measured before") != std::string::npos;
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace vitperf
