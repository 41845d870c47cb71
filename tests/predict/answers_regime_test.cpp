// Regime map: known cases of each regime, and boundaries that really are boundaries.
#include <gtest/gtest.h>

#include "model/hardware_profile.h"
#include "model/presets.h"
#include "predict/regime_map.h"

namespace vitperf {
namespace {

TEST(AnswersRegime, TinyModelAtBatchOneIsOverheadBoundInEagerMode) {
  // vit_ti16: ~140 kernels of a few us of device work each; eager dispatch (~6 us per kernel)
  // exceeds the device time.
  PipelineOptions eager;
  const Prediction p = Evaluate(PresetByName("vit_ti16"), 1, eager, LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"));
  EXPECT_EQ(p.regime, Regime::overhead);
  EXPECT_GT(p.dispatch_s, p.device_s);
}

TEST(AnswersRegime, LargeModelsAtLargeBatchAreComputeBound) {
  const HardwareProfile h100 = LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  PipelineOptions graph;
  graph.execution = ExecutionMode::graph;
  for (const char* name : {"vit_l16", "vit_h14"}) {
    const Prediction p = Evaluate(PresetByName(name), 256, graph, h100);
    EXPECT_TRUE(p.fits) << name;
    EXPECT_EQ(p.regime, Regime::compute) << name;
  }
}

TEST(AnswersRegime, MapCellsAgreeWithEvaluateAndBoundariesAreExact) {
  const HardwareProfile h100 = LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  const ViTConfig base = PresetByName("vit_b16");
  PipelineOptions o;
  const RegimeMap m =
      ComputeRegimeMap(base, 1, o, h100, RegimeAxis::batch, DefaultAxisValues(RegimeAxis::batch),
                       RegimeAxis::width, DefaultAxisValues(RegimeAxis::width));
  ASSERT_EQ(m.cells.size(), m.ys.size());
  // Narrow models at batch 1 are overhead-bound, wide ones compute-bound.
  EXPECT_EQ(m.cells.front().front().Letter(), 'O');
  EXPECT_EQ(m.cells.back().back().Letter(), 'C');
  ASSERT_FALSE(m.boundaries.empty());
  for (const RegimeBoundary& b : m.boundaries) {
    ViTConfig c = base;
    int batch = 1;
    ApplyAxis(RegimeAxis::width, b.y, &c, &batch);
    EXPECT_EQ(b.x_after - b.x_before, 1);  // bisected down to neighbouring batches
    EXPECT_EQ(Evaluate(c, b.x_before, o, h100).regime, b.from);
    EXPECT_EQ(Evaluate(c, b.x_after, o, h100).regime, b.to);
    EXPECT_NE(b.from, b.to);
  }
}

TEST(AnswersRegime, InvalidAndOversizedCellsAreMarked) {
  const HardwareProfile h100 = LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  const RegimeMap m =
      ComputeRegimeMap(PresetByName("vit_b16"), 1, PipelineOptions{}, h100, RegimeAxis::batch,
                       {1, 4096}, RegimeAxis::resolution, {200, 2048});
  EXPECT_EQ(m.cells[0][0].Letter(), kInvalid);     // 16 does not divide 200
  EXPECT_EQ(m.cells[1][1].Letter(), kDoesNotFit);  // 4096 images of 2048 px
  EXPECT_THROW(ComputeRegimeMap(PresetByName("vit_b16"), 1, PipelineOptions{}, h100,
                                RegimeAxis::batch, {1}, RegimeAxis::batch, {1}),
               std::invalid_argument);
}

}  // namespace
}  // namespace vitperf
