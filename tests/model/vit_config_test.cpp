#include <gtest/gtest.h>

#include "model/presets.h"
#include "model/vit_config.h"

namespace vitperf {
namespace {

std::string Why(const ViTConfig& c) {
  std::string why;
  EXPECT_FALSE(c.IsValid(&why));
  return why;
}

TEST(ViTConfig, RejectsNonDividingPatchNamingTheField) {
  ViTConfig c;
  c.patch = 15;
  EXPECT_NE(Why(c).find("patch: 15 does not divide"), std::string::npos);
}

TEST(ViTConfig, RejectsHeadsThatDoNotDivideWidth) {
  ViTConfig c;
  c.heads = 7;
  EXPECT_NE(Why(c).find("heads"), std::string::npos);
}

TEST(ViTConfig, RejectsNonPositiveSizes) {
  ViTConfig c;
  c.depth = 0;
  EXPECT_NE(Why(c).find("depth"), std::string::npos);
  c = ViTConfig();
  c.dim = -8;
  EXPECT_NE(Why(c).find("dim"), std::string::npos);
  c = ViTConfig();
  c.image_height = 0;
  EXPECT_NE(Why(c).find("resolution"), std::string::npos);
}

TEST(ViTConfig, JsonRoundTripAndUnknownKeysRejected) {
  const ViTConfig c = PresetByName("vit_l16");
  const ViTConfig back = nlohmann::json(c).get<ViTConfig>();
  EXPECT_EQ(nlohmann::json(back), nlohmann::json(c));
  nlohmann::json j = c;
  j["detph"] = 3;
  try {
    j.get<ViTConfig>();
    FAIL() << "unknown key accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("config.detph: unknown key"), std::string::npos);
  }
  j = c;
  j["precision"] = "bf8";
  EXPECT_THROW(j.get<ViTConfig>(), std::invalid_argument);
}

TEST(Presets, UnknownNameSuggestsClosest) {
  try {
    PresetByName("vit_b61");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("vit_b16"), std::string::npos);
  }
  EXPECT_EQ(PresetByName("vit_base_patch16_224").dim, 768);
}

}  // namespace
}  // namespace vitperf
