// Parameter and MAC counts against timm's published figures and hand formulas.
#include <gtest/gtest.h>

#include "model/operators.h"
#include "model/parameter_count.h"
#include "model/presets.h"

namespace vitperf {
namespace {

TEST(ParameterCount, MatchesTimmExactly) {
  // timm's model.num_parameters() at 224 px with 1000 classes.
  EXPECT_EQ(CountParameters(PresetByName("vit_ti16")).Total(), 5717416);
  EXPECT_EQ(CountParameters(PresetByName("vit_s16")).Total(), 22050664);
  EXPECT_EQ(CountParameters(PresetByName("vit_b16")).Total(), 86567656);
  EXPECT_EQ(CountParameters(PresetByName("vit_b32")).Total(), 88224232);
  EXPECT_EQ(CountParameters(PresetByName("vit_l16")).Total(), 304326632);
}

TEST(ParameterCount, HandFormulaForATinyConfig) {
  ViTConfig c;
  c.image_height = c.image_width = 32;
  c.patch = 8;
  c.dim = 16;
  c.depth = 2;
  c.heads = 2;
  c.classes = 10;
  // 16 patches + cls = 17 tokens; MLP hidden 64.
  const long long patch = 3 * 8 * 8 * 16 + 16;
  const long long tokens = 16 + 17 * 16;
  const long long block = 2 * 32 + (16 * 48 + 48) + (16 * 16 + 16) + (16 * 64 + 64) + (64 * 16 + 16);
  const long long head = 16 * 10 + 10;
  EXPECT_EQ(CountParameters(c).Total(), patch + tokens + 2 * block + 32 + head);
  c.output = OutputKind::pooled;  // timm num_classes=0: no head
  EXPECT_EQ(CountParameters(c).Total(), patch + tokens + 2 * block + 32);
}

TEST(MacCount, VitB16At224IsWithinHalfAPercentOf17_56G) {
  OperatorList ops;
  BuildOperators(PresetByName("vit_b16"), 1, ForwardOptions{}, &ops);
  EXPECT_NEAR(ops.MatmulMacs() / 17.56e9, 1.0, 0.005);
}

TEST(MacCount, HandFormulaPerBlock) {
  // Per block: qkv N*D*3D + scores N*N*D + values N*N*D + proj N*D*D + MLP 2*N*D*F.
  ViTConfig c = PresetByName("vit_s16");
  const double n = 197, d = 384, f = 1536;
  const double block = n * d * 3 * d + 2 * n * n * d + n * d * d + 2 * n * d * f;
  const double embed = 196 * d * (3 * 16 * 16), head = d * 1000;
  for (AttentionImpl impl : {AttentionImpl::fused, AttentionImpl::math}) {
    c.attention = impl;
    OperatorList ops;
    BuildOperators(c, 3, ForwardOptions{}, &ops);
    EXPECT_NEAR(ops.MatmulMacs(), 3 * (12 * block + embed + head), 1.0) << ToString(impl);
  }
}

TEST(Operators, MathAttentionMovesTheScoreMatrixFusedDoesNot) {
  ViTConfig c = PresetByName("vit_b16");
  c.image_height = c.image_width = 1024;  // N = 4097: scores dominate
  OperatorList fused, math;
  c.attention = AttentionImpl::fused;
  BuildOperators(c, 1, ForwardOptions{}, &fused);
  c.attention = AttentionImpl::math;
  BuildOperators(c, 1, ForwardOptions{}, &math);
  const double scores_bytes = 12.0 * 4097 * 4097 * 2;  // heads * N^2 * bf16, one block
  EXPECT_GT(math.TotalBytes() - fused.TotalBytes(), 12 * 3 * scores_bytes);
  EXPECT_GT(math.PeakLiveBytes(), 2 * scores_bytes);
  EXPECT_LT(fused.PeakLiveBytes(), scores_bytes);
}

TEST(Operators, CompiledModeFusesElementwiseKernels) {
  OperatorList eager, compiled;
  const ViTConfig c = PresetByName("vit_b16");
  BuildOperators(c, 8, ForwardOptions{false, false}, &eager);
  BuildOperators(c, 8, ForwardOptions{false, true}, &compiled);
  EXPECT_LT(compiled.TotalKernels(), eager.TotalKernels());
  EXPECT_LT(compiled.TotalBytes(), eager.TotalBytes());
  EXPECT_DOUBLE_EQ(compiled.MatmulMacs(), eager.MatmulMacs());
}

}  // namespace
}  // namespace vitperf
