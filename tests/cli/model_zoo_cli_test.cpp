// End-to-end tests of the model flags: architecture variants, timm zoo names, --hf-config, and
// careless input (overflowing resolutions, empty numbers, two model sources at once), which must
// be one clear line and exit status 2, never a silently wrong or wrapped number.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/run_command.h"

namespace vitperf::testing {
namespace {

void ExpectUsageError(const std::string& args, const std::string& expected_text) {
  const CommandResult r = RunVitperf(args, "zoo-usage");
  EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
  EXPECT_EQ(LineCount(r.err), 1) << args << "\n" << r.err;
  EXPECT_NE(r.err.find(expected_text), std::string::npos) << args << "\n" << r.err;
  EXPECT_TRUE(r.out.empty()) << args << "\n" << r.out;
}

std::string Fixture(const std::string& name) {
  return std::string(VITPERF_SOURCE_DIR) + "/tests/data/hf/" + name;
}

TEST(ModelFlagsCli, ResolutionsWhoseCountsOverflowAreRefusedNamingTheLimit) {
  ExpectUsageError("predict --res 2147483632 --batch 1", "res: 2147483632 is outside 1..1048576");
  ExpectUsageError("predict --res 741456 --batch 1", "over the limit of 268435456");
  ExpectUsageError("predict --res 1048576 --batch 1", "makes 4294967297 tokens per image");
  ExpectUsageError("predict --res 99999999999999999999 --batch 1", "res: '99999999999999999999'");
}

TEST(ModelFlagsCli, EmptyOrMalformedNumbersAreErrorsNotUnset) {
  ExpectUsageError("predict --depth ''", "depth: '' is not an integer (accepted: 1..4096)");
  ExpectUsageError("predict --dim 768.5", "dim: '768.5' is not an integer");
  ExpectUsageError("predict --heads 12x", "heads: '12x'");
  ExpectUsageError("predict --mlp-ratio nan", "mlp-ratio: 'nan' is not a positive finite number");
  ExpectUsageError("predict --rope maybe", "rope: 'maybe' is not one of on, off");
  ExpectUsageError("predict --pooling max", "pooling: 'max' is not one of cls, mean, map");
}

TEST(ModelFlagsCli, TwoModelSourcesAreAnErrorNotASilentChoice) {
  const std::string config = std::string(VITPERF_TEST_TMP) + "/zoo_cli_config.json";
  std::ofstream(config) << R"({"name": "mine", "dim": 384, "heads": 6})";
  ExpectUsageError("predict --model vit_l16 --config " + config, "give one of --model, --config");
  ExpectUsageError(
      "predict --config " + config + " --hf-config " + Fixture("vit-base-patch16-224.json"),
      "give one of");
  const CommandResult r = RunVitperf("predict --config " + config + " --batch 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["config"]["dim"], 384);
}

TEST(ModelFlagsCli, FractionalFieldInAConfigIsRefused) {
  const std::string config = std::string(VITPERF_TEST_TMP) + "/zoo_cli_dim.json";
  std::ofstream(config) << R"({"dim": 768.5})";
  ExpectUsageError("predict --config " + config, "config.dim: expected an integer, got 768.5");
}

TEST(ModelFlagsCli, BadVariantCombinationsNameTheField) {
  ExpectUsageError("predict --class-token off --pooling cls", "pooling: cls pooling needs");
  ExpectUsageError("predict --rel-pos-bias on --registers 4", "rel_pos_bias:");
  ExpectUsageError("predict --pooling map --final-norm pooled", "final_norm: pooled");
  ExpectUsageError("predict --rope on --dim 96 --heads 16", "rope: the head dim 6");
}

TEST(ModelFlagsCli, VariantFlagsChangeThePrediction) {
  const auto params = [](const std::string& flags) {
    const CommandResult r = RunVitperf("predict --batch 8 --json " + flags);
    EXPECT_EQ(r.exit_code, 0) << flags << "\n" << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out)["parameters"].get<long long>() : -1;
  };
  const long long base = params("");
  EXPECT_EQ(base, 86567656);
  EXPECT_EQ(params("--layer-scale on"), base + 12 * 2 * 768);
  EXPECT_EQ(params("--registers 4"), base + 2 * 4 * 768);  // token + position embedding
  EXPECT_EQ(params("--registers 4 --pos-embed patches"), base + 4 * 768 - 768);
  EXPECT_EQ(params("--qkv-bias none"), base - 12 * 3 * 768);
  EXPECT_EQ(params("--height 224 --width 448"), base + 196 * 768);
}

TEST(ModelFlagsCli, HfConfigPredictsAndUnknownTypesAreRefused) {
  const CommandResult r = RunVitperf("predict --hf-config " +
                                     Fixture("clip-vit-large-patch14.json") + " --json --batch 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["parameters"], 303179776);
  ExpectUsageError("predict --hf-config " + Fixture("swin-tiny-unsupported.json"),
                   "model_type 'swin' is not supported (supported: vit, clip");
}

TEST(ModelFlagsCli, TimmZooNamesPredictWhenTheZooIsShipped) {
  const std::string zoo = std::string(VITPERF_SOURCE_DIR) + "/data/models/timm_zoo.json";
  if (!std::filesystem::exists(zoo)) GTEST_SKIP() << "no " << zoo << " (scripts/timm_zoo.py)";
  for (const char* name : {"vit_so400m_patch14_siglip_384", "vit_large_patch14_reg4_dinov2",
                           "eva02_base_patch14_448.mim_in22k_ft_in22k_in1k",
                           "beit_base_patch16_224", "vit_base_patch16_clip_224.openai"}) {
    const CommandResult r =
        RunVitperf(std::string("predict --batch 1,64 --gpu h200 --model ") + name);
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.err;
    EXPECT_EQ(r.out.find("nan"), std::string::npos) << name;
  }
  const CommandResult models = RunVitperf("models");
  ASSERT_EQ(models.exit_code, 0);
  for (const char* text : {"CLIP", "DINOv2", "SigLIP", "EVA02", "BEiT", "DeiT-III", "timm "})
    EXPECT_NE(models.out.find(text), std::string::npos) << text;
}

}  // namespace
}  // namespace vitperf::testing
