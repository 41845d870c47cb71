// Compiled code's host cost: one price per library call (GEMM, conv, attention) and one per
// generated kernel; max-autotune turns the GEMMs and the patch conv into generated templates
// with their own rate and no NHWC copies.
#include <gtest/gtest.h>

#include "model/hardware_profile.h"
#include "model/operators.h"
#include "model/presets.h"
#include "model/roofline.h"
#include "tests/model/operator_lookup.h"

namespace vitperf {
namespace {

OperatorList BuildCompiled(const ViTConfig& c, int batch, CompileMode mode) {
  PipelineOptions p;
  p.execution = ExecutionMode::compiled;
  p.compile_mode = mode;
  p.compute_only = true;
  OperatorList ops;
  BuildOperators(c, batch, ForwardOptionsFor(p, TestArchitecture()), &ops);
  return ops;
}

CoefficientValues<double> HostCosts(double extern_us, double launch_us) {
  CoefficientValues<double> c = DefaultCoefficients();
  c[Coef::compiled_extern_us] = extern_us;
  c[Coef::compiled_launch_us] = launch_us;
  return c;
}

TEST(CompiledDispatch, CountsLibraryCallsAndGeneratedKernelsApart) {
  const ViTConfig b16 = PresetByName("vit_b16");
  const OperatorList ops = BuildCompiled(b16, 1, CompileMode::standard);
  // Library calls of a ViT-B/16: the patch conv, 4 GEMMs and the attention per block, the head.
  const CoefficientValues<double> calls = HostCosts(1, 0), launches = HostCosts(0, 1);
  EXPECT_NEAR(CompiledDispatchSeconds(ops, CoefficientView<double>{calls.v.data()}) * 1e6,
              1 + 5 * 12 + 1, 1e-9);
  // Every other kernel is generated, the conv's NHWC copies excepted (inside the cuDNN call).
  double kernels = 0, library = 0, layout = 0;
  for (const Operator& op : ops) {
    kernels += op.repeat * op.kernels;
    if (op.op_class != OpClass::elementwise) library += op.repeat * op.kernels;
    if (op.kind == OpKind::conv_layout) layout += op.repeat * op.kernels;
  }
  EXPECT_GT(layout, 0);
  EXPECT_NEAR(CompiledDispatchSeconds(ops, CoefficientView<double>{launches.v.data()}) * 1e6,
              kernels - library - layout, 1e-9);
}

TEST(CompiledDispatch, MaxAutotuneLaunchesGemmsAsTemplatesAtTheirOwnRate) {
  const ViTConfig b16 = PresetByName("vit_b16");
  const OperatorList standard = BuildCompiled(b16, 256, CompileMode::standard);
  const OperatorList tuned = BuildCompiled(b16, 256, CompileMode::max_autotune);
  EXPECT_FALSE(Find(standard, OpKind::mlp_up).template_gemm);
  EXPECT_TRUE(Find(tuned, OpKind::mlp_up).template_gemm);
  EXPECT_TRUE(Find(tuned, OpKind::patch_embed).template_gemm);
  EXPECT_THROW(Find(tuned, OpKind::conv_layout), std::runtime_error);
  // Only the attention stays a library call: 12 calls for ViT-B/16.
  const CoefficientValues<double> calls = HostCosts(1, 0);
  EXPECT_NEAR(CompiledDispatchSeconds(tuned, CoefficientView<double>{calls.v.data()}) * 1e6, 12,
              1e-9);
  // The template rate scales the GEMM's compute time and nothing else.
  const HardwareProfile gpu = LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  const DeviceRates r = RatesFor(gpu, b16.precision);
  CoefficientValues<double> c = DefaultCoefficients();
  c[Coef::template_matmul_efficiency] = 0.5;
  const CoefficientView<double> view{c.v.data()};
  const double library_s = TimeOperator(Find(standard, OpKind::mlp_up), r, view).compute_s;
  const double template_s = TimeOperator(Find(tuned, OpKind::mlp_up), r, view).compute_s;
  EXPECT_NEAR(template_s, 2 * library_s, 1e-12);
  EXPECT_DOUBLE_EQ(TimeOperator(Find(standard, OpKind::gelu), r, view).time_s,
                   TimeOperator(Find(tuned, OpKind::gelu), r, view).time_s);
}

TEST(CompiledDispatch, EagerAndGraphKeepTheirOwnHostCosts) {
  const ViTConfig b16 = PresetByName("vit_b16");
  const HardwareProfile gpu = LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  const DeviceRates r = RatesFor(gpu, b16.precision);
  const CoefficientValues<double> c = HostCosts(1000, 1000);  // absurd: must not leak
  const CoefficientView<double> view{c.v.data()};
  const OperatorList eager = Build(b16, 1);
  EXPECT_NEAR(TimeForward(eager, r, ExecutionMode::eager, view).dispatch_s,
              eager.TotalHostOps() * c[Coef::dispatch_us] * 1e-6, 1e-12);
  EXPECT_NEAR(TimeForward(eager, r, ExecutionMode::graph, view).dispatch_s,
              c[Coef::graph_launch_us] * 1e-6, 1e-12);
}

}  // namespace
}  // namespace vitperf
