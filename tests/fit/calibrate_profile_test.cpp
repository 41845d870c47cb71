// The one calibration workflow (CalibrateProfile) behind `vitperf fit` and `vitperf calibrate`,
// and its printers: the result holds what was written, and the printers print the result as it
// stands.
#include "fit/calibrate_profile.h"

#include <gtest/gtest.h>

#include <sstream>

#include "fit/calibration_output.h"
#include "model/hardware_profile.h"

namespace vitperf {
namespace {

CalibrateRequest QuickTestRequest(const std::string& output) {
  CalibrateRequest request;
  request.data = {VITPERF_SOURCE_DIR "/data/measurements/h100/quick_test.jsonl"};
  request.base = "h100";
  request.output = std::string(VITPERF_TEST_TMP) + "/" + output;
  return request;
}

TEST(CalibrateProfile, WritesTheProfileItReturns) {
  RunMessages messages;
  const CalibrationResult r = CalibrateProfile(QuickTestRequest("calibrate_quick.json"), &messages);
  EXPECT_EQ(r.base.name, "h100-sxm");
  ASSERT_EQ(r.inputs.size(), 1u);
  EXPECT_GT(r.pooled_repeats, 0);
  EXPECT_TRUE(r.fit.converged);
  const HardwareProfile written = LoadProfile(r.request.output);
  EXPECT_TRUE(written.calibrated);
  for (int i = 0; i < kNumCoefficients; ++i)
    EXPECT_DOUBLE_EQ(written.coefficients.v[i], r.fitted.coefficients.v[i]) << i;
}

TEST(CalibrateProfile, RefusesARequestWithoutOutputOrData) {
  RunMessages messages;
  CalibrateRequest no_output = QuickTestRequest("unused.json");
  no_output.output.clear();
  EXPECT_THROW(CalibrateProfile(no_output, &messages), std::invalid_argument);
  CalibrateRequest no_data = QuickTestRequest("unused.json");
  no_data.data.clear();
  EXPECT_THROW(CalibrateProfile(no_data, &messages), std::invalid_argument);
}

TEST(CalibrationPrinters, PrintTheResultAsItStands) {
  // Built by hand: no fit runs, so whatever is printed comes from these fields.
  CalibrationResult r;
  r.request.data = {"a.jsonl", "b.jsonl", "c.jsonl"};
  r.request.output = "/made/up/profile.json";
  r.base = LoadProfile("h100");
  r.pooled_repeats = 31;
  r.fit.warnings = {"warning from the struct"};
  r.fitted = r.base;
  r.fitted.fit = {{"from", "the struct"}};

  std::ostringstream fit_text;
  PrintFit(fit_text, r);
  EXPECT_EQ(fit_text.str().rfind("fitted h100-sxm (NVIDIA H100 SXM5 80GB HBM3) to 3 file(s)\n"
                                 "31 repeated measurement(s) pooled",
                                 0),
            0u)
      << fit_text.str();
  EXPECT_NE(fit_text.str().find("warning: warning from the struct\n"), std::string::npos);
  EXPECT_NE(fit_text.str().find("\nwrote /made/up/profile.json\n"), std::string::npos);

  const nlohmann::json j = FitJson(r, {"test"});
  EXPECT_EQ(j["output"], "/made/up/profile.json");
  EXPECT_EQ(j["pooled_repeats"], 31);
  EXPECT_EQ(j["fit"]["from"], "the struct");

  std::ostringstream calibrate_text;
  PrintCalibrateFit(calibrate_text, r);
  EXPECT_NE(calibrate_text.str().find("use it with `vitperf predict --gpu /made/up/profile.json`"),
            std::string::npos)
      << calibrate_text.str();
  nlohmann::json report;
  AddCalibrateFitJson(r, &report);
  EXPECT_EQ(report["output"], "/made/up/profile.json");
  EXPECT_EQ(report["fit"]["from"], "the struct");
}

}  // namespace
}  // namespace vitperf
