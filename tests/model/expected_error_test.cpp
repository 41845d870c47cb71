// The error a prediction states (model/expected_error.h), against the shipped
// data/accuracy/expected_error.json that scripts/expected_error.py writes.
#include "model/expected_error.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "model/hardware_profile.h"

namespace vitperf {
namespace {

nlohmann::json ShippedFile() {
  std::ifstream in(std::filesystem::path(VITPERF_SOURCE_DIR) / "data" / "accuracy" /
                   "expected_error.json");
  return nlohmann::json::parse(in);
}

TEST(ExpectedError, ARowOfACalibratedGpuStatesTheErrorOfItsOwnCase) {
  const HardwareProfile h200 = LoadProfile("h200");
  ASSERT_TRUE(h200.calibrated);
  const nlohmann::json cases = ShippedFile()["calibrated"]["by_gpu"]["h200"]["by_case"]["cases"];
  ASSERT_TRUE(cases.contains("compiled/host") && cases.contains("compiled/device"));
  const ExpectedError host =
      ExpectedErrorForRow(h200, ExpectedErrorFor(h200), ExecutionMode::compiled, Regime::overhead);
  const ExpectedError device =
      ExpectedErrorForRow(h200, ExpectedErrorFor(h200), ExecutionMode::compiled, Regime::compute);
  EXPECT_EQ(host.case_name, "compiled/host");
  EXPECT_DOUBLE_EQ(host.mape, cases["compiled/host"]["mape"].get<double>());
  EXPECT_EQ(host.case_points, cases["compiled/host"]["points"].get<int>());
  EXPECT_NE(host.how.find("compiled points bound by the host"), std::string::npos) << host.how;
  // Memory-bound rows share the device case with compute-bound ones.
  EXPECT_EQ(device.case_name, "compiled/device");
  EXPECT_DOUBLE_EQ(
      ExpectedErrorForRow(h200, ExpectedErrorFor(h200), ExecutionMode::compiled, Regime::memory)
          .mape,
      device.mape);
  // The host-bound compiled points, at batch 1, miss by more than the device-bound ones.
  EXPECT_GT(host.mape, device.mape);
}

TEST(ExpectedError, WithoutACaseOfItsOwnARowFallsBackToTheProfilesFigure) {
  const HardwareProfile h200 = LoadProfile("h200");
  const ExpectedError overall = ExpectedErrorFor(h200);
  const nlohmann::json cases = ShippedFile()["calibrated"]["by_gpu"]["h200"]["by_case"]["cases"];
  ASSERT_FALSE(cases.contains("graph/pipeline"));  // too few such points to stand alone
  const ExpectedError row =
      ExpectedErrorForRow(h200, ExpectedErrorFor(h200), ExecutionMode::graph, Regime::transfer);
  EXPECT_TRUE(row.case_name.empty());
  EXPECT_DOUBLE_EQ(row.mape, overall.mape);
  EXPECT_EQ(row.how, overall.how);
  // An uncalibrated GPU has no held-out points of its own: its basis's figure, whatever the row.
  const HardwareProfile l4 = LoadProfile("l4");
  ASSERT_FALSE(l4.calibrated);
  const ExpectedError uncalibrated =
      ExpectedErrorForRow(l4, ExpectedErrorFor(l4), ExecutionMode::eager, Regime::overhead);
  EXPECT_TRUE(uncalibrated.case_name.empty());
  EXPECT_DOUBLE_EQ(uncalibrated.mape, ExpectedErrorFor(l4).mape);
  EXPECT_GT(uncalibrated.mape, 0);
}

}  // namespace
}  // namespace vitperf
