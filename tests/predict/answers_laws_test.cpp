// Scaling laws: power-law fit recovers known exponents; resolution laws move the way the
// formulas say; the largest fitting resolution is a true edge; measured-law check can fail.
#include <gtest/gtest.h>

#include <cmath>

#include "model/hardware_profile.h"
#include "model/presets.h"
#include "predict/measured_laws.h"
#include "predict/power_law_fit.h"
#include "predict/scaling_laws.h"

namespace vitperf {
namespace {

TEST(AnswersPowerLaw, RecoversAKnownExponentFromSyntheticData) {
  std::vector<double> x, y;
  for (int i = 0; i < 20; ++i) {
    x.push_back(std::pow(2.0, i * 0.5));
    // Deterministic +/-3% wobble so the fit has residuals to average out.
    y.push_back(3.0 * std::pow(x.back(), 1.7) * (1 + 0.03 * std::sin(i * 1.3)));
  }
  const auto f = FitPowerLaw(x, y);
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->exponent, 1.7, 0.01);
  EXPECT_NEAR(f->coefficient, 3.0, 0.1);
  EXPECT_GT(f->r_squared, 0.999);
  EXPECT_GT(f->exponent_error, 0);
  EXPECT_EQ(f->points, 20);
  EXPECT_FALSE(FitPowerLaw({1, 1, 1}, {2, 3, 4}));  // no spread in x
  EXPECT_FALSE(FitPowerLaw({1, -2}, {2, 3}));       // one usable point
}

TEST(AnswersLaws, TransferToComputeRatioFallsAsResolutionRises) {
  // By hand, per batch of B images at resolution r: H2D bytes = B * 3 r^2 (uint8), so H2D time
  // grows as r^2. Compute grows as r^2 (linear layers, ~tokens) plus r^4 (attention, ~tokens^2),
  // i.e. faster than r^2 once attention matters. So H2D/compute must fall with r.
  const HardwareProfile h100 =
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  PipelineOptions o;
  o.execution = ExecutionMode::graph;  // no dispatch floor hiding the compute growth
  o.input = InputFormat::uint8;
  ViTConfig c = PresetByName("vit_b16");
  double previous = 1e300;
  for (int r : {512, 1024, 2048}) {
    c.image_height = c.image_width = r;
    const double ratio = TransferToComputeRatio(c, 16, o, h100);
    EXPECT_LT(ratio, previous) << r << " px";
    previous = ratio;
  }
}

TEST(AnswersLaws, CrossoverSeparatesTransferAndComputeDominance) {
  const HardwareProfile h100 =
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  PipelineOptions o;
  o.execution = ExecutionMode::graph;
  // 4 bytes per pixel through pageable memory (~19 GB/s): transfer can overtake compute. Pinned
  // (~52 GB/s) it cannot for vit_s32: the patch convolution alone (2 x 384 x 3 FLOP per pixel
  // on the CUDA cores) takes longer per pixel than the copy, at every resolution.
  o.input = InputFormat::float32;
  o.host_memory = HostMemory::pageable;
  const ViTConfig s32 = PresetByName("vit_s32");
  const Crossover x = SolveCrossover(s32, 64, o, h100);
  ASSERT_TRUE(x.resolution) << x.direction;
  // The stage gap changes sign between the two multiples of the patch around the crossing.
  auto gap = [&](int px, const PipelineOptions& options) {
    ViTConfig c = s32;
    c.image_height = c.image_width = px;
    const Prediction p = Evaluate(c, 64, options, h100);
    return p.h2d_s - p.compute_s;
  };
  const int below = static_cast<int>(std::floor(*x.resolution / s32.patch)) * s32.patch;
  const int above = below + s32.patch;
  EXPECT_NE(gap(below, o) > 0, gap(above, o) > 0) << below << "-" << above;
  for (size_t i = 1; i < x.resolutions.size(); ++i)
    EXPECT_GT(x.resolutions[i], x.resolutions[i - 1]);

  PipelineOptions pinned = o;
  pinned.host_memory = HostMemory::pinned;
  const Crossover none = SolveCrossover(s32, 64, pinned, h100);
  EXPECT_FALSE(none.resolution) << none.direction;
  for (int px : {32, 224, 2048}) EXPECT_LT(gap(px, pinned), 0) << px << " px";
}

TEST(AnswersLaws, LargestFittingResolutionPlusOnePatchDoesNotFit) {
  const HardwareProfile h100 =
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  for (AttentionImpl attention : {AttentionImpl::math, AttentionImpl::fused}) {
    ViTConfig c = PresetByName("vit_l16");
    c.attention = attention;
    const int largest = LargestFittingResolution(c, PipelineOptions{}, h100);
    ASSERT_GT(largest, 0);
    ASSERT_LT(largest, kResolutionSearchCapPx);
    EXPECT_EQ(largest % c.patch, 0);
    c.image_height = c.image_width = largest;
    EXPECT_TRUE(Evaluate(c, 1, PipelineOptions{}, h100).fits) << largest;
    c.image_height = c.image_width = largest + c.patch;
    EXPECT_FALSE(Evaluate(c, 1, PipelineOptions{}, h100).fits) << largest + c.patch;
  }
}

TEST(AnswersLaws, GridAndResolutionLawsHaveTheExpectedShape) {
  const ScalingLaws laws = ComputeScalingLaws(
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"), LawsOptions{});
  EXPECT_EQ(laws.grid.size(), 48u);  // 3 patches x 4 depths x 4 widths
  ASSERT_TRUE(laws.optimal_batch_vs_gflops);
  EXPECT_LT(laws.optimal_batch_vs_gflops->exponent, 0);  // bigger models saturate sooner
  EXPECT_NEAR(laws.ridge_flop_per_byte, 989.4e12 / 3350e9, 1);
  ASSERT_EQ(laws.resolution_laws.size(), 2u);
  const ResolutionLaw& math = laws.resolution_laws[0];
  const ResolutionLaw& fused = laws.resolution_laws[1];
  // Math attention materialises N^2 scores: memory grows ~r^4; fused stays ~r^2 (tokens).
  EXPECT_GT(math.memory_fit->exponent, 3.5);
  EXPECT_NEAR(fused.memory_fit->exponent, 2.0, 0.2);
  // Between 1024 and 2048 px attention dominates: time steepens past r^3.
  EXPECT_GT(math.local_time_exponents.back(), 3.0);
  EXPECT_GE(math.time_fit->exponent, fused.time_fit->exponent);
}

// Synthetic measurements made from the model itself, with time multiplied by r^extra.
MeasurementSet SyntheticResolutionData(const HardwareProfile& profile, double extra) {
  MeasurementSet data;
  for (int r : {224, 448, 896}) {
    PipelineRecord rec;
    rec.config = PresetByName("vit_b16");
    rec.config.image_height = rec.config.image_width = r;
    rec.batch = 8;
    const Prediction p = Evaluate(rec.config, rec.batch, rec.options, profile);
    rec.compute.median_ms = p.compute_s * 1e3 * std::pow(r / 224.0, extra);
    rec.throughput_ips = p.throughput_ips;
    data.pipeline.push_back(rec);
  }
  return data;
}

TEST(AnswersMeasuredLaws, AgreeingDataPassesAndDepartingDataFails) {
  const HardwareProfile h100 =
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  const auto same = FitMeasuredLaws(SyntheticResolutionData(h100, 0.0), h100, 0.25);
  ASSERT_EQ(same.size(), 1u);
  EXPECT_EQ(same[0].law, "compute time vs resolution");
  EXPECT_NEAR(same[0].difference, 0.0, 1e-9);
  EXPECT_TRUE(same[0].within_tolerance);
  const auto off = FitMeasuredLaws(SyntheticResolutionData(h100, 0.5), h100, 0.25);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_NEAR(off[0].difference, 0.5, 1e-9);
  EXPECT_FALSE(off[0].within_tolerance);
}

}  // namespace
}  // namespace vitperf
