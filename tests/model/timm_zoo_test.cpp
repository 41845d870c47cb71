// The timm zoo (data/models/timm_zoo.json, written by scripts/timm_zoo.py from timm's own model
// definitions): vitperf must count every model's parameters exactly and its MACs within 0.5%.
#include "model/timm_zoo.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "model/evaluate.h"
#include "model/operators.h"
#include "model/parameter_count.h"
#include "model/presets.h"
#include "model/zoo_counts.h"

namespace vitperf {
namespace {

std::string WriteZoo(const std::string& name, const std::vector<nlohmann::json>& models) {
  const std::string path = std::string(VITPERF_TEST_TMP) + "/" + name;
  nlohmann::json j = {{"schema_version", 1},
                      {"timm_version", "test"},
                      {"torch_version", "test"},
                      {"date", "2026-12-04"},
                      {"models", nlohmann::json(models)}};
  std::ofstream(path) << j.dump();
  return path;
}

nlohmann::json Entry(const ViTConfig& c, long long parameters, double macs) {
  return {{"family", "ViT"}, {"timm_name", c.name},      {"pretrained_tag", "t"},
          {"config", c},     {"parameters", parameters}, {"macs_per_image", macs}};
}

// The check itself must catch a wrong count, or the shipped-file test below proves nothing.
TEST(TimmZoo, MismatchedCountsAreReported) {
  ViTConfig c = PresetByName("vit_b16");
  c.name = "vit_base_patch16_224";
  OperatorList ops;
  BuildOperators(c, 1, ForwardOptions{}, &ops);
  const long long params = CountParameters(c).Total();
  const double macs = ops.MatmulMacs();
  EXPECT_TRUE(
      ZooCountMismatches(LoadTimmZoo(WriteZoo("zoo_ok.json", {Entry(c, params, macs)}))).empty());
  const auto off_by_one =
      ZooCountMismatches(LoadTimmZoo(WriteZoo("zoo_bad.json", {Entry(c, params + 1, macs)})));
  ASSERT_EQ(off_by_one.size(), 1u);
  EXPECT_NE(off_by_one[0].find("parameters 86567656 != timm 86567657"), std::string::npos);
  EXPECT_EQ(
      ZooCountMismatches(LoadTimmZoo(WriteZoo("zoo_macs.json", {Entry(c, params, macs * 1.01)})))
          .size(),
      1u);
}

TEST(TimmZoo, MalformedFilesAreRefusedNamingTheField) {
  ViTConfig c = PresetByName("vit_b16");
  c.name = "vit_base_patch16_224";
  nlohmann::json e = Entry(c, 1, 1);
  e["config"]["dim"] = 768.5;
  try {
    LoadTimmZoo(WriteZoo("zoo_dim.json", {e}));
    FAIL() << "a fractional dim was accepted";
  } catch (const std::invalid_argument& err) {
    EXPECT_NE(std::string(err.what()).find("dim: expected an integer, got 768.5"), std::string::npos)
        << err.what();
  }
  EXPECT_THROW(LoadTimmZoo(WriteZoo("zoo_twice.json", {Entry(c, 1, 1), Entry(c, 1, 1)})),
               std::invalid_argument);
}

TEST(TimmZoo, ShippedZooCountsMatchTimmExactly) {
  const TimmZoo* zoo = ShippedTimmZoo();
  if (!zoo) GTEST_SKIP() << ShippedTimmZooPath() << " not generated yet (scripts/timm_zoo.py)";
  EXPECT_GE(zoo->models.size(), 20u);
  for (const std::string& line : ZooCountMismatches(*zoo)) ADD_FAILURE() << line;
  // Every zoo model is reachable by name, with and without its tag, and predicts on the
  // calibrated H200: finite, positive throughput at batch 1 and 64.
  const HardwareProfile h200 = LoadProfile("h200");
  for (const ZooModel& m : zoo->models) {
    EXPECT_EQ(PresetByName(m.FullName()).dim, m.config.dim) << m.FullName();
    for (int batch : {1, 64}) {
      const Prediction p = Evaluate(PresetByName(m.timm_name), batch, PipelineOptions{}, h200);
      EXPECT_TRUE(std::isfinite(p.throughput_ips) && p.throughput_ips > 0)
          << m.timm_name << " batch " << batch;
      EXPECT_GT(p.memory.TotalBytes(), 0) << m.timm_name;
    }
  }
}

TEST(TimmZoo, ShippedZooCoversTheFamiliesPeopleRun) {
  const TimmZoo* zoo = ShippedTimmZoo();
  if (!zoo) GTEST_SKIP() << ShippedTimmZooPath() << " not generated yet (scripts/timm_zoo.py)";
  for (const char* family : {"ViT (AugReg)", "DeiT", "DeiT-III", "CLIP", "DINOv2", "SigLIP",
                             "EVA02", "BEiT", "ViT-Medium", "ViT-Betwixt"}) {
    int n = 0;
    for (const ZooModel& m : zoo->models) n += m.family == family;
    EXPECT_GT(n, 0) << family;
  }
}

}  // namespace
}  // namespace vitperf
