// The paragraph that says what bounds a prediction: under autocast it prices the cast model.
#include "predict/explain.h"

#include <gtest/gtest.h>

#include "model/hardware_profile.h"
#include "model/presets.h"

namespace vitperf {
namespace {

TEST(Explain, AutocastNamesWhatCastingTheModelGives) {
  const HardwareProfile h200 = LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h200.json");
  ViTConfig c = PresetByName("vit_b16");
  c.precision = Precision::fp16;
  PipelineOptions o;
  o.compute_only = true;
  const Prediction pure = Evaluate(c, 256, o, h200);
  c.autocast = true;
  const Prediction amp = Evaluate(c, 256, o, h200);
  const std::string text = ExplainBottleneck(c, o, h200, amp);
  char expected[128];
  std::snprintf(expected, sizeof expected, "the model cast to fp16 instead runs at %.0f images/s",
                pure.throughput_ips);
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  EXPECT_GT(pure.throughput_ips, amp.throughput_ips);
  c.autocast = false;
  EXPECT_EQ(ExplainBottleneck(c, o, h200, pure).find("autocast"), std::string::npos);
}

}  // namespace
}  // namespace vitperf
