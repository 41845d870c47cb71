// `vitperf validate` as one call (RunValidation) returning a complete ValidationOutcome, split
// included, and printers that print that outcome as it stands. The refits come in from the
// caller: a stand-in refitter here shows the k-fold and cross-GPU paths without Ceres.
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "predict/validation_run.h"

namespace vitperf {
namespace {

const std::string kSimtCheck = VITPERF_SOURCE_DIR "/data/measurements/h100/simt_check.jsonl";
const std::string kQuickTest = VITPERF_SOURCE_DIR "/data/measurements/h100/quick_test.jsonl";

// Fits nothing: returns the base as "fitted", and counts the calls.
ProfileRefitter CountingRefitter(int* fits) {
  ProfileRefitter r;
  r.fit = [fits](const HardwareProfile& base, const MeasurementSet&,
                 const ProfileRefitter::Options&) {
    ++*fits;
    return ProfileRefitter::Fitted{base, 0.0123, ""};
  };
  r.adopt_host_threshold = [](const MeasurementSet&, HardwareProfile*) { return std::string(); };
  r.fit_host_staging = [](const std::vector<ProbeRecord>&, HardwareProfile*) {
    return std::vector<std::string>();
  };
  r.foreign_devices = [](const MeasurementSet&, const HardwareProfile&) {
    return std::vector<std::string>{"a device from the stand-in"};
  };
  return r;
}

// The H100 profile against one file: a MAPE bound [%] and k folds where non-zero.
ValidateRequest H100Request(const std::string& file, double max_mape_pct, int kfold) {
  ValidateRequest request;
  request.profile = "h100";
  request.data = {file};
  if (max_mape_pct > 0) request.max_mape_pct = max_mape_pct;
  if (kfold > 0) request.kfold = kfold;
  return request;
}

TEST(ValidationRun, PlainRunNeedsNoRefitter) {
  ValidateRequest request = H100Request(kSimtCheck, 6, 0);
  RunMessages messages;
  const ValidationOutcome o = RunValidation(request, nullptr, &messages);
  EXPECT_EQ(o.split.kind, SplitKind::none);
  EXPECT_EQ(o.report.points.size(), 7u);
  ASSERT_EQ(o.checks.size(), 1u);
  EXPECT_TRUE(o.passed);
  EXPECT_TRUE(messages.warnings.empty());  // no refitter: no device check

  request.kfold = 2;  // the data hold 2 configs
  EXPECT_THROW(
      {
        try {
          RunValidation(request, nullptr, &messages);
        } catch (const std::invalid_argument& e) {
          EXPECT_NE(std::string(e.what()).find("built without Ceres"), std::string::npos);
          throw;
        }
      },
      std::invalid_argument);
}

TEST(ValidationRun, KFoldRefitsOncePerFoldAndRecordsTheSplit) {
  ValidateRequest request = H100Request(kQuickTest, 0, 3);
  int fits = 0;
  const ProfileRefitter refitter = CountingRefitter(&fits);
  RunMessages messages;
  const ValidationOutcome o = RunValidation(request, &refitter, &messages);
  EXPECT_EQ(fits, 3);
  EXPECT_EQ(o.split.kind, SplitKind::kfold);
  EXPECT_EQ(o.split.folds, 3);
  // Every config is held out once: every ok point is scored, as in the plain run.
  request.kfold.reset();
  EXPECT_EQ(o.report.points.size(),
            RunValidation(request, nullptr, &messages).report.points.size());
  ASSERT_FALSE(messages.warnings.empty());
  EXPECT_NE(messages.warnings.front().find("a device from the stand-in"), std::string::npos);
}

TEST(ValidationRun, AFailedRefitLeavesItsFoldUnscored) {
  ValidateRequest request = H100Request(kQuickTest, 0, 3);
  int fits = 0;
  ProfileRefitter refitter = CountingRefitter(&fits);
  refitter.fit = [](const HardwareProfile& base, const MeasurementSet&,
                    const ProfileRefitter::Options&) {
    return ProfileRefitter::Fitted{base, 0, "the solver did not converge"};
  };
  RunMessages messages;
  try {
    RunValidation(request, &refitter, &messages);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("a refit of the split failed"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("the solver did not converge"), std::string::npos);
  }
}

TEST(ValidationRun, CrossGpuTransferRecordsTheSource) {
  ValidateRequest request;
  request.profile = "h200";
  request.data = {VITPERF_SOURCE_DIR "/data/measurements/h200/quick_test.jsonl"};
  request.transfer_from = "h100-sxm";
  request.transfer_data = {kQuickTest};
  int fits = 0;
  const ProfileRefitter refitter = CountingRefitter(&fits);
  RunMessages messages;
  const ValidationOutcome o = RunValidation(request, &refitter, &messages);
  EXPECT_EQ(fits, 1);
  EXPECT_EQ(o.split.kind, SplitKind::cross_gpu);
  EXPECT_EQ(o.split.source, "h100-sxm");
  EXPECT_DOUBLE_EQ(o.split.source_fit_mape, 0.0123);
}

TEST(ValidationRun, PrintersPrintTheOutcomeAsItStands) {
  ValidateRequest request = H100Request(kSimtCheck, 6, 0);
  RunMessages messages;
  ValidationOutcome o = RunValidation(request, nullptr, &messages);
  // Values no scoring of these data gives.
  o.report.mape = 0.4321;
  o.report.spearman = -0.5;
  o.split.kind = SplitKind::kfold;
  o.split.folds = 9;
  o.split.configs = 99;
  o.pooled_repeats = 31;
  o.checks.front().message = "message from the struct";
  o.checks.front().passed = false;
  o.passed = false;

  std::ostringstream text;
  PrintValidation(text, o);
  for (const char* expected :
       {"split: {\"configs\":99,\"folds\":9,\"kind\":\"kfold\"}\n", "31 repeated measurement(s)",
        "43.2%", "-0.500", "EXCEEDED", "FAIL message from the struct\n"})
    EXPECT_NE(text.str().find(expected), std::string::npos) << expected << "\n" << text.str();

  const nlohmann::json j = ValidationJson(o, {"test"});
  EXPECT_DOUBLE_EQ(j["summary"]["mape"].get<double>(), 0.4321) << j["summary"].dump();
  EXPECT_EQ(j["split"]["folds"], 9);
  EXPECT_EQ(j["pooled_repeats"], 31);
  EXPECT_EQ(j["passed"], false);
}

}  // namespace
}  // namespace vitperf
