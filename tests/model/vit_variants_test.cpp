// Architecture variants (class/register tokens, pooling, SwiGLU, layer scale, pre-norm, q/k norm,
// qkv biases, rotary and relative position embeddings, non-square images): hand-counted
// parameters, the operators each adds, JSON round trips, and the limits that keep counts exact.
#include <gtest/gtest.h>

#include <limits>

#include "model/checked_count.h"
#include "model/operators.h"
#include "model/parameter_count.h"
#include "model/presets.h"
#include "model/vit_config.h"

namespace vitperf {
namespace {

ViTConfig Tiny() {
  ViTConfig c;
  c.name = "tiny";
  c.image_height = 32;
  c.image_width = 48;  // 4 x 6 patches of 8 px
  c.patch = 8;
  c.dim = 16;
  c.depth = 2;
  c.heads = 2;
  c.classes = 10;
  return c;
}

const Operator* Find(const OperatorList& ops, OpKind kind) {
  for (const Operator& op : ops)
    if (op.kind == kind) return &op;
  return nullptr;
}

OperatorList Build(const ViTConfig& c, int batch = 2, bool compiled = false) {
  OperatorList ops;
  ForwardOptions f;
  f.fuse_elementwise = compiled;
  BuildOperators(c, batch, f, &ops);
  return ops;
}

TEST(ViTVariants, DefaultsCountAsBefore) {
  const ViTConfig c = Tiny();
  const long long d = 16, f = 64, n = 25;
  const long long block = 4 * d + (3 * d * d + 3 * d) + (d * d + d) + (d * f + f) + (f * d + d);
  EXPECT_EQ(CountParameters(c).Total(),
            (3 * 64 * d + d) + (d + n * d) + 2 * block + 2 * d + (d * 10 + 10));
}

TEST(ViTVariants, HandCountOfEveryVariantTogether) {
  ViTConfig c = Tiny();
  c.register_tokens = 4;
  c.class_token = true;
  c.pos_embed = PosEmbed::patches;
  c.pre_norm = true;
  c.patch_bias = false;
  c.qk_norm = true;
  c.qkv_bias = QkvBias::qv;
  c.layer_scale = true;
  c.mlp = MlpKind::swiglu;
  c.mlp_hidden = 40;
  c.mlp_norm = true;
  c.final_norm = FinalNorm::pooled;
  c.pooling = Pooling::mean;
  c.rope = true;  // no parameters: fixed sin/cos tables
  const long long d = 16, f = 40, hd = 8, patches = 24;
  const long long block = 4 * d + (3 * d * d + 2 * d) + 4 * hd + (d * d + d) + 2 * d +
                          2 * (d * f + f) + 2 * f + (f * d + d);
  const ParameterBreakdown p = CountParameters(c);
  EXPECT_EQ(p.patch_embed, 3 * 64 * d);
  EXPECT_EQ(p.tokens, 5 * d + patches * d);
  EXPECT_EQ(p.pre_norm, 2 * d);
  EXPECT_EQ(p.per_block, block);
  EXPECT_EQ(p.Total(), 3 * 64 * d + 5 * d + patches * d + 2 * d + 2 * block + 2 * d + d * 10 + 10);
}

TEST(ViTVariants, AttentionPoolHeadAndRelativeBiasTable) {
  ViTConfig c = Tiny();
  c.class_token = false;
  c.pooling = Pooling::map;
  const long long d = 16, f = 64;
  EXPECT_EQ(CountParameters(c).pool, d + (d * d + d) + (2 * d * d + 2 * d) + (d * d + d) + 2 * d +
                                         (d * f + f) + (f * d + d));
  c = Tiny();
  c.rel_pos_bias = true;
  c.pos_embed = PosEmbed::none;
  // (2*4 - 1) * (2*6 - 1) + 3 = 80 relative distances per head and block.
  EXPECT_EQ(CountParameters(c).per_block - CountParameters(Tiny()).per_block, 80 * 2);
  EXPECT_EQ(CountParameters(c).tokens, d);
}

TEST(ViTVariants, PackedSwiGluIsOneGemmOfTwiceTheWidthApartIsTwo) {
  ViTConfig c = Tiny();
  c.mlp = MlpKind::swiglu_packed;
  c.mlp_hidden = 32;
  OperatorList ops = Build(c);
  ASSERT_NE(Find(ops, OpKind::mlp_up), nullptr);
  EXPECT_EQ(Find(ops, OpKind::mlp_up)->gemm.n, 64);
  EXPECT_EQ(Find(ops, OpKind::mlp_down)->gemm.k, 32);
  EXPECT_EQ(Find(ops, OpKind::mlp_gate), nullptr);
  EXPECT_NE(Find(ops, OpKind::glu), nullptr);
  EXPECT_EQ(Find(ops, OpKind::gelu), nullptr);
  const double packed_macs = ops.MatmulMacs();
  c.mlp = MlpKind::swiglu;
  ops = Build(c);
  EXPECT_EQ(Find(ops, OpKind::mlp_gate)->gemm.n, 32);
  EXPECT_DOUBLE_EQ(ops.MatmulMacs(), packed_macs);  // same products, one more launch
}

TEST(ViTVariants, EachVariantAddsItsOperators) {
  ViTConfig c = Tiny();
  c.pre_norm = c.qk_norm = c.rope = c.layer_scale = c.mlp_norm = true;
  c.qkv_fused = false;
  OperatorList ops = Build(c);
  for (OpKind k :
       {OpKind::pre_norm, OpKind::qk_norm, OpKind::rope, OpKind::layer_scale, OpKind::mlp_norm})
    EXPECT_NE(Find(ops, k), nullptr) << ToString(k);
  EXPECT_EQ(Find(ops, OpKind::qkv)->repeat, 3 * c.depth);  // q, k, v apart
  EXPECT_EQ(Find(ops, OpKind::qkv)->gemm.n, c.dim);
  EXPECT_EQ(Find(ops, OpKind::rel_pos_bias), nullptr);
  // Compiled, layer scale folds into the residual add.
  EXPECT_EQ(Find(Build(c, 2, true), OpKind::layer_scale)->kernels, 0);

  c = Tiny();
  c.rel_pos_bias = true;
  const double plain = Find(Build(Tiny()), OpKind::attn_fused)->bytes;
  ops = Build(c);
  EXPECT_NE(Find(ops, OpKind::rel_pos_bias), nullptr);
  EXPECT_GT(Find(ops, OpKind::attn_fused)->bytes, plain);  // the bias is read per image
}

TEST(ViTVariants, MapPoolingCountsItsMatrixProducts) {
  ViTConfig c = Tiny();
  c.class_token = false;
  c.pooling = Pooling::map;
  const OperatorList ops = Build(c, 3);
  const double b = 3, n = 24, d = 16, f = 64, h = 2, hd = 8;
  const double macs = b * n * 2 * d * d + 2 * b * d * d + 2 * b * h * n * hd + 2 * b * d * f;
  const double pool = Find(ops, OpKind::map_kv)->macs + 2 * Find(ops, OpKind::map_q_proj)->macs +
                      Find(ops, OpKind::map_attention)->macs + 2 * Find(ops, OpKind::map_mlp)->macs;
  EXPECT_DOUBLE_EQ(pool, macs);
  c.output = OutputKind::tokens;  // no pooling, no head
  EXPECT_EQ(Find(Build(c), OpKind::map_kv), nullptr);
}

TEST(ViTVariants, JsonCarriesOnlyVariantsThatDifferFromTheOriginalVit) {
  const nlohmann::json plain = PresetByName("vit_b16");
  EXPECT_FALSE(plain.contains("mlp"));
  EXPECT_FALSE(plain.contains("register_tokens"));
  EXPECT_EQ(plain.size(), 15u);  // the fields every recorded config already has
  ViTConfig c = PresetByName("vit_b16");
  c.register_tokens = 4;
  c.mlp = MlpKind::swiglu_packed;
  c.mlp_hidden = 2048;
  c.qkv_bias = QkvBias::none;
  c.final_norm = FinalNorm::pooled;
  c.pooling = Pooling::mean;
  const nlohmann::json j = c;
  EXPECT_EQ(j["mlp"], "swiglu_packed");
  EXPECT_EQ(j["qkv_bias"], "none");
  const ViTConfig back = j.get<ViTConfig>();
  EXPECT_EQ(nlohmann::json(back), j);
  EXPECT_EQ(back.MlpHidden(), 2048);
}

TEST(ViTVariants, BadCombinationsNameTheField) {
  auto why = [](const ViTConfig& c) {
    std::string w;
    EXPECT_FALSE(c.IsValid(&w));
    return w;
  };
  ViTConfig c = Tiny();
  c.rel_pos_bias = true;
  c.class_token = false;
  c.pooling = Pooling::mean;
  EXPECT_EQ(why(c).rfind("rel_pos_bias:", 0), 0u);
  c = Tiny();
  c.pooling = Pooling::map;
  c.final_norm = FinalNorm::pooled;
  EXPECT_EQ(why(c).rfind("final_norm:", 0), 0u);
  c = Tiny();
  c.register_tokens = -1;
  EXPECT_EQ(why(c).rfind("register_tokens:", 0), 0u);
  c = Tiny();
  c.mlp_hidden = -5;
  EXPECT_EQ(why(c).rfind("mlp_hidden:", 0), 0u);
  nlohmann::json j = Tiny();
  j["mlp"] = "relu";
  try {
    j.get<ViTConfig>();
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("mlp: 'relu' is not one of gelu, swiglu_packed, swiglu"),
              std::string::npos)
        << e.what();
  }
}

TEST(ViTLimits, CountsThatWouldWrapAreRefusedNamingTheLimit) {
  ViTConfig c = PresetByName("vit_b16");
  for (int res : {741456, 1048576}) {
    c.image_height = c.image_width = res;
    std::string why;
    EXPECT_FALSE(c.IsValid(&why)) << res;
    EXPECT_NE(why.find("over the limit of 268435456"), std::string::npos) << why;
    EXPECT_THROW(CountParameters(c), std::invalid_argument);
  }
  c.image_height = c.image_width = 2147483632;
  std::string why;
  EXPECT_FALSE(c.IsValid(&why));
  EXPECT_NE(why.find("resolution: 2147483632 is outside 1..1048576"), std::string::npos) << why;
  // The largest valid config's counts stay positive and exact.
  c = PresetByName("vit_b16");
  c.dim = static_cast<int>(ViTLimits::kMaxWidth);
  c.heads = 1024;
  c.depth = static_cast<int>(ViTLimits::kMaxDepth);
  c.classes = static_cast<int>(ViTLimits::kMaxClasses);
  EXPECT_GT(CountParameters(c).Total(), 0);
  // And the checked arithmetic itself refuses to wrap.
  const CheckedCount big = std::numeric_limits<long long>::max() / 2 + 1;
  EXPECT_THROW(big * 2, std::invalid_argument);
  EXPECT_THROW(big + big, std::invalid_argument);
  EXPECT_EQ((CheckedCount(3) * 4 + 5).value(), 17);
}

TEST(ViTLimits, FractionalIntegersInJsonAreRefused) {
  nlohmann::json j = PresetByName("vit_b16");
  j["dim"] = 768.5;
  try {
    j.get<ViTConfig>();
    FAIL() << "768.5 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("config.dim: expected an integer, got 768.5"), std::string::npos)
        << e.what();
  }
  j["dim"] = 1e20;
  EXPECT_THROW(j.get<ViTConfig>(), std::invalid_argument);
  j["dim"] = 4294967296LL;  // an integer, but not an int
  EXPECT_THROW(j.get<ViTConfig>(), std::invalid_argument);
}

}  // namespace
}  // namespace vitperf
