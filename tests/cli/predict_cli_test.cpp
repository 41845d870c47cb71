// End-to-end tests of `vitperf predict`, `models` and `gpus`: documented output on good input,
// one clear line and exit status 2 on bad input.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/cli/run_command.h"

namespace vitperf::testing {
namespace {

void ExpectUsageError(const std::string& args, const std::string& expected_text) {
  const CommandResult r = RunVitperf(args, "usage");
  EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
  EXPECT_EQ(LineCount(r.err), 1) << args << "\n" << r.err;
  EXPECT_NE(r.err.find(expected_text), std::string::npos) << args << "\n" << r.err;
  EXPECT_TRUE(r.out.empty()) << args;
}

TEST(PredictCli, TablePrintsEveryBatchAndARecommendation) {
  const CommandResult r = RunVitperf("predict --model vit_b16 --gpu h100 --batch 1,8,64");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vit_b16 224px bf16 on NVIDIA H100"), std::string::npos);
  EXPECT_NE(r.out.find("17.56 GMAC/image"), std::string::npos);
  EXPECT_NE(r.out.find("recommended batch: "), std::string::npos);
  EXPECT_NE(r.out.find("-bound."), std::string::npos);
}

TEST(PredictCli, OperatorsListTheForwardAtTheRecommendedBatch) {
  const CommandResult r = RunVitperf("predict --model vit_b16 --gpu h100 --batch 64 --operators");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("operators at batch 64"), std::string::npos);
  EXPECT_NE(r.out.find("conv, tensor_core"), std::string::npos);  // cuDNN's kernel at 224 px
  EXPECT_NE(r.out.find("conv_layout"), std::string::npos);
  // 2 x 768 query tiles of 197 tokens on 132 SMs: 12 whole waves, each tile 2 key blocks.
  EXPECT_NE(r.out.find("flash, 12 waves x 2 key blocks"), std::string::npos);
  const CommandResult j =
      RunVitperf("predict --model vit_s16 --res 512 --gpu h100 --batch 8 --operators --json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto out = nlohmann::json::parse(j.out);
  EXPECT_EQ(out["operators"]["batch"], 8);
  double share = 0, time_ms = 0;
  for (const auto& row : out["operators"]["rows"]) {
    share += row["share"].get<double>();
    time_ms += row["time_ms"].get<double>();
    if (row["operator"] == "patch_embed") {
      EXPECT_NE(row["shape"].get<std::string>().find("simt"), std::string::npos);
    }
    EXPECT_NE(row["operator"], "conv_layout") << "no layout copies before the SIMT conv";
  }
  EXPECT_NEAR(share, 1.0, 1e-9);
  // The operators' sum is the forward's device time without its gaps.
  EXPECT_NEAR(time_ms, out["rows"][0]["kernel_time_ms"].get<double>(), 1e-6);

  // Compiled: the residual adds fused into the LayerNorms have no kernel of their own, but their
  // bytes take device time; they are listed as fused, and the rows still sum to the forward.
  const CommandResult compiled = RunVitperf(
      "predict --model vit_b16 --gpu h200 --execution compiled --compute-only --batch 256 "
      "--operators --json");
  ASSERT_EQ(compiled.exit_code, 0) << compiled.err;
  const auto fused = nlohmann::json::parse(compiled.out);
  double fused_ms = 0;
  bool residual_listed = false;
  for (const auto& row : fused["operators"]["rows"]) {
    fused_ms += row["time_ms"].get<double>();
    if (row["operator"] == "residual_add") {
      residual_listed = true;
      EXPECT_EQ(row["kernels"].get<double>(), 0);
      EXPECT_NE(row["shape"].get<std::string>().find("fused"), std::string::npos);
    }
  }
  EXPECT_TRUE(residual_listed) << fused.dump();
  EXPECT_NEAR(fused_ms, fused["rows"][0]["kernel_time_ms"].get<double>(), 1e-6);
}

TEST(PredictCli, JsonHasSchemaMetaAndOneRowPerBatch) {
  const CommandResult r =
      RunVitperf("predict --model vit_s16 --res 384 --gpu h100 --batch 1,2,4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "vitperf.predict");
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["meta"]["profile"], "h100-sxm");
  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_EQ(j["rows"][2]["batch"], 4);
  EXPECT_EQ(j["config"]["image_height"], 384);
  EXPECT_GT(j["rows"][0]["throughput_ips"].get<double>(), 0);
}

TEST(PredictCli, DefaultBatchesRunUpToTheLargestThatFits) {
  const CommandResult r = RunVitperf("predict --model vit_h14 --gpu h100 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const int largest = j["largest_fitting_batch"];
  EXPECT_EQ(j["rows"].back()["batch"].get<int>(), largest);
  for (const auto& row : j["rows"]) EXPECT_TRUE(row["fits"].get<bool>());
}

TEST(PredictCli, MemoryLimitAndLatencySloShapeTheRecommendation) {
  auto recommended = [](const std::string& extra) {
    const CommandResult r = RunVitperf("predict --model vit_l16 --gpu h100 --json " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  };
  const auto free = recommended("");
  // An SLO that batch 1 meets but the free recommendation does not (taken from the model).
  const double batch1_p90_ms = free["rows"][0]["latency_ms"]["p90"].get<double>();
  double free_p90_ms = 0;
  for (const auto& row : free["rows"])
    if (row["batch"] == free["recommended_batch"]) free_p90_ms = row["latency_ms"]["p90"];
  const double slo_ms = 1.5 * batch1_p90_ms;
  ASSERT_GT(free_p90_ms, slo_ms) << "the free recommendation must violate the SLO";
  const auto slo = recommended("--latency-slo " + std::to_string(slo_ms));
  ASSERT_FALSE(slo["recommended_batch"].is_null());
  EXPECT_LT(slo["recommended_batch"].get<int>(), free["recommended_batch"].get<int>());
  for (const auto& row : slo["rows"])
    if (row["batch"] == slo["recommended_batch"]) {
      EXPECT_LE(row["latency_ms"]["p90"].get<double>(), slo_ms);
    }
  const auto small = recommended("--memory-limit 2");
  EXPECT_LT(small["largest_fitting_batch"].get<int>(), free["largest_fitting_batch"].get<int>());
}

TEST(PredictCli, ComputeOnlyHasNoTransfers) {
  const CommandResult r = RunVitperf("predict --model vit_b16 --batch 256 --compute-only --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto row = nlohmann::json::parse(r.out)["rows"][0];
  EXPECT_EQ(row["h2d_bytes"].get<double>(), 0);
  EXPECT_EQ(row["stage_ms"]["h2d"].get<double>(), 0);
}

TEST(PredictCli, ModelsAndGpusList) {
  CommandResult r = RunVitperf("models");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("vit_base_patch16_224"), std::string::npos);
  EXPECT_NE(r.out.find("86567656"), std::string::npos);
  r = RunVitperf("gpus --json");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out)["schema"], "vitperf.gpus");
}

TEST(PredictCli, BadInputIsOneLineAndExitTwo) {
  ExpectUsageError("predict --model vit_b61", "vit_b16");
  ExpectUsageError("predict --gpu h10", "closest: ");
  ExpectUsageError("predict --model vit_b16 --patch 15", "patch: 15 does not divide");
  ExpectUsageError("predict --batch -4", "batch: -4 is out of range");
  ExpectUsageError("predict --batch 0", "batch: 0 is out of range");
  ExpectUsageError("predict --precision fp8",
                   "precision: 'fp8' is not one of fp32, tf32, fp16, bf16");
  ExpectUsageError("predict --frobnicate", "frobnicate");
  ExpectUsageError("predict --pipeline overlapped --queue-depth 1", "queue_depth");
  ExpectUsageError("nosuchcommand", "nosuchcommand");
}

TEST(PredictCli, MalformedOrTruncatedProfileIsOneLineAndExitTwo) {
  const std::string dir = VITPERF_TEST_TMP;
  const std::string good =
      ReadWholeFile(std::string(VITPERF_SOURCE_DIR) + "/data/hardware/h100-sxm.json");
  {
    std::ofstream(dir + "/truncated.json") << good.substr(0, good.size() / 2);
    ExpectUsageError("predict --gpu " + dir + "/truncated.json", "malformed JSON");
  }
  {
    auto j = nlohmann::json::parse(good);
    j["memory_bandwidth_gbs"] = "fast";
    std::ofstream(dir + "/wrongtype.json") << j.dump();
    ExpectUsageError("predict --gpu " + dir + "/wrongtype.json", "memory_bandwidth_gbs");
    const nlohmann::json calibration = {{"schema", "vitperf.calibration"},
                                        {"schema_version", 1},
                                        {"gpu", "h100-sxm"},
                                        {"architecture", "sm90"},
                                        {"coefficients", {{"matmul_eficiency", {{"value", 0.5}}}}},
                                        {"fit", nlohmann::json::object()}};
    std::ofstream(dir + "/badcoef.json") << calibration.dump();
    ExpectUsageError("predict --gpu " + dir + "/badcoef.json", "closest: matmul_efficiency");
  }
  ExpectUsageError("predict --gpu " + dir + "/missing.json", "no such file");
}

// The cell of column `column` in the table row that starts with `batch`, found by the header's
// positions: a column runs from its header's first character to the next header's.
std::string TableCell(const std::string& out, const std::string& column, const std::string& batch) {
  std::istringstream lines(out);
  std::string line, header;
  while (std::getline(lines, line)) {
    if (line.rfind("batch  ", 0) == 0) {
      header = line;
      continue;
    }
    std::istringstream words(line);
    std::string first_word;
    if (header.empty() || !(words >> first_word) || first_word != batch) continue;
    const size_t start = header.find(column);
    if (start == std::string::npos) return "<no column " + column + ">";
    const size_t next = header.find_first_not_of(' ', header.find("  ", start));
    if (start >= line.size()) return "";
    std::string cell =
        line.substr(start, next == std::string::npos ? std::string::npos : next - start);
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    return cell;
  }
  return "<no row for batch " + batch + ">";
}

std::string Fixed3(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

nlohmann::json PredictJson(const std::string& args) {
  const CommandResult r = RunVitperf("predict " + args + " --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(PredictCli, HostColumnIsTheHostStageOfTheJson) {
  const std::string args = "--model vit_ti16 --gpu h100 -b 1024";
  const CommandResult r = RunVitperf("predict " + args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "host [ms]")) << r.out;
  const auto j = PredictJson(args);
  const auto& row = j["rows"][0];
  ASSERT_EQ(row["batch"], 1024);
  const double preprocess_ms = row["stage_ms"]["preprocess"].get<double>();
  ASSERT_GT(preprocess_ms, 0);
  const std::string cell = TableCell(r.out, "host [ms]", "1024");
  EXPECT_EQ(cell, Fixed3(preprocess_ms)) << r.out;
  EXPECT_GT(std::atof(cell.c_str()), 0) << cell;
  // The neighbouring stages stay in their own columns.
  EXPECT_EQ(TableCell(r.out, "H2D [ms]", "1024"), Fixed3(row["stage_ms"]["h2d"].get<double>()));
  EXPECT_EQ(TableCell(r.out, "compute [ms]", "1024"),
            Fixed3(row["stage_ms"]["compute"].get<double>()));
  EXPECT_TRUE(Contains(r.out, "The host prepares each batch in " + Fixed3(preprocess_ms) + " ms"))
      << r.out;
  // Here the host stage sets the pace, and the regime sentence says so instead of the
  // sequential pipeline's.
  ASSERT_EQ(row["regime"], "preprocess");
  EXPECT_TRUE(Contains(r.out, "Host-side preparation sets the pace")) << r.out;
  EXPECT_FALSE(Contains(r.out, "Run sequentially")) << r.out;
}

TEST(PredictCli, SequentialExplanationSaysWhatTheHostStageCosts) {
  // vit_s16 at batch 1024: compute-bound, the host stage over a third of a sequential batch.
  const std::string args = "--model vit_s16 --gpu h100 -b 1024 --pipeline sequential";
  const auto j = PredictJson(args);
  const auto& row = j["rows"][0];
  const double preprocess_ms = row["stage_ms"]["preprocess"].get<double>();
  const double period_ms = row["period_ms"].get<double>();
  ASSERT_NE(row["regime"], "preprocess");
  ASSERT_GT(preprocess_ms, 0.1 * period_ms);
  char share[64];
  std::snprintf(share, sizeof share, "%.0f%%", 100 * preprocess_ms / period_ms);
  const std::string sentence =
      std::string("Run sequentially, that host stage is ") + share + " of each batch's time";
  EXPECT_TRUE(Contains(j["explanation"].get<std::string>(), sentence)) << j["explanation"];
  const CommandResult r = RunVitperf("predict " + args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, sentence)) << r.out;
  EXPECT_TRUE(Contains(r.out, "The host prepares each batch in " + Fixed3(preprocess_ms) + " ms"));

  // Overlapped, the same host stage hides behind the forward: no such sentence.
  const auto o = PredictJson("--model vit_s16 --gpu h100 -b 1024 --pipeline overlapped");
  const auto& orow = o["rows"][0];
  ASSERT_NE(orow["regime"], "preprocess");
  ASSERT_GT(orow["stage_ms"]["preprocess"].get<double>(), 0.1 * orow["period_ms"].get<double>());
  const std::string explained = o["explanation"].get<std::string>();
  EXPECT_TRUE(Contains(explained, "The host prepares each batch in ")) << explained;
  EXPECT_FALSE(Contains(explained, "Run sequentially")) << explained;
}

TEST(PredictCli, AssumesTheOverlappedPipelineAndStatesTheLatencyOfItsPick) {
  // What a deployment runs (issue 24): overlapped unless --pipeline says otherwise; the
  // recommendation says what its batch costs in latency.
  const auto j = PredictJson("--model vit_b16 --gpu h100");
  EXPECT_EQ(j["options"]["pipeline"], "overlapped");
  EXPECT_EQ(j["options"]["queue_depth"], 2);
  const std::string reason = j["recommendation_reason"].get<std::string>();
  EXPECT_TRUE(Contains(reason, "p90 latency there")) << reason;
  EXPECT_TRUE(Contains(reason, "--latency-slo")) << reason;
  // ... and what halving the batch would give up: the row before the pick, in its own numbers.
  const int pick = j["recommended_batch"].get<int>();
  for (size_t i = 1; i < j["rows"].size(); ++i) {
    if (j["rows"][i]["batch"].get<int>() != pick) continue;
    const auto& before = j["rows"][i - 1];
    char expected[96];
    std::snprintf(
        expected, sizeof expected, "; batch %d: %.0f%% of that throughput at p90 %.1f ms",
        before["batch"].get<int>(),
        100 * before["throughput_ips"].get<double>() / j["rows"][i]["throughput_ips"].get<double>(),
        before["latency_ms"]["p90"].get<double>());
    EXPECT_TRUE(Contains(reason, expected)) << reason << "\nexpected: " << expected;
  }
  const auto s = PredictJson("--model vit_b16 --gpu h100 --pipeline sequential");
  EXPECT_EQ(s["options"]["pipeline"], "sequential");
  // Overlap hides the host stage: the sequential pick is the larger batch.
  EXPECT_GT(s["recommended_batch"].get<int>(), j["recommended_batch"].get<int>());
}

TEST(PredictCli, ImagesDecodedIntoPinnedMemoryAreNotStaged) {
  const auto pageable = PredictJson("--model vit_b16 --gpu h100 -b 256");
  const auto pinned = PredictJson("--model vit_b16 --gpu h100 -b 256 --start pinned");
  EXPECT_EQ(pinned["options"]["start"], "pinned");
  EXPECT_FALSE(pageable["options"].contains("start"));
  // Only the per-batch cost is left of the host stage: no 38.5 MB staging copy.
  const double staged_ms = pageable["rows"][0]["stage_ms"]["preprocess"].get<double>();
  const double pinned_ms = pinned["rows"][0]["stage_ms"]["preprocess"].get<double>();
  EXPECT_GT(staged_ms, 1.0);
  EXPECT_LT(pinned_ms, 0.1);
  const CommandResult text = RunVitperf("predict --model vit_b16 --gpu h100 -b 256 --start pinned");
  EXPECT_TRUE(Contains(text.out, "images decoded into pinned memory")) << text.out;
  const CommandResult bad = RunVitperf("predict --model vit_b16 --start pinned --input float32");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(Contains(bad.err, "start: pinned")) << bad.err;
}

TEST(PredictCli, ComputeOnlyHasNoHostStage) {
  const CommandResult r = RunVitperf("predict --model vit_ti16 --gpu h100 -b 1024 --compute-only");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "host [ms]")) << r.out;
  EXPECT_EQ(TableCell(r.out, "host [ms]", "1024"), "-") << r.out;
  EXPECT_TRUE(Contains(r.out, "recommended batch: 1024")) << r.out;
  EXPECT_FALSE(Contains(r.out, "The host prepares")) << r.out;
  EXPECT_FALSE(Contains(r.out, "Run sequentially")) << r.out;
}

}  // namespace
}  // namespace vitperf::testing
