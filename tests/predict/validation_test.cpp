// Validation metrics on small examples computed by hand.
#include "predict/validation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vitperf {
namespace {

ValidationInput Point(const std::string& config, int batch, double measured, double predicted,
                      PointStatus status = PointStatus::ok, bool fits = true,
                      Regime regime = Regime::compute) {
  ValidationInput in;
  in.record.id = config + "-" + std::to_string(batch);
  in.record.config.name = config;
  in.record.batch = batch;
  in.record.status = status;
  in.record.throughput_ips = status == PointStatus::ok ? measured : 0;
  in.prediction.batch = batch;
  in.prediction.throughput_ips = predicted;
  in.prediction.fits = fits;
  in.prediction.regime = regime;
  return in;
}

TEST(Validation, SpearmanByHand) {
  // Ranks of b: 5->1, 6->2, 7->3.5 (tie), 8->5; rho = 8 / sqrt(10 * 9.5).
  EXPECT_NEAR(SpearmanCorrelation({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}), 8 / std::sqrt(95.0), 1e-12);
  EXPECT_NEAR(SpearmanCorrelation({1, 2, 3}, {30, 20, 10}), -1.0, 1e-12);
  EXPECT_NEAR(SpearmanCorrelation({1, 2, 3}, {1, 4, 9}), 1.0, 1e-12);  // monotone, not linear
  EXPECT_TRUE(std::isnan(SpearmanCorrelation({1}, {2})));
  EXPECT_TRUE(std::isnan(SpearmanCorrelation({1, 2}, {3, 3})));
}

TEST(Validation, QuantileInterpolates) {
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.9), 3.7);  // at 2.7: 3 + 0.7 * (4 - 3)
  EXPECT_DOUBLE_EQ(Quantile({7}, 0.9), 7);
  EXPECT_DOUBLE_EQ(Quantile({}, 0.5), 0);
}

TEST(Validation, ErrorsByHand) {
  const ValidationReport r = Validate({Point("a", 1, 100, 110), Point("a", 2, 200, 180),
                                       Point("a", 4, 50, 60, PointStatus::ok, true, Regime::memory),
                                       Point("a", 8, 0, 0, PointStatus::error)},
                                      ValidationOptions{});
  ASSERT_EQ(r.points.size(), 3u);
  EXPECT_EQ(r.skipped, 1);
  EXPECT_NEAR(r.mape, (0.1 + 0.1 + 0.2) / 3, 1e-12);
  EXPECT_NEAR(r.median_ape, 0.1, 1e-12);
  EXPECT_NEAR(r.p90_ape, 0.1 + 0.8 * 0.1, 1e-12);  // sorted {.1,.1,.2}, at 1.8
  ASSERT_FALSE(r.worst.empty());
  EXPECT_EQ(r.worst.front().batch, 4);
  ASSERT_EQ(r.regimes.size(), 2u);
  EXPECT_EQ(r.regimes[0].regime, Regime::compute);
  EXPECT_EQ(r.regimes[0].points, 2);
  EXPECT_NEAR(r.regimes[1].mape, 0.2, 1e-12);
}

TEST(Validation, CasesGroupByExecutionModeAndBound) {
  ValidationInput compiled = Point("c", 1, 100, 150, PointStatus::ok, true, Regime::overhead);
  compiled.record.options.execution = ExecutionMode::compiled;
  ValidationInput tuned = Point("c", 2, 100, 110, PointStatus::ok, true, Regime::overhead);
  tuned.record.options.execution = ExecutionMode::compiled;
  tuned.record.options.compile_mode = CompileMode::max_autotune;
  const ValidationReport r = Validate(
      {Point("a", 1, 100, 110, PointStatus::ok, true, Regime::overhead), Point("a", 2, 100, 102),
       Point("a", 4, 100, 96, PointStatus::ok, true, Regime::memory),
       Point("a", 8, 100, 80, PointStatus::ok, true, Regime::preprocess), compiled, tuned},
      ValidationOptions{});
  // Sorted by name; max-autotune counts as compiled; memory-bound is device-bound.
  ASSERT_EQ(r.cases.size(), 4u);
  EXPECT_EQ(r.cases[0].name, "compiled/host");
  EXPECT_EQ(r.cases[0].points, 2);
  EXPECT_NEAR(r.cases[0].mape, (0.5 + 0.1) / 2, 1e-12);
  EXPECT_EQ(r.cases[1].name, "eager/device");
  EXPECT_NEAR(r.cases[1].mape, (0.02 + 0.04) / 2, 1e-12);
  EXPECT_EQ(r.cases[2].name, "eager/host");
  EXPECT_EQ(r.cases[3].name, "eager/pipeline");
  EXPECT_NEAR(r.cases[3].mape, 0.2, 1e-12);
  const nlohmann::json j = r;
  EXPECT_EQ(j["cases"][0]["case"], "compiled/host");
  EXPECT_EQ(j["cases"][0]["points"], 2);
}

TEST(Validation, RegretAndOomByHand) {
  // Config a: the model picks batch 4 (200 predicted), which measured 170 against the best 180.
  // Config b: the model picks batch 2, which ran out of memory: regret 1.
  const std::vector<ValidationInput> in = {Point("a", 1, 100, 90),
                                           Point("a", 2, 180, 150),
                                           Point("a", 4, 170, 200),
                                           Point("b", 1, 50, 40),
                                           Point("b", 2, 0, 80, PointStatus::oom, true),
                                           Point("b", 4, 0, 90, PointStatus::oom, false)};
  const ValidationReport r = Validate(in, ValidationOptions{});
  ASSERT_EQ(r.regrets.size(), 2u);
  EXPECT_EQ(r.regrets[0].predicted_best_batch, 4);
  EXPECT_EQ(r.regrets[0].measured_best_batch, 2);
  EXPECT_NEAR(r.regrets[0].regret, 1 - 170.0 / 180.0, 1e-12);
  EXPECT_EQ(r.regrets[1].predicted_best_batch, 2);
  EXPECT_NEAR(r.regrets[1].regret, 1.0, 1e-12);
  EXPECT_NEAR(r.mean_regret, (1 - 170.0 / 180.0 + 1.0) / 2, 1e-12);
  EXPECT_NEAR(r.max_regret, 1.0, 1e-12);
  EXPECT_EQ(r.oom.records, 6);
  EXPECT_EQ(r.oom.correct, 5);  // b=2 missed; b=4 predicted not to fit and did not
  EXPECT_EQ(r.oom.missed, 1);
  EXPECT_EQ(r.oom.false_alarm, 0);
}

TEST(Validation, NearBestRuleMatchesRecommendBatch) {
  // Predicted 195 at batch 2 is within 5% of 200: the 0.95 rule picks 2 (measured best).
  const std::vector<ValidationInput> in = {Point("a", 1, 100, 90), Point("a", 2, 180, 195),
                                           Point("a", 4, 170, 200)};
  ValidationOptions near;
  near.near_best_fraction = 0.95;
  EXPECT_NEAR(Validate(in, near).max_regret, 0.0, 1e-12);
  EXPECT_NEAR(Validate(in, ValidationOptions{}).max_regret, 1 - 170.0 / 180.0, 1e-12);
}

TEST(Validation, JsonCarriesSummary) {
  const nlohmann::json j = Validate({Point("a", 1, 100, 110)}, ValidationOptions{});
  EXPECT_NEAR(j["summary"]["mape"].get<double>(), 0.1, 1e-12);
  EXPECT_TRUE(j["summary"]["spearman"].is_null());  // one point: undefined
  EXPECT_EQ(j["points"].size(), 1u);
}

}  // namespace
}  // namespace vitperf
