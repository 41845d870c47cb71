// `vitperf laws` computes once and prints twice: the text and JSON printers only read a
// LawsResult, and the check's verdict comes from the result's measured laws as they stand.
#include <gtest/gtest.h>

#include <sstream>

#include "model/hardware_profile.h"
#include "predict/laws_output.h"
#include "predict/model_request.h"

namespace vitperf {
namespace {

MeasuredLaw HandMadeLaw(double measured_exponent, bool within) {
  MeasuredLaw m;
  m.law = "compute time vs resolution";
  m.group = "vit_b16 bf16 b=4";
  m.x_unit = "px";
  m.y_unit = "ms";
  m.points = {{224, 1.0, 1.1}, {512, 4.0, 4.6}};
  m.predicted.exponent = 1.5;
  m.predicted.points = 2;
  m.measured.exponent = measured_exponent;
  m.measured.points = 2;
  m.difference = measured_exponent - 1.5;
  m.within_tolerance = within;
  return m;
}

std::string Text(const LawsResult& r) {
  std::ostringstream out;
  PrintLaws(out, r);
  return out.str();
}

TEST(LawsPrinters, TheCheckReadsTheMeasuredLawsAsTheyStand) {
  LawsOptions options;
  options.pipeline = ResolvePipeline(PipelineRequest{});
  LawsResult r = RunLaws(LoadProfile("h100"), options, {}, MeasurementSet{}, 0.1, false);
  const std::string model_only = Text(r);
  EXPECT_NE(model_only.find("Scaling laws on NVIDIA H100"), std::string::npos) << model_only;
  EXPECT_EQ(model_only.find("check"), std::string::npos) << model_only;
  EXPECT_FALSE(LawsJson(r, {"vitperf", "laws"}).contains("check"));

  // A checked run whose one law is, by hand, out of tolerance: both printers say it failed.
  r.data = {"hand.jsonl"};
  r.check = true;
  r.measured = {HandMadeLaw(2.7, false)};
  EXPECT_FALSE(r.CheckPassed());
  EXPECT_NE(Text(r).find("check FAILED"), std::string::npos) << Text(r);
  nlohmann::json j = LawsJson(r, {"vitperf", "laws"});
  EXPECT_EQ(j["check"]["passed"], false);
  EXPECT_EQ(j["measured"][0]["law"], "compute time vs resolution");

  r.measured = {HandMadeLaw(1.52, true)};
  EXPECT_TRUE(r.CheckPassed());
  EXPECT_NE(Text(r).find("check passed"), std::string::npos) << Text(r);
  // A check that checked nothing does not pass.
  r.measured.clear();
  EXPECT_FALSE(r.CheckPassed());
  EXPECT_NE(Text(r).find("check FAILED: the data supports no law"), std::string::npos);
}

}  // namespace
}  // namespace vitperf
