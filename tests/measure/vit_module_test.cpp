// The LibTorch ViT: parameter counts equal the analytical count (which matches timm), output
// shapes follow the output kind, outputs are finite, math and fused attention agree.
#include "measure/vit_module.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/parameter_count.h"
#include "model/presets.h"
#include "tests/measure/tiny_config.h"

namespace vitperf::measure {
namespace {

void ExpectCountMatches(const ViTConfig& c) {
  VitModule m(c);
  EXPECT_EQ(m->ParameterCount(), CountParameters(c).Total()) << c.Label();
}

TEST(VitModule, ParameterCountMatchesAnalyticalCount) {
  ExpectCountMatches(PresetByName("vit_ti16"));
  ExpectCountMatches(PresetByName("vit_b16"));  // timm: 86,567,656
  EXPECT_EQ(CountParameters(PresetByName("vit_b16")).Total(), 86567656);

  ViTConfig pooled = PresetByName("vit_s16");
  pooled.output = OutputKind::pooled;  // no head
  ExpectCountMatches(pooled);

  ViTConfig mean = Tiny();
  mean.class_token = false;
  mean.pooling = Pooling::mean;
  ExpectCountMatches(mean);

  ViTConfig odd = Tiny();
  odd.mlp_ratio = 2.75;  // int(64 * 2.75) = 176 hidden
  odd.image_height = 48;
  odd.image_width = 80;
  ExpectCountMatches(odd);
}

TEST(VitModule, OutputShapesFollowOutputKind) {
  torch::NoGradGuard no_grad;
  ViTConfig c = Tiny();
  const auto x = torch::randn({3, 3, 64, 64});
  c.output = OutputKind::logits;
  EXPECT_EQ(VitModule(c)->forward(x).sizes(), (std::vector<int64_t>{3, 10}));
  c.output = OutputKind::pooled;
  EXPECT_EQ(VitModule(c)->forward(x).sizes(), (std::vector<int64_t>{3, 64}));
  c.output = OutputKind::tokens;
  EXPECT_EQ(VitModule(c)->forward(x).sizes(), (std::vector<int64_t>{3, 17, 64}));
  c.class_token = false;
  c.pooling = Pooling::mean;
  EXPECT_EQ(VitModule(c)->forward(x).sizes(), (std::vector<int64_t>{3, 16, 64}));
  c.output = OutputKind::pooled;
  const auto pooled = VitModule(c)->forward(x);
  EXPECT_EQ(pooled.sizes(), (std::vector<int64_t>{3, 64}));
  EXPECT_TRUE(torch::isfinite(pooled).all().item<bool>());
}

TEST(VitModule, WeightsAreDeterministicPerSeed) {
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 3, 64, 64});
  const auto a = VitModule(Tiny(), 7)->forward(x);
  const auto b = VitModule(Tiny(), 7)->forward(x);
  const auto c = VitModule(Tiny(), 8)->forward(x);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
}

TEST(VitModule, MathAndFusedAttentionAgree) {
  torch::NoGradGuard no_grad;
  ViTConfig math = Tiny(), fused = Tiny();
  math.attention = AttentionImpl::math;
  fused.attention = AttentionImpl::fused;
  VitModule m(math, 3), f(fused, 3);
  EXPECT_FALSE(m->fused_fell_back());
  EXPECT_EQ(f->fused_fell_back(), !FusedAttentionAvailable());
  const auto x = torch::randn({2, 3, 64, 64});
  const auto a = m->forward(x), b = f->forward(x);
  EXPECT_TRUE(torch::isfinite(a).all().item<bool>());
  EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-5)) << (a - b).abs().max().item<float>();
}

TEST(VitModule, Bf16ForwardIsFinite) {
  torch::NoGradGuard no_grad;
  ViTConfig c = Tiny();
  c.precision = Precision::bf16;
  VitModule m(c);
  m->to(ComputeDtype(c.precision));
  const auto y = m->forward(torch::randn({2, 3, 64, 64}).to(torch::kBFloat16));
  EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
}

TEST(VitModule, NormalizeImagesUsesImagenetConstants) {
  auto px = torch::full({1, 3, 1, 1}, 255, torch::kUInt8);
  px[0][1][0][0] = 0;
  const auto y = NormalizeImages(px, torch::kFloat);
  EXPECT_NEAR(y[0][0][0][0].item<float>(), (1.0 - 0.485) / 0.229, 1e-5);
  EXPECT_NEAR(y[0][1][0][0].item<float>(), (0.0 - 0.456) / 0.224, 1e-5);
  EXPECT_NEAR(y[0][2][0][0].item<float>(), (1.0 - 0.406) / 0.225, 1e-5);
}

TEST(VitModule, NormalizeImagesInBf16StaysWithinItsRounding) {
  // Every uint8 value in each channel. Scale and shift are bf16 here (8 significant bits), so
  // the result may differ from the float32 computation by a few bf16 steps, never more.
  const auto px =
      torch::arange(256, torch::kInt).to(torch::kUInt8).view({1, 1, 16, 16}).repeat({2, 3, 1, 1});
  const auto y = NormalizeImages(px, torch::kBFloat16);
  EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(y.sizes(), px.sizes());
  const auto reference = NormalizeImages(px, torch::kFloat);
  const auto error = (y.to(torch::kFloat) - reference).abs();
  // |x| <= 2.7 after normalisation: a bf16 step there is 2^-6; three of them at most.
  EXPECT_LE(error.max().item<float>(), 3.0f / 64) << "max error";
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
}

TEST(VitModule, InvalidConfigThrows) {
  ViTConfig c = Tiny();
  c.heads = 3;  // does not divide 64
  EXPECT_THROW(VitModule{c}, std::invalid_argument);
}

}  // namespace
}  // namespace vitperf::measure
