// Property-based fuzzing of the profile, config and measurement (JSONL) readers (issue 25): a
// fixed seed, a bounded number of mutated inputs and a time cap. Each reader either returns a
// value that passes its own checks or throws std::invalid_argument (exit 2 on the command line);
// any other exception, a crash or a hang fails the test.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "model/hardware_profile.h"
#include "model/measurement_record.h"
#include "model/record_validation.h"
#include "model/strict_json.h"
#include "model/vit_config.h"
#include "tests/fuzz/mutator.h"

namespace vitperf {
namespace {

constexpr std::uint64_t kSeed = 25;
constexpr int kMaxCases = 40000;
constexpr double kSecondsPerReader = 12;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Src(const std::string& relative) {
  return std::string(VITPERF_SOURCE_DIR) + "/" + relative;
}

// Runs `read` and reports anything but success or std::invalid_argument, with the input.
template <typename F>
void ExpectCleanOutcome(const std::string& input, int n, F read) {
  try {
    read();
  } catch (const std::invalid_argument&) {
  } catch (const std::exception& e) {
    ADD_FAILURE() << "case " << n << ": " << typeid(e).name() << ": " << e.what()
                  << "\ninput: " << input.substr(0, 400);
  }
}

TEST(ReaderFuzz, HardwareProfile) {
  const std::vector<std::string> seeds = {Slurp(Src("data/hardware/h200.json")),
                                          Slurp(Src("data/hardware/t4.json")),
                                          Slurp(Src("data/hardware/cpu-generic.json"))};
  const std::string path =
      std::string(VITPERF_TEST_TMP) + "/fuzz_profile_" + std::to_string(::getpid()) + ".json";
  const int n = fuzz::FuzzFor(seeds, kSeed, kMaxCases, kSecondsPerReader,
                              [&](const std::string& text, int i) {
                                std::ofstream(path, std::ios::binary) << text;
                                ExpectCleanOutcome(text, i, [&] {
                                  const HardwareProfile p = LoadProfileFile(path);
                                  std::string why;
                                  EXPECT_TRUE(p.IsValid(&why)) << why;
                                  EXPECT_TRUE(std::isfinite(p.UsableMemoryBytes()));
                                });
                              });
  EXPECT_GT(n, 100);
}

TEST(ReaderFuzz, ViTConfig) {
  const std::vector<std::string> seeds = {
      R"({"name": "c", "image_height": 224, "image_width": 224, "patch": 16, "dim": 768,
          "depth": 12, "heads": 12, "mlp_ratio": 4.0, "classes": 1000, "precision": "bf16",
          "attention": "fused", "output": "logits", "pooling": "cls", "class_token": true})",
      nlohmann::json(ViTConfig{}).dump()};
  const int n = fuzz::FuzzFor(
      seeds, kSeed + 1, kMaxCases, kSecondsPerReader, [&](const std::string& text, int i) {
        ExpectCleanOutcome(text, i, [&] {
          const ViTConfig c = ParseStrictJson(text, "config").get<ViTConfig>();
          std::string why;
          EXPECT_TRUE(c.IsValid(&why)) << why;
        });
      });
  EXPECT_GT(n, 100);
}

TEST(ReaderFuzz, MeasurementJsonl) {
  // Seeds of a few lines each: a provenance, probes and pipeline records.
  std::vector<std::string> lines;
  {
    std::stringstream s(Slurp(Src("data/measurements/h200/quick_test.jsonl")));
    for (std::string line; std::getline(s, line);) lines.push_back(line);
  }
  std::vector<std::string> seeds;
  for (std::size_t i = 0; i + 2 < lines.size(); i += 3)
    seeds.push_back(lines[i] + "\n" + lines[i + 1] + "\n" + lines[i + 2] + "\n");
  const int n = fuzz::FuzzFor(seeds, kSeed + 2, kMaxCases, kSecondsPerReader,
                              [&](const std::string& text, int i) {
                                ExpectCleanOutcome(text, i, [&] {
                                  MeasurementSet data;
                                  ReadMeasurementsText(text, "fuzz.jsonl", &data);
                                  for (const auto& r : data.pipeline)
                                    EXPECT_EQ(PipelineRecordProblem(r), "");
                                  for (const auto& r : data.probes)
                                    EXPECT_EQ(ProbeRecordProblem(r), "");
                                  const std::string summary = RejectionSummary(data);
                                  EXPECT_EQ(summary.find('\n'), std::string::npos);
                                });
                              });
  EXPECT_GT(n, 100);
}

}  // namespace
}  // namespace vitperf
