// Best-batch regret paired by run: batches are compared over the runs that measured both, so
// that a host's speed in one run (a stint on a GPU host) does not pass for a batch's.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "model/repeated_points.h"
#include "predict/validation.h"

namespace vitperf {
namespace {

// One run's record of config "a" at `batch`, measured in run `run` (its provenance.time_utc).
PipelineRecord RunRecord(int batch, const std::string& run, double ips,
                         PointStatus status = PointStatus::ok) {
  PipelineRecord r;
  r.id = "a-" + std::to_string(batch);
  r.device = "cuda:0";
  r.config.name = "a";
  r.batch = batch;
  r.status = status;
  r.throughput_ips = status == PointStatus::ok ? ips : 0;
  r.provenance = {{"device_name", "NVIDIA H100 80GB HBM3"}, {"time_utc", run}};
  return r;
}

// Pools the runs (as `vitperf validate` does) and pairs each point with a prediction.
std::vector<ValidationInput> Inputs(const std::vector<PipelineRecord>& runs,
                                    const std::vector<std::pair<int, double>>& predicted) {
  std::vector<ValidationInput> in;
  for (const PipelineRecord& r : PoolRepeatedPoints(runs)) {
    ValidationInput v;
    v.record = r;
    v.prediction.batch = r.batch;
    v.prediction.fits = true;
    for (const auto& [batch, ips] : predicted)
      if (batch == r.batch) v.prediction.throughput_ips = ips;
    in.push_back(v);
  }
  return in;
}

// The regret the unpaired comparison of pooled throughputs gives: 1 - pick / best pooled.
double PooledRegret(const std::vector<ValidationInput>& in, int pick_batch) {
  double best = 0, at_pick = 0;
  for (const ValidationInput& v : in) {
    best = std::max(best, v.record.throughput_ips);
    if (v.record.batch == pick_batch) at_pick = v.record.throughput_ips;
  }
  return std::max(0.0, 1 - at_pick / best);
}

constexpr const char* kRunA = "2026-12-01T08:00:00Z";
constexpr const char* kRunB = "2026-12-02T08:00:00Z";
constexpr const char* kRunC = "2026-12-03T08:00:00Z";

TEST(PairedRegret, ComparesBatchesOnlyOverTheRunsThatMeasuredBoth) {
  // Batch 16 in runs A (a fast host) and B, batch 128 only in run B. In run B, 128 is 5% faster
  // than 16; pooled, 16 carries run A's fast host and looks better than 128.
  const std::vector<ValidationInput> in =
      Inputs({RunRecord(16, kRunA, 1150), RunRecord(16, kRunB, 1000), RunRecord(128, kRunB, 1050)},
             {{16, 1100}, {128, 1000}});  // the model picks 16
  ASSERT_EQ(in.size(), 2u);
  const double pooled16 = 2 / (1 / 1150.0 + 1 / 1000.0);  // 1069.8 images/s
  ASSERT_DOUBLE_EQ(in[0].record.throughput_ips, pooled16);

  const ValidationReport r = Validate(in, ValidationOptions{});
  ASSERT_EQ(r.regrets.size(), 1u);
  const ConfigRegret& c = r.regrets[0];
  EXPECT_EQ(c.predicted_best_batch, 16);
  EXPECT_EQ(c.measured_best_batch, 128);
  EXPECT_DOUBLE_EQ(c.measured_best_ips, 1050);          // run B only
  EXPECT_DOUBLE_EQ(c.measured_at_predicted_ips, 1000);  // run B only, not the pooled 1069.8
  EXPECT_NEAR(c.regret, 1 - 1000 / 1050.0, 1e-12);
  EXPECT_EQ(c.paired_runs, 1);
  EXPECT_EQ(c.unpaired_batches, 0);
  EXPECT_NEAR(r.max_regret, 1 - 1000 / 1050.0, 1e-12);

  // The pooled comparison would have said the model's pick was the best: no regret at all.
  EXPECT_DOUBLE_EQ(PooledRegret(in, 16), 0.0);
  EXPECT_GT(c.regret, PooledRegret(in, 16) + 0.04);
}

TEST(PairedRegret, APickMeasuredOnlyOnASlowLeaseIsNotChargedForTheHost) {
  // The reported artifact: the pick (64) measured once, in a slow run (B); 128 measured in that
  // run and in a fast one (A). Pooled, 128 looks 7.5% better; in run B it is 1% better.
  const std::vector<ValidationInput> in =
      Inputs({RunRecord(64, kRunB, 1000), RunRecord(128, kRunA, 1150), RunRecord(128, kRunB, 1010)},
             {{64, 1200}, {128, 1100}});
  const ValidationReport r = Validate(in, ValidationOptions{});
  ASSERT_EQ(r.regrets.size(), 1u);
  const ConfigRegret& c = r.regrets[0];
  EXPECT_EQ(c.predicted_best_batch, 64);
  EXPECT_EQ(c.measured_best_batch, 128);
  EXPECT_DOUBLE_EQ(c.measured_best_ips, 1010);
  EXPECT_DOUBLE_EQ(c.measured_at_predicted_ips, 1000);
  EXPECT_NEAR(c.regret, 1 - 1000 / 1010.0, 1e-12);
  EXPECT_EQ(c.paired_runs, 1);
  EXPECT_NEAR(PooledRegret(in, 64), 1 - 1000 / (2 / (1 / 1150.0 + 1 / 1010.0)), 1e-12);
  EXPECT_GT(PooledRegret(in, 64), c.regret + 0.05);
}

TEST(PairedRegret, ABatchSharingNoRunWithThePickIsCountedAndLeftOut) {
  // 256 was measured only in run C, which did not measure the pick (16): however fast it looks,
  // it does not set the regret.
  const std::vector<ValidationInput> in =
      Inputs({RunRecord(16, kRunA, 1000), RunRecord(16, kRunB, 900), RunRecord(64, kRunA, 1020),
              RunRecord(64, kRunB, 930), RunRecord(256, kRunC, 5000)},
             {{16, 1100}, {64, 1000}, {256, 1050}});
  const ValidationReport r = Validate(in, ValidationOptions{});
  ASSERT_EQ(r.regrets.size(), 1u);
  const ConfigRegret& c = r.regrets[0];
  EXPECT_EQ(c.predicted_best_batch, 16);
  EXPECT_EQ(c.unpaired_batches, 1);
  EXPECT_EQ(c.measured_best_batch, 64);
  EXPECT_EQ(c.paired_runs, 2);
  // Over both shared runs: the pooled throughputs of 64 and 16.
  const double h64 = 2 / (1 / 1020.0 + 1 / 930.0), h16 = 2 / (1 / 1000.0 + 1 / 900.0);
  EXPECT_DOUBLE_EQ(c.measured_best_ips, h64);
  EXPECT_DOUBLE_EQ(c.measured_at_predicted_ips, h16);
  EXPECT_NEAR(c.regret, 1 - h16 / h64, 1e-12);
  EXPECT_LT(c.regret, 0.05) << "run C's 5000 images/s must not enter";

  const nlohmann::json j = r;
  EXPECT_EQ(j["regret"][0]["unpaired_batches"], 1);
  EXPECT_EQ(j["regret"][0]["paired_runs"], 2);
  EXPECT_EQ(j["regret"][0]["measured_best_batch"], 64);
}

TEST(PairedRegret, EachRunsOwnRegretShowsHowMuchTheHostDecides) {
  // The pick (64) wins on run A, loses 10% to 256 on run B, and run C measured it alone.
  const std::vector<ValidationInput> in =
      Inputs({RunRecord(64, kRunA, 1200), RunRecord(256, kRunA, 1100), RunRecord(64, kRunB, 900),
              RunRecord(128, kRunB, 950), RunRecord(256, kRunB, 1000), RunRecord(64, kRunC, 1000)},
             {{64, 1200}, {128, 1100}, {256, 1100}});
  const ValidationReport r = Validate(in, ValidationOptions{});
  ASSERT_EQ(r.regrets.size(), 1u);
  const ConfigRegret& c = r.regrets[0];
  EXPECT_EQ(c.predicted_best_batch, 64);
  EXPECT_EQ(c.runs_scored, 2) << "run C measured no other batch";
  EXPECT_DOUBLE_EQ(c.run_regret_min, 0.0);
  EXPECT_NEAR(c.run_regret_max, 1 - 900 / 1000.0, 1e-12);

  const nlohmann::json j = r;
  EXPECT_EQ(j["regret"][0]["runs_scored"], 2);
  EXPECT_NEAR(j["regret"][0]["run_regret_max"].get<double>(), 0.1, 1e-12);
}

TEST(PairedRegret, ThePickAsTheBestKeepsItsPooledThroughput) {
  const std::vector<ValidationInput> in =
      Inputs({RunRecord(16, kRunA, 1200), RunRecord(16, kRunB, 1000), RunRecord(128, kRunB, 950),
              RunRecord(256, kRunC, 1300)},
             {{16, 1100}, {128, 1000}, {256, 1000}});
  const ValidationReport r = Validate(in, ValidationOptions{});
  ASSERT_EQ(r.regrets.size(), 1u);
  const ConfigRegret& c = r.regrets[0];
  EXPECT_EQ(c.measured_best_batch, 16);
  EXPECT_DOUBLE_EQ(c.measured_best_ips, in[0].record.throughput_ips);
  EXPECT_DOUBLE_EQ(c.measured_at_predicted_ips, in[0].record.throughput_ips);
  EXPECT_DOUBLE_EQ(c.regret, 0);
  EXPECT_EQ(c.paired_runs, 2);
  EXPECT_EQ(c.unpaired_batches, 1);
}

TEST(PairedRegret, OneRunGivesThePlainComparison) {
  // Every record from one run (and, separately, none with provenance): the measured throughputs
  // are compared as they are.
  for (const std::string& run : {std::string(kRunA), std::string()}) {
    std::vector<PipelineRecord> runs = {RunRecord(1, run, 100), RunRecord(2, run, 180),
                                        RunRecord(4, run, 170)};
    if (run.empty())
      for (PipelineRecord& rec : runs) rec.provenance = nullptr;
    const ValidationReport r =
        Validate(Inputs(runs, {{1, 90}, {2, 150}, {4, 200}}), ValidationOptions{});
    ASSERT_EQ(r.regrets.size(), 1u);
    const ConfigRegret& c = r.regrets[0];
    EXPECT_EQ(c.predicted_best_batch, 4);
    EXPECT_EQ(c.measured_best_batch, 2);
    EXPECT_EQ(c.measured_best_ips, 180);
    EXPECT_EQ(c.measured_at_predicted_ips, 170);
    EXPECT_EQ(c.regret, std::max(0.0, 1.0 - 170.0 / 180.0)) << "bit for bit as before";
    EXPECT_EQ(c.paired_runs, 1);
    EXPECT_EQ(c.unpaired_batches, 0);
  }
}

TEST(PairedRegret, APickOutOfMemoryScoresOneAgainstThePooledBest) {
  const std::vector<ValidationInput> in =
      Inputs({RunRecord(16, kRunA, 1200), RunRecord(16, kRunB, 1000),
              RunRecord(128, kRunB, 0, PointStatus::oom)},
             {{16, 1000}, {128, 1100}});
  const ValidationReport r = Validate(in, ValidationOptions{});
  ASSERT_EQ(r.regrets.size(), 1u);
  const ConfigRegret& c = r.regrets[0];
  EXPECT_EQ(c.predicted_best_batch, 128);
  EXPECT_EQ(c.measured_best_batch, 16);
  EXPECT_DOUBLE_EQ(c.measured_best_ips, 2 / (1 / 1200.0 + 1 / 1000.0));
  EXPECT_DOUBLE_EQ(c.measured_at_predicted_ips, 0);
  EXPECT_DOUBLE_EQ(c.regret, 1);
  EXPECT_EQ(c.paired_runs, 0);
}

TEST(PairedRegret, PoolingListsEachRunsThroughput) {
  PipelineRecord untimed = RunRecord(16, kRunC, 0);  // ok, but timed nothing
  PipelineRecord no_provenance = RunRecord(16, "", 800);
  no_provenance.provenance = {{"device_name", "NVIDIA H100 80GB HBM3"}};
  const std::vector<PipelineRecord> pooled =
      PoolRepeatedPoints({RunRecord(16, kRunA, 1200), RunRecord(128, kRunB, 900),
                          RunRecord(16, kRunB, 1000), RunRecord(16, kRunB, 1100),
                          RunRecord(16, kRunC, 0, PointStatus::error), untimed, no_provenance});
  ASSERT_EQ(pooled.size(), 2u);
  const PipelineRecord& a = pooled[0];
  EXPECT_EQ(a.pooled_runs, 5);
  ASSERT_EQ(a.run_throughputs.size(), 4u) << "every ok run that timed something, in order";
  EXPECT_EQ(a.run_throughputs[0].run, kRunA);
  EXPECT_DOUBLE_EQ(a.run_throughputs[0].throughput_ips, 1200);
  EXPECT_EQ(a.run_throughputs[1].run, kRunB);  // two records of run B: both kept
  EXPECT_DOUBLE_EQ(a.run_throughputs[1].throughput_ips, 1000);
  EXPECT_EQ(a.run_throughputs[2].run, kRunB);
  EXPECT_DOUBLE_EQ(a.run_throughputs[2].throughput_ips, 1100);
  EXPECT_EQ(a.run_throughputs[3].run, "");  // no time_utc in its provenance
  EXPECT_DOUBLE_EQ(a.run_throughputs[3].throughput_ips, 800);

  // A point of one run keeps an empty list, read as its own run.
  const PipelineRecord& b = pooled[1];
  EXPECT_EQ(b.pooled_runs, 1);
  EXPECT_TRUE(b.run_throughputs.empty());
  const std::vector<RunThroughput> own = RunThroughputs(b);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].run, kRunB);
  EXPECT_DOUBLE_EQ(own[0].throughput_ips, 900);
  EXPECT_EQ(RunKey(b), kRunB);
  EXPECT_EQ(RunKey(no_provenance), "");

  // A host boot names the run where recorded: two processes of one boot are one run.
  PipelineRecord first_call = RunRecord(16, kRunA, 1000), resumed = RunRecord(128, kRunB, 1000);
  first_call.provenance["host_boot_id"] = "6f1c2a9e-0000-4000-8000-000000000001";
  resumed.provenance["host_boot_id"] = "6f1c2a9e-0000-4000-8000-000000000001";
  EXPECT_EQ(RunKey(first_call), RunKey(resumed));
  EXPECT_NE(RunKey(first_call), RunKey(RunRecord(16, kRunA, 1000))) << "boot, not time";

  // In memory only: the JSONL record does not carry it.
  EXPECT_EQ(ToJsonLine(a).find("run_throughputs"), std::string::npos);
  EXPECT_EQ(ToJsonLine(a).find(kRunB), std::string::npos) << "the first run's provenance only";
}

}  // namespace
}  // namespace vitperf
