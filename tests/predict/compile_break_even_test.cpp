// `vitperf best`'s compile break-even: the compile time over the time saved per image, and the
// caveat a prediction carries when the profile never fitted the compiled-execution terms.
#include <gtest/gtest.h>

#include <sstream>

#include "model/hardware_profile.h"
#include "predict/best_config.h"
#include "predict/best_output.h"
#include "predict/execution_basis.h"

namespace vitperf {
namespace {

Candidate At(ExecutionMode e, double ips) {
  Candidate c;
  c.options.execution = e;
  c.prediction.throughput_ips = ips;
  c.meets_constraints = true;
  return c;
}

TEST(CompileBreakEven, CompileTimeOverTheTimeSavedPerImage) {
  HardwareProfile p;
  p.fit = {{"compile_s", {{"default", {{"median_s", 80.0}}}}}};
  // Ranked best first: compiled at 1000 img/s, graph at 800: 0.25 ms saved per image.
  const std::vector<Candidate> ranked{At(ExecutionMode::compiled, 1000),
                                      At(ExecutionMode::graph, 800), At(ExecutionMode::eager, 500)};
  const auto b = CompileBreakEvenOf(ranked, p);
  ASSERT_TRUE(b && b->compile_s && b->break_even_images);
  EXPECT_NEAR(*b->break_even_images, 80.0 / (1.0 / 800 - 1.0 / 1000), 1e-6);
  EXPECT_EQ(b->uncompiled.options.execution, ExecutionMode::graph);
}

TEST(CompileBreakEven, NeverRepaidWhenSlowerAndUnknownWithoutAMeasuredCompile) {
  HardwareProfile p;
  p.fit = {{"compile_s", {{"default", {{"median_s", 80.0}}}}}};
  const std::vector<Candidate> slower{At(ExecutionMode::graph, 1000),
                                      At(ExecutionMode::compiled, 900)};
  const auto b = CompileBreakEvenOf(slower, p);
  ASSERT_TRUE(b && b->compile_s);
  EXPECT_FALSE(b->break_even_images);
  HardwareProfile unmeasured;
  const auto u =
      CompileBreakEvenOf({At(ExecutionMode::compiled, 2), At(ExecutionMode::eager, 1)}, unmeasured);
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->compile_s);
  EXPECT_FALSE(CompileBreakEvenOf({At(ExecutionMode::eager, 1)}, p));
}

// A compile gain inside the two predictions' held-out errors (combined as independent errors)
// is flagged; one outside them is not. The printer reads the errors from the result.
TEST(CompileBreakEven, AGainInsideThePredictionsHeldOutErrorsIsFlagged) {
  HardwareProfile p;
  p.fit = {{"compile_s", {{"default", {{"median_s", 80.0}}}}}};
  BestResult result;
  result.query.profile = p;
  result.search.top = {At(ExecutionMode::compiled, 1050), At(ExecutionMode::graph, 1000)};
  result.search.compile_break_even = CompileBreakEvenOf(result.search.top, p);
  ExpectedError compiled, graph;
  compiled.mape = 0.04;
  graph.mape = 0.035;
  result.top_expected_errors = {compiled, graph};
  result.break_even_expected_errors = std::pair{compiled, graph};
  const auto text = [&] {
    std::ostringstream out;
    PrintBest(out, result);
    return out.str();
  };
  // A 5% gain against errors of 4% and 3.5%: 5.3% combined.
  const std::string inside = text();
  EXPECT_NE(inside.find("held-out"), std::string::npos) << inside;  // the table's column
  EXPECT_NE(inside.find(" 4.0% "), std::string::npos) << inside;
  EXPECT_NE(inside.find("5.0% gain is inside the two predictions' held-out errors combined (5.3%"),
            std::string::npos)
      << inside;
  result.search.top[0].prediction.throughput_ips = 1100;  // a 10% gain
  result.search.compile_break_even = CompileBreakEvenOf(result.search.top, p);
  EXPECT_EQ(text().find("is inside the two predictions"), std::string::npos) << text();
  EXPECT_EQ(BestJson(result, {"test"})["top"][0]["expected_error"]["mape"], 0.04);
}

TEST(ExecutionModeCaveat, CompiledPredictionsSayWhenTheirTermsWereNeverFitted) {
  HardwareProfile p;
  PipelineOptions o;
  EXPECT_FALSE(ExecutionModeCaveat(p, o));  // eager needs no compiled terms
  o.execution = ExecutionMode::compiled;
  const auto caveat = ExecutionModeCaveat(p, o);
  ASSERT_TRUE(caveat);
  EXPECT_NE(caveat->find("compiled_launch_us"), std::string::npos);
  p.calibrated = true;
  p.coefficient_informed[static_cast<int>(Coef::compiled_extern_us)] = true;
  p.coefficient_informed[static_cast<int>(Coef::compiled_launch_us)] = true;
  EXPECT_FALSE(ExecutionModeCaveat(p, o));
  o.compile_mode = CompileMode::max_autotune;  // also needs the template GEMM rate
  ASSERT_TRUE(ExecutionModeCaveat(p, o));
  EXPECT_NE(ExecutionModeCaveat(p, o)->find("template_matmul_efficiency"), std::string::npos);
}

}  // namespace
}  // namespace vitperf
