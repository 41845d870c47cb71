// End-to-end tests of `vitperf best`, `regimes`, `laws` and `report`: schema-versioned JSON,
// exit 2 on bad input, exit 1 on a failed --check, and real PNG files of the promised size.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/evaluate.h"
#include "model/hardware_profile.h"
#include "model/measurement_record.h"
#include "model/presets.h"
#include "tests/cli/run_command.h"

namespace vitperf::testing {
namespace {

nlohmann::json RunJson(const std::string& args, const std::string& schema, const std::string& tag) {
  const CommandResult r = RunVitperf(args + " --json", tag);
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  if (j.is_discarded()) return {};
  EXPECT_EQ(j["schema"], "vitperf." + schema);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_TRUE(j["meta"]["argv"].is_array());
  EXPECT_FALSE(j["meta"]["git_revision"].get<std::string>().empty());
  EXPECT_EQ(j["meta"]["profile"], "h100-sxm");
  EXPECT_EQ(j["meta"]["calibrated"], true);  // the shipped H100 profile is the calibrated one
  return j;
}

TEST(AnswersCli, BestJsonListsConfigurationsWithinTheSlo) {
  const auto j =
      RunJson("best --model vit_b16 --gpu h100 --latency-slo 5 --top 3", "best", "best_json");
  ASSERT_EQ(j["top"].size(), 3u);
  for (const auto& c : j["top"]) {
    EXPECT_LE(c["prediction"]["latency_ms"]["p90"].get<double>(), 5.0);
    EXPECT_GT(c["cost_per_million_images_usd"].get<double>(), 0);
  }
  EXPECT_FALSE(j["greedy_path"].empty());
  EXPECT_EQ(j["baseline"]["options"]["execution"], "eager");
}

TEST(AnswersCli, RegimesJsonHasOneLetterPerCell) {
  const auto j = RunJson("regimes --gpu h100 --x batch --y depth --x-values 1,64 --y-values 6,24",
                         "regimes", "regimes_json");
  ASSERT_EQ(j["map"]["rows"].size(), 2u);
  EXPECT_EQ(j["map"]["rows"][0].get<std::string>().size(), 2u);
  EXPECT_EQ(j["map"]["cells"].size(), 4u);
}

TEST(AnswersCli, LawsJsonCoversTheStudyGrid) {
  const auto j = RunJson("laws --gpu h100", "laws", "laws_json");
  EXPECT_EQ(j["laws"]["grid"].size(), 48u);
  EXPECT_LT(j["laws"]["optimal_batch_vs_gflops"]["exponent"].get<double>(), 0);
  EXPECT_EQ(j["laws"]["largest_resolution_batch1"].size(), ModelPresets().size());
}

TEST(AnswersCli, BadInputExitsTwo) {
  for (const char* args :
       {"best --model vit_b16 --latency-slo -1", "best --model no_such_model",
        "regimes --x batch --y batch", "regimes --x bogus", "laws --tolerance 0", "laws --check",
        "report --profile h100", "laws --data /no/such/file.jsonl"}) {
    const CommandResult r = RunVitperf(args, "answers_usage");
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << args;
  }
}

// A dataset of compute times at three resolutions, made from the model and scaled by r^extra.
std::string WriteDataset(const std::string& name, double extra) {
  const HardwareProfile h100 = LoadProfile("h100");
  const std::string path = std::string(VITPERF_TEST_TMP) + "/" + name;
  std::ofstream out(path);
  for (int r : {224, 448, 896}) {
    PipelineRecord rec;
    rec.id = "synthetic-" + std::to_string(r);
    rec.device = "cuda:0";
    rec.config = PresetByName("vit_b16");
    rec.config.image_height = rec.config.image_width = r;
    rec.batch = 8;
    const Prediction p = Evaluate(rec.config, rec.batch, rec.options, h100);
    rec.compute.median_ms = p.compute_s * 1e3 * std::pow(r / 224.0, extra);
    rec.compute.repeats = 10;
    rec.throughput_ips = p.throughput_ips;
    out << ToJsonLine(rec) << "\n";
  }
  return path;
}

TEST(AnswersCli, LawsCheckPassesOnAgreeingDataAndFailsOnDepartingData) {
  const std::string good = WriteDataset("laws_good.jsonl", 0.0);
  const std::string bad = WriteDataset("laws_bad.jsonl", 0.6);
  const CommandResult pass = RunVitperf("laws --gpu h100 --data " + good + " --check", "laws_ok");
  EXPECT_EQ(pass.exit_code, 0) << pass.err << pass.out;
  EXPECT_NE(pass.out.find("check passed"), std::string::npos);
  const CommandResult fail = RunVitperf("laws --gpu h100 --data " + bad + " --check", "laws_bad");
  EXPECT_EQ(fail.exit_code, 1) << fail.err;
  EXPECT_NE(fail.out.find("FAIL"), std::string::npos);
}

// Width and height from a PNG's IHDR chunk (bytes 16-23, big-endian); {0, 0} if not a PNG.
std::pair<uint32_t, uint32_t> PngSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char header[24] = {};
  in.read(reinterpret_cast<char*>(header), sizeof header);
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (!in || !std::equal(kSignature, kSignature + 8, header) ||
      std::string(reinterpret_cast<char*>(header) + 12, 4) != "IHDR")
    return {0, 0};
  auto be32 = [&](int at) {
    return (uint32_t(header[at]) << 24) | (uint32_t(header[at + 1]) << 16) |
           (uint32_t(header[at + 2]) << 8) | uint32_t(header[at + 3]);
  };
  return {be32(16), be32(20)};
}

TEST(AnswersCli, ReportWritesMarkdownDataAndPngsOfTheExpectedSize) {
  const std::string dir = std::string(VITPERF_TEST_TMP) + "/report";
  std::filesystem::remove_all(dir);
  const std::string data = WriteDataset("report_data.jsonl", 0.0);
  const auto j =
      RunJson("report --profile h100 --data " + data + " -o " + dir, "report", "report_json");
  EXPECT_TRUE(std::filesystem::exists(dir + "/report.md"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/roofline_ops.dat"));
  ASSERT_TRUE(j["rendered"].get<bool>()) << j["messages"].dump();  // gnuplot is installed here
  const std::pair<uint32_t, uint32_t> roofline{1100, 700}, batch{960, 600}, regime{1000, 620},
      accuracy{900, 700};
  EXPECT_EQ(PngSize(dir + "/roofline.png"), roofline);
  EXPECT_EQ(PngSize(dir + "/throughput_vs_batch.png"), batch);
  EXPECT_EQ(PngSize(dir + "/law_optimal_batch.png"), batch);
  EXPECT_EQ(PngSize(dir + "/regime_map.png"), regime);
  EXPECT_EQ(PngSize(dir + "/predicted_vs_measured.png"), accuracy);
  EXPECT_TRUE(std::filesystem::exists(dir + "/roofline.svg"));
  const std::string md = ReadWholeFile(dir + "/report.md");
  EXPECT_NE(md.find("![roofline](roofline.png)"), std::string::npos);
  EXPECT_NE(md.find("compute time vs resolution"), std::string::npos);
}

}  // namespace
}  // namespace vitperf::testing
