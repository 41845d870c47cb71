// The latency of dependent trips through device memory inside a kernel, which sets the time of
// small kernels (a batch-1 forward pass) beyond their matrix or streaming time.
#include <gtest/gtest.h>

#include "model/hardware_profile.h"
#include "model/operators.h"
#include "model/presets.h"
#include "model/roofline.h"
#include "tests/model/operator_lookup.h"

namespace vitperf {
namespace {

TEST(KernelLatency, ReductionsExposeTwoTripsAndStreamingKernelsOne) {
  const ViTConfig b16 = PresetByName("vit_b16");
  const OperatorList ops = Build(b16, 1, /*uint8_input=*/true);
  for (OpKind k : {OpKind::qkv, OpKind::proj, OpKind::mlp_up, OpKind::mlp_down, OpKind::head,
                   OpKind::attn_fused, OpKind::layernorm, OpKind::final_norm})
    EXPECT_DOUBLE_EQ(DependentPasses(Find(ops, k)), 2) << ToString(k);
  for (OpKind k : {OpKind::residual_add, OpKind::gelu})
    EXPECT_DOUBLE_EQ(DependentPasses(Find(ops, k)), 1) << ToString(k);
  // The convolution and its bias add; the two normalisation kernels (three in records measured
  // before kNormalizeInModelDtypeSince); concat and add.
  EXPECT_DOUBLE_EQ(DependentPasses(Find(ops, OpKind::patch_embed)), 3);
  EXPECT_DOUBLE_EQ(DependentPasses(Find(ops, OpKind::input_normalize)), 2);
  EXPECT_DOUBLE_EQ(
      DependentPasses(Find(Build(b16, 1, true, false, false), OpKind::input_normalize)), 3);
  EXPECT_DOUBLE_EQ(DependentPasses(Find(ops, OpKind::embed_assemble)), 2);
  // Views launch nothing and wait on nothing.
  EXPECT_DOUBLE_EQ(DependentPasses(Find(ops, OpKind::attn_reshape)), 0);
  EXPECT_DOUBLE_EQ(DependentPasses(Find(ops, OpKind::pool)), 0);
  // Math attention: the q scale streams before the batched score product; softmax reduces.
  ViTConfig math = b16;
  math.attention = AttentionImpl::math;
  const OperatorList m = Build(math, 1);
  EXPECT_DOUBLE_EQ(DependentPasses(Find(m, OpKind::attn_scores)), 3);
  EXPECT_DOUBLE_EQ(DependentPasses(Find(m, OpKind::softmax)), 2);
  EXPECT_DOUBLE_EQ(DependentPasses(Find(m, OpKind::attn_values)), 2);
  // Compiled: the residual add folds into the next LayerNorm and launches nothing.
  EXPECT_DOUBLE_EQ(DependentPasses(Find(Build(b16, 1, false, true), OpKind::residual_add)), 0);
}

TEST(KernelLatency, UnvectorisedKernelsPayASecondTrip) {
  // DeiT-III: a layer scale per branch, broadcast over the tokens, so eager multiplies without
  // vector loads; compiled code folds it into the residual add and launches nothing.
  ViTConfig deit3 = PresetByName("vit_b16");
  deit3.layer_scale = true;
  const Operator scale = Find(Build(deit3, 1), OpKind::layer_scale);
  EXPECT_DOUBLE_EQ(scale.unvectorised_kernels, 1);
  EXPECT_GT(scale.strided_read_bytes, 0);
  EXPECT_DOUBLE_EQ(DependentPasses(scale), 2);
  EXPECT_DOUBLE_EQ(DependentPasses(Find(Build(deit3, 1, false, true), OpKind::layer_scale)), 0);
  // The contiguous residual add beside it stays vectorised: one trip.
  EXPECT_DOUBLE_EQ(DependentPasses(Find(Build(deit3, 1), OpKind::residual_add)), 1);
  // Without prefix tokens the stream stays token-transposed: each LayerNorm's contiguous copy and
  // each residual add read across it, unvectorised.
  ViTConfig gap = PresetByName("vit_b16");
  gap.class_token = false;
  gap.pooling = Pooling::mean;
  const OperatorList g = Build(gap, 1);
  EXPECT_DOUBLE_EQ(DependentPasses(Find(g, OpKind::residual_add)), 2);
  EXPECT_DOUBLE_EQ(DependentPasses(Find(g, OpKind::layernorm)), 2 + 1 + 1);
  // BEiT's relative position bias: a gather and a permuted copy, neither vectorised.
  ViTConfig beit = PresetByName("vit_b16");
  beit.rel_pos_bias = true;
  EXPECT_DOUBLE_EQ(DependentPasses(Find(Build(beit, 1), OpKind::rel_pos_bias)), 4);
}

TEST(KernelLatency, EachTripAddsTheLatencyToTheOperatorTime) {
  const HardwareProfile gpu = LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  const ViTConfig ti16 = PresetByName("vit_ti16");
  const DeviceRates r = RatesFor(gpu, ti16.precision);
  CoefficientValues<double> with = DefaultCoefficients(), without = with;
  with[Coef::kernel_latency_us] = 1.5;
  without[Coef::kernel_latency_us] = 0;
  for (const Operator& op : Build(ti16, 1)) {
    const double t1 = TimeOperator(op, r, CoefficientView<double>{with.v.data()}).time_s;
    const double t0 = TimeOperator(op, r, CoefficientView<double>{without.v.data()}).time_s;
    EXPECT_NEAR(t1 - t0, DependentPasses(op) * 1.5e-6, 1e-15) << ToString(op.kind);
  }
  // At batch 1 the latency, not the matrix rate, sets a 197 x 576 x 192 GEMM's time.
  const Operator qkv = Find(Build(ti16, 1), OpKind::qkv);
  const OperatorTime<double> t = TimeOperator(qkv, r, CoefficientView<double>{with.v.data()});
  EXPECT_GT(t.time_s, 4 * t.compute_s);
}

TEST(KernelLatency, AKernelThatMovesNoDataPaysNoMemoryTrip) {
  Operator empty;
  empty.kind = OpKind::residual_add;
  empty.op_class = OpClass::elementwise;
  empty.kernels = 1;
  EXPECT_DOUBLE_EQ(DependentPasses(empty), 0);
}

TEST(KernelLatency, GraphKernelsFollowEachOtherWithTheGraphGap) {
  // CUPTI on the H100: 0.4-0.7 us between a ViT graph's kernels, more between stream launches.
  const HardwareProfile gpu = LoadProfile("h100");
  CoefficientValues<double> c = gpu.coefficients;
  c[Coef::kernel_gap_us] = 2;
  c[Coef::graph_kernel_gap_us] = 0.5;
  const OperatorList ops = Build(PresetByName("vit_ti16"), 1);
  const DeviceRates r = RatesFor(gpu, Precision::bf16);
  const CoefficientView<double> view{c.v.data()};
  const ForwardTime<double> eager = TimeForward(ops, r, ExecutionMode::eager, view);
  const ForwardTime<double> graph = TimeForward(ops, r, ExecutionMode::graph, view);
  EXPECT_DOUBLE_EQ(eager.gaps_s, ops.TotalKernels() * 2e-6);
  EXPECT_DOUBLE_EQ(graph.gaps_s, ops.TotalKernels() * 0.5e-6);
  EXPECT_DOUBLE_EQ(graph.compute_bound_s + graph.memory_bound_s,
                   eager.compute_bound_s + eager.memory_bound_s)
      << "the same kernels either way";
}

}  // namespace
}  // namespace vitperf
