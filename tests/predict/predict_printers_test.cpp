// `vitperf predict` computes once and prints twice: RunPredict fills a PredictResult, and the
// text and JSON printers only read it. Walks one parameter (the resolution) from the request
// the command line resolves to the printed table, and shows that the printers print the
// struct's values as they stand, without asking the model again.
#include <gtest/gtest.h>

#include <sstream>

#include "model/hardware_profile.h"
#include "predict/model_request.h"
#include "predict/predict_output.h"

namespace vitperf {
namespace {

// What `vitperf predict --model vit_b16 --res 336 --gpu h100 --batch 1,64 --operators` builds.
PredictQuery Query336() {
  ModelRequest model;
  model.model = "vit_b16";
  model.res = "336";
  PredictQuery q;
  q.config = ResolveModel(model);
  q.options = ResolvePipeline(PipelineRequest{}, PipelineMode::overlapped);
  q.profile = LoadProfile("h100");
  q.batches = ParseBatchList("1,64");
  q.operators = true;
  return q;
}

std::string Text(const PredictResult& result) {
  std::ostringstream out;
  PrintPredict(out, result);
  return out.str();
}

TEST(PredictPrinters, ResolutionWalksFromTheRequestToBothPrinters) {
  const PredictResult result = RunPredict(Query336());
  ASSERT_EQ(result.query.config.image_height, 336);
  ASSERT_EQ(result.sweep.rows.size(), 2u);
  // Computed once: one interval per row (calibrated profile), the paragraph, the breakdown.
  EXPECT_EQ(result.intervals.size(), result.sweep.rows.size());
  EXPECT_FALSE(result.explanation.empty());
  ASSERT_TRUE(result.breakdown.has_value());
  // 336 px at patch 16: 21 x 21 = 441 patches, and the H2D volume of 3 x 336 x 336 uint8 bytes.
  EXPECT_DOUBLE_EQ(result.sweep.rows[0].h2d_bytes, 3.0 * 336 * 336);

  const std::string text = Text(result);
  EXPECT_EQ(text.rfind("vit_b16 336px bf16 on NVIDIA H100", 0), 0u) << text;
  const nlohmann::json j = PredictJson(result, {"test"});
  EXPECT_EQ(j["config"]["image_height"], 336);
  EXPECT_EQ(j["config"]["image_width"], 336);
  EXPECT_DOUBLE_EQ(j["rows"][0]["h2d_bytes"].get<double>(), 3.0 * 336 * 336);
}

TEST(PredictPrinters, PrintWhatTheResultHoldsWithoutRecomputing) {
  PredictResult result = RunPredict(Query336());
  const nlohmann::json computed_rows = PredictJson(result, {"test"})["rows"];
  // Values the model would never give: a printer that recomputed anything would miss them.
  result.query.config.image_height = result.query.config.image_width = 999;
  result.sweep.rows[1].throughput_ips = 123456;
  result.parameters = 4242;
  result.expected_error_summary = "summary from the struct";
  result.execution_caveat = "caveat from the struct";
  result.intervals[1].relative_sigma = 0.777;
  result.row_expected_errors[1].mape = 0.4321;
  result.row_expected_errors[1].case_name = "case from the struct";
  result.intervals[1].low_ips = 11;
  result.intervals[1].high_ips = 22;
  result.explanation = "explanation from the struct";
  result.breakdown->batch = 77;
  result.breakdown->operators.front().time_s = 0.987654;

  const std::string text = Text(result);
  EXPECT_EQ(text.rfind("vit_b16 999px bf16", 0), 0u) << text;
  for (const char* expected :
       {"profile: summary from the struct\n", "note: caveat from the struct\n", "params 4.24k,",
        " 123456 ", " 43.2% ", " 77.7% ", "\nexplanation from the struct\n",
        "operators at batch 77 ", " 987.654 "})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;

  const nlohmann::json j = PredictJson(result, {"test"});
  EXPECT_EQ(j["config"]["image_height"], 999);
  EXPECT_EQ(j["parameters"], 4242);
  EXPECT_EQ(j["expected_error"]["summary"], "summary from the struct");
  EXPECT_EQ(j["execution_caveat"], "caveat from the struct");
  EXPECT_EQ(j["rows"][1]["throughput_ips"], 123456.0);
  EXPECT_EQ(j["rows"][1]["throughput_interval_ips"]["low"], 11.0);
  EXPECT_EQ(j["rows"][1]["throughput_interval_ips"]["high"], 22.0);
  EXPECT_EQ(j["rows"][1]["expected_error"]["mape"], 0.4321);
  EXPECT_EQ(j["rows"][1]["expected_error"]["case"], "case from the struct");
  EXPECT_EQ(j["explanation"], "explanation from the struct");
  EXPECT_EQ(j["operators"]["batch"], 77);
  // The other rows are the computed ones: a 999 px config was never evaluated.
  EXPECT_EQ(j["rows"][0], computed_rows[0]);
}

}  // namespace
}  // namespace vitperf
