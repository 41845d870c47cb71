// The LibTorch ViT builds and runs every architecture variant, and every timm zoo model (shrunk to
// one block at a tiny resolution so the CPU runs it in moments): its parameter count equals the
// analytical count (which equals timm's), and its outputs have the right shape and are finite,
// in fp32 and under bf16 autocast.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <optional>

#include "measure/autocast_scope.h"
#include "measure/vit_module.h"
#include "model/parameter_count.h"
#include "model/timm_zoo.h"
#include "tests/measure/tiny_config.h"

namespace vitperf::measure {
namespace {

void ExpectBuildsAndRuns(const ViTConfig& c, const std::string& what) {
  torch::NoGradGuard no_grad;
  VitModule m(c);
  EXPECT_EQ(m->ParameterCount(), CountParameters(c).Total()) << what;
  const auto x = torch::randn({2, c.channels, c.image_height, c.image_width});
  std::optional<AutocastScope> amp;  // fp32 module and images, as timm's --amp
  if (c.autocast) amp.emplace(c.precision, /*cuda=*/false);
  const auto y = m->forward(x);
  amp.reset();
  std::vector<int64_t> shape = {2, c.output == OutputKind::logits ? c.classes : c.dim};
  if (c.output == OutputKind::tokens) shape = {2, c.Tokens(), c.dim};
  EXPECT_EQ(y.sizes(), shape) << what;
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>()) << what;
}

TEST(VitModuleVariants, EveryVariantBuildsRunsAndCountsAsTheModel) {
  std::vector<std::pair<std::string, ViTConfig>> cases;
  auto add = [&](const std::string& name, auto change) {
    ViTConfig c = Tiny();
    c.image_width = 48;  // non-square: 4 x 3 patches
    change(c);
    cases.emplace_back(name, c);
  };
  add("plain", [](ViTConfig&) {});
  add("registers", [](ViTConfig& c) { c.register_tokens = 4; });
  add("registers, patch position", [](ViTConfig& c) {
    c.register_tokens = 4;
    c.pos_embed = PosEmbed::patches;
  });
  add("no class token, mean", [](ViTConfig& c) {
    c.class_token = false;
    c.pooling = Pooling::mean;
  });
  add("map", [](ViTConfig& c) {
    c.class_token = false;
    c.pooling = Pooling::map;
  });
  add("swiglu packed", [](ViTConfig& c) {
    c.mlp = MlpKind::swiglu_packed;
    c.mlp_hidden = 40;
  });
  add("swiglu apart, hidden norm", [](ViTConfig& c) {
    c.mlp = MlpKind::swiglu;
    c.mlp_hidden = 44;
    c.mlp_norm = true;
  });
  add("layer scale", [](ViTConfig& c) { c.layer_scale = true; });
  add("pre-norm, no patch bias", [](ViTConfig& c) {
    c.pre_norm = true;
    c.patch_bias = false;
  });
  add("qk norm", [](ViTConfig& c) { c.qk_norm = true; });
  add("qkv bias qv", [](ViTConfig& c) { c.qkv_bias = QkvBias::qv; });
  add("qkv bias none", [](ViTConfig& c) { c.qkv_bias = QkvBias::none; });
  add("q, k, v apart with qv bias", [](ViTConfig& c) {
    c.qkv_fused = false;
    c.qkv_bias = QkvBias::qv;
  });
  add("rope with registers", [](ViTConfig& c) {
    c.rope = true;
    c.register_tokens = 2;
  });
  add("rel pos bias, fc norm (BEiT)", [](ViTConfig& c) {
    c.rel_pos_bias = true;
    c.pos_embed = PosEmbed::none;
    c.pooling = Pooling::mean;
    c.final_norm = FinalNorm::pooled;
    c.layer_scale = true;
  });
  add("no final norm, tokens", [](ViTConfig& c) {
    c.final_norm = FinalNorm::none;
    c.output = OutputKind::tokens;
  });
  for (const auto& [name, c] : cases) {
    ExpectBuildsAndRuns(c, name);
    ViTConfig math = c;
    math.attention = AttentionImpl::math;
    ExpectBuildsAndRuns(math, name + ", math");
    for (const ViTConfig& attention : {c, math}) {
      ViTConfig amp = attention;
      amp.precision = Precision::bf16;
      amp.autocast = true;
      ExpectBuildsAndRuns(amp, name + ", " + ToString(amp.attention) + ", autocast bf16");
    }
  }
}

TEST(VitModuleVariants, MathAndFusedAgreeWithRelativeBiasAndRope) {
  if (!FusedAttentionAvailable()) GTEST_SKIP() << "LibTorch < 2: no fused attention";
  torch::NoGradGuard no_grad;
  ViTConfig c = Tiny();
  c.rel_pos_bias = true;
  c.rope = true;
  const auto x = torch::randn({2, 3, 64, 64});
  ViTConfig math = c;
  math.attention = AttentionImpl::math;
  EXPECT_TRUE(torch::allclose(VitModule(c)->forward(x), VitModule(math)->forward(x), 1e-4, 1e-5));
}

TEST(VitModuleVariants, EveryTimmZooModelBuildsAndCountsAsTimm) {
  const TimmZoo* zoo = ShippedTimmZoo();
  if (!zoo) GTEST_SKIP() << "no " << ShippedTimmZooPath() << " (scripts/timm_zoo.py)";
  for (const ZooModel& m : zoo->models) {
    ViTConfig c = m.config;
    c.depth = 1;  // one block at 2 x 2 patches: the same module parts, in moments on the CPU
    c.image_height = c.image_width = 2 * c.patch;
    c.precision = Precision::fp32;
    ExpectBuildsAndRuns(c, m.FullName());
  }
}

}  // namespace
}  // namespace vitperf::measure
