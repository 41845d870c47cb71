// Scaling-law accuracy on the shipped H100 data: 5-fold cross-validation by whole model config
// (each fold refits the coefficients without its configs). A model change that breaks accuracy
// fails CI. The measured figures each bound guards are written beside it (README "Accuracy",
// scripts/accuracy_figures.sh); the bounds add a margin for solver differences across machines.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/run_command.h"

namespace vitperf::testing {
namespace {

// The shipped fit set of one GPU: every run's calibration, campaign, quick_test and
// staging_study records (data/measurements/<gpu>/<experiment>.jsonl, the README's fit command),
// space-separated for the command line.
std::string ShippedFiles(const std::string& gpu) {
  std::string files;
  for (const char* experiment : {"calibration", "campaign", "quick_test", "staging_study"})
    files += std::string(VITPERF_SOURCE_DIR) + "/data/measurements/" + gpu + "/" + experiment +
             ".jsonl ";
  return files;
}

// Measured (scripts/accuracy_figures.sh, 15 H100 runs): MAPE 3.4%, median 2.0%, regret mean 0.0% and
// max 0.2%. The bounds catch a change that breaks accuracy. The max regret's bound is a guard
// above the leave-one-run-out worst (3.2%, docs/probes/regret_leave_one_run_out.sh), not the
// issue's 3%: one config (vit_s16 384 px, batch 32 against 128) sits at the host's cache cliff,
// where which batch wins changes from run to run (README Accuracy).
TEST(ShippedData, H100HeldOutErrorStaysWithinItsBound) {
  const std::string files = ShippedFiles("h100");
  const CommandResult r = RunVitperf("validate --profile " + std::string(VITPERF_SOURCE_DIR) +
                                         "/data/hardware/h100-sxm.json --data " + files +
                                         "--kfold 5 --max-mape 4.0 --max-regret 5 --json",
                                     "shipped_kfold");
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 2000) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& s = j["summary"];
  EXPECT_GE(s["points"].get<int>(), 200);
  EXPECT_LE(s["median_ape"].get<double>(), 0.025);
  EXPECT_GE(s["spearman"].get<double>(), 0.99);
  EXPECT_LE(s["mean_regret"].get<double>(), 0.004);
}

// The shipped profile on points it was never fitted to: ViT-B/16 math attention either side of
// cuBLAS's SIMT fallback (measured 1.3% MAPE, 1.4% max regret). Without the fallback in the model
// the 1024 px batch-24 and 2048 px batch-3 points are off by 30% and more.
TEST(ShippedData, SimtFallbackCheckStaysWithinItsBound) {
  const CommandResult r =
      RunVitperf("validate --profile h100 --data " + std::string(VITPERF_SOURCE_DIR) +
                     "/data/measurements/h100/simt_check.jsonl --max-mape 6 --max-regret 3 --json",
                 "shipped_simt_check");
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 2000) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["summary"]["points"].get<int>(), 7);
}

// The shipped profiles on attention shapes no fitted dataset has (data/experiments/
// attention_check.json: head dims 32, 96, 128; 145 and 401 tokens), measured after the flash
// attention model was committed. Compute regime: H100 4.2%, H200 2.9%. All points: H100 11.3%
// (its run's host ran eager batch-1 forwards 0.9-1.6 ms), H200 4.5%.
TEST(ShippedData, AttentionCheckStaysWithinItsBound) {
  for (const char* gpu : {"h100", "h200"}) {
    const CommandResult r =
        RunVitperf(std::string("validate --profile ") + gpu + " --data " + VITPERF_SOURCE_DIR +
                       "/data/measurements/" + gpu + "/attention_check.jsonl --max-mape 15 --json",
                   std::string("shipped_attention_check_") + gpu);
    ASSERT_EQ(r.exit_code, 0) << gpu << r.out.substr(0, 2000) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["summary"]["points"].get<int>(), 30) << gpu;
    for (const auto& regime : j["regimes"]) {
      if (regime["regime"] == "compute") {
        EXPECT_LE(regime["mape"].get<double>(), 0.05) << gpu;
      }
    }
  }
}

// Cross-GPU (RQ6): the shipped H100 coefficients on the H200's datasheet, the host-side costs
// scaled to the H200 host by its launch probes and its staging coefficients refitted to its
// staging probes (no H200 throughput is used), validated on the H200 data (ten runs). The
// issue's target is 10%. Measured 7.5% (mean regret 0.5%, max 11.8%: the staging study's cache
// holds 25 MB batches that the pipelines' hosts streamed from DRAM); 11.0% when the H200 run of 16:55,
// on a slow host, was the only H200 run with the grid sample.
TEST(ShippedData, CrossGpuErrorStaysWithinTheTarget) {
  const std::string files = ShippedFiles("h200");
  const CommandResult r = RunVitperf(
      "validate --profile " + std::string(VITPERF_SOURCE_DIR) +
          "/data/hardware/h200.json --coefficients-from h100 --host-probes-from-data "
          "--data " +
          files + "--max-mape 10 --json",
      "shipped_cross_gpu");
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 2000) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["summary"]["points"].get<int>(), 100);
  EXPECT_LE(j["summary"]["mean_regret"].get<double>(), 0.015);
}

}  // namespace
}  // namespace vitperf::testing
