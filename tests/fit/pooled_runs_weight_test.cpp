// A pipeline point pooled from n runs weighs in the fit as n observations, as the same
// probe measured in n runs does: a long-run average over seven hosts is not outvoted by one run
// on one host.
#include <gtest/gtest.h>

#include <cmath>

#include "fit/fit_coefficients.h"
#include "fit/observations.h"
#include "model/repeated_points.h"
#include "tests/fit/synthetic_data.h"

namespace vitperf {
namespace {

using testing::SyntheticOptions;

HardwareProfile Datasheet() {
  return LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
}

// Device-heavy points (batches 64 and 256 of the base and large ViTs) on `profile`, `runs` each.
std::vector<PipelineRecord> Points(const HardwareProfile& profile, int runs, const char* prefix) {
  SyntheticOptions o;
  o.noise = 0;
  o.models = {"vit_b16", "vit_l16"};
  o.batches = {64, 256};
  o.structure_points = false;
  std::vector<PipelineRecord> records = testing::SyntheticPipelineRecords(profile, o);
  for (PipelineRecord& r : records) {
    r.id = prefix + r.id;  // another point: the two sets must not pool into one
    r.pooled_runs = runs;
  }
  return records;
}

// matmul_efficiency fitted to points of `typical` counted `typical_runs` times each and the
// same points from a host whose GEMMs ran 15% slower, counted once.
double FittedMatmulEfficiency(const HardwareProfile& typical, int typical_runs) {
  HardwareProfile slow = typical;
  slow.coefficients[Coef::matmul_efficiency] /= 1.15;
  MeasurementSet data;
  data.pipeline = Points(typical, typical_runs, "typical-");
  for (const PipelineRecord& r : Points(slow, 1, "slow-")) data.pipeline.push_back(r);
  FitOptions options;
  options.loss = RobustLoss::none;  // the 15% apart must not be treated as outliers
  const FitResult fit = FitCoefficients(Datasheet(), data, options);
  EXPECT_TRUE(fit.converged) << fit.termination;
  return fit.per_coefficient[static_cast<int>(Coef::matmul_efficiency)].value;
}

TEST(PooledRunsWeight, ObservationsCarryTheRunsTheirPointPools) {
  const PipelineRecord point = Points(Datasheet(), 1, "").front();
  const std::vector<PipelineRecord> runs = {point, point, point};  // one point, three runs
  MeasurementSet data;
  data.pipeline = PoolRepeatedPoints(runs);
  ASSERT_EQ(data.pipeline.size(), 1u);
  ObservationOptions options;
  const ObservationSet set = CollectObservations(data, Datasheet(), options);
  ASSERT_FALSE(set.observations.empty());
  for (const Observation& o : set.observations)
    EXPECT_EQ(o.runs, 3) << ToString(o.kind) << ": every observation of the point counts 3 runs";
}

TEST(PooledRunsWeight, APointAveragedOverMoreRunsPullsHarder) {
  const HardwareProfile typical = Datasheet();
  const double truth = typical.coefficients[Coef::matmul_efficiency];
  // Equal counts: the fit lands between the two hosts (15% apart, so ~7% from each).
  const double equal = FittedMatmulEfficiency(typical, 1);
  // Four runs of the typical host against one slow run: ~3% from the typical one.
  const double weighted = FittedMatmulEfficiency(typical, 4);
  const double equal_gap = std::abs(std::log(equal / truth));
  const double weighted_gap = std::abs(std::log(weighted / truth));
  EXPECT_GT(equal_gap, 0.04) << "the slow run must matter at equal counts";
  EXPECT_LT(weighted_gap, 0.6 * equal_gap) << "fitted " << weighted << " (4 runs against 1) and "
                                           << equal << " (1 against 1), typical " << truth;
}

}  // namespace
}  // namespace vitperf
