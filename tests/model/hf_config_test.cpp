// Hugging Face config.json files (tests/data/hf/, from public checkpoints) as ViTConfigs: the
// architecture each names, with parameter counts equal to timm's for the same model.
#include "model/hf_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "model/parameter_count.h"

namespace vitperf {
namespace {

ViTConfig Load(const std::string& file) {
  const std::string path = std::string(VITPERF_SOURCE_DIR) + "/tests/data/hf/" + file;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return ViTConfigFromHuggingFace(nlohmann::json::parse(in), path);
}

TEST(HfConfig, VitBaseIsTimmsVitBase) {
  const ViTConfig c = Load("vit-base-patch16-224.json");
  EXPECT_EQ(c.name, "hf:google/vit-base-patch16-224");
  EXPECT_EQ(c.output, OutputKind::logits);
  EXPECT_EQ(c.classes, 1000);
  EXPECT_EQ(CountParameters(c).Total(), 86567656);  // timm vit_base_patch16_224
}

TEST(HfConfig, ClipVisionTowerFromTheFullClipConfig) {
  const ViTConfig c = Load("clip-vit-large-patch14.json");
  EXPECT_EQ(c.dim, 1024);
  EXPECT_EQ(c.depth, 24);
  EXPECT_EQ(c.patch, 14);
  EXPECT_TRUE(c.pre_norm);
  EXPECT_FALSE(c.patch_bias);
  EXPECT_EQ(c.final_norm, FinalNorm::pooled);
  // timm vit_large_patch14_clip_224.openai (303,966,976) less its 1024 x 768 projection head.
  EXPECT_EQ(CountParameters(c).Total(), 303966976 - (1024 * 768 + 768));
  const ViTConfig b32 = Load("clip-vit-base-patch32-vision.json");
  EXPECT_EQ(b32.patch, 32);
  EXPECT_EQ(b32.Tokens(), 50);
}

TEST(HfConfig, Dinov2BaseAndGiant) {
  const ViTConfig base = Load("dinov2-base.json");
  EXPECT_EQ(base.image_height, 518);
  EXPECT_TRUE(base.layer_scale);
  EXPECT_EQ(base.output, OutputKind::pooled);
  // timm vit_base_patch14_dinov2 (transformers adds a 768-wide mask token for training).
  EXPECT_EQ(CountParameters(base).Total(), 86579712);
  const ViTConfig giant = Load("dinov2-giant.json");
  EXPECT_EQ(giant.mlp, MlpKind::swiglu_packed);
  EXPECT_EQ(giant.MlpHidden(), 4096);
  EXPECT_EQ(CountParameters(giant).Total(), 1136479232);  // timm vit_giant_patch14_dinov2
}

TEST(HfConfig, SiglipDefaultsAndSo400m) {
  const ViTConfig base = Load("siglip-base-patch16-224.json");  // vision_config holds 2 keys
  EXPECT_EQ(base.dim, 768);
  EXPECT_EQ(base.depth, 12);
  EXPECT_EQ(base.image_height, 224);
  EXPECT_FALSE(base.class_token);
  EXPECT_EQ(base.pooling, Pooling::map);
  const ViTConfig so = Load("siglip-so400m-patch14-384-vision.json");
  EXPECT_EQ(so.image_height, 378);  // 27 whole patches of 14 px
  EXPECT_EQ(so.Tokens(), 729);
  EXPECT_EQ(so.MlpHidden(), 4304);
}

TEST(HfConfig, UnknownTypesAndBadFieldsNameTheProblem) {
  try {
    Load("swin-tiny-unsupported.json");
    FAIL() << "swin accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("model_type 'swin' is not supported (supported: vit, "
                                         "clip, clip_vision_model, dinov2, siglip, "
                                         "siglip_vision_model)"),
              std::string::npos)
        << e.what();
  }
  nlohmann::json j = {{"model_type", "vit"}, {"hidden_size", 768.5}};
  try {
    ViTConfigFromHuggingFace(j, "x.json");
    FAIL() << "fractional width accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("hidden_size: 768.5 is not an integer"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ViTConfigFromHuggingFace({{"model_type", "clip"}}, "x.json"), std::invalid_argument);
  EXPECT_THROW(ViTConfigFromHuggingFace({{"model_type", "vit"}, {"num_attention_heads", 7}}, "x"),
               std::invalid_argument);  // 7 heads do not divide 768
}

}  // namespace
}  // namespace vitperf
