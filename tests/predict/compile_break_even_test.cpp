// `vitperf best`'s compile break-even: the compile time over the time saved per image, and the
// caveat a prediction carries when the profile never fitted the compiled-execution terms.
#include <gtest/gtest.h>

#include "model/hardware_profile.h"
#include "predict/best_config.h"
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
