// `vitperf regimes` computes its map once and prints it twice: the text and JSON printers only
// read a RegimesResult, so a value altered by hand is printed as it stands.
#include <gtest/gtest.h>

#include <sstream>

#include "model/hardware_profile.h"
#include "predict/model_request.h"
#include "predict/regimes_output.h"

namespace vitperf {
namespace {

// What `vitperf regimes --gpu h100 --x batch --y resolution --x-values 1,16,256 --y-values
// 224,512` builds.
RegimesResult Computed() {
  ModelRequest model;
  model.model = "vit_b16";
  RegimesResult r;
  r.model = ResolveModel(model);
  r.options = ResolvePipeline(PipelineRequest{});
  r.profile = LoadProfile("h100");
  r.base_batch = 1;
  r.map = ComputeRegimeMap(r.model, r.base_batch, r.options, r.profile, RegimeAxis::batch,
                           {1, 16, 256}, RegimeAxis::resolution, {224, 512});
  return r;
}

std::string Text(const RegimesResult& r) {
  std::ostringstream out;
  PrintRegimes(out, r);
  return out.str();
}

TEST(RegimesPrinters, PrintTheMapTheyAreGiven) {
  RegimesResult r = Computed();
  ASSERT_EQ(r.map.cells.size(), 2u);
  ASSERT_FALSE(r.map.boundaries.empty());
  const std::string text = Text(r);
  EXPECT_NE(text.find("rows: resolution [pixels], columns: batch [images]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Boundaries along batch"), std::string::npos) << text;
  EXPECT_EQ(text.find("plot"), std::string::npos) << text;

  // Altered by hand: the printers show the struct's values, not the model's.
  r.map.boundaries[0].x_before = 12345;
  r.map.ys[1] = 999;
  r.plot_note = "plot: somewhere.png";
  const std::string altered = Text(r);
  EXPECT_NE(altered.find("up to 12345"), std::string::npos) << altered;
  EXPECT_NE(altered.find("\n               999"), std::string::npos) << altered;
  EXPECT_NE(altered.find("plot: somewhere.png"), std::string::npos) << altered;
  const nlohmann::json j = RegimesJson(r, {"vitperf", "regimes"});
  EXPECT_EQ(j["schema"], "vitperf.regimes");
  EXPECT_EQ(j["map"]["boundaries"][0]["x_before"], 12345);
  EXPECT_EQ(j["plot"], "plot: somewhere.png");
  EXPECT_EQ(j["base_batch"], 1);
}

}  // namespace
}  // namespace vitperf
