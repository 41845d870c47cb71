// CUPTI kernel times: each traced point gives an observation of its summed kernel durations, and
// its residual moves with the device-side coefficients only, never with the host's.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "fit/observations.h"
#include "fit/residuals.h"
#include "model/attention_kernels.h"
#include "model/evaluate.h"
#include "model/patch_conv_kernels.h"
#include "model/presets.h"
#include "tests/fit/observation_records.h"

namespace vitperf {
namespace {

PipelineRecord Traced(const std::string& id, double kernel_time_ms) {
  PipelineRecord r = testing::ComputeOnlyPoint(id, 8, 3000);
  r.kernel_time_ms = kernel_time_ms;
  return r;
}

int KernelTimeObservations(const ObservationSet& set, double* seconds = nullptr) {
  int n = 0;
  for (const Observation& o : set.observations)
    if (o.kind == ObservationKind::kernel_time) {
      ++n;
      if (seconds) *seconds = o.measured;
    }
  return n;
}

// A traced vit_b16 forward at batch 64 (compute-only, eager), for the per-operator kernel
// readings: the caller sets the one it checks.
PipelineRecord TracedB16(const std::string& id) {
  PipelineRecord r = Traced(id, 0);
  r.device = "cuda:0";
  r.config = PresetByName("vit_b16");
  r.batch = 64;
  return r;
}

// The observations of that one record on `gpu` (whose device model the record does not name).
ObservationSet ObservationsOf(const PipelineRecord& r, const HardwareProfile& gpu) {
  MeasurementSet data;
  data.pipeline = {r};
  ObservationOptions options;
  options.allow_device_mismatch = true;
  return CollectObservations(data, gpu, options);
}

// The residual with one coefficient of the profile scaled by `factor`.
double ResidualWith(const PipelineTimeResidual& residual, const HardwareProfile& profile, Coef c,
                    double factor) {
  std::array<double, kNumCoefficients> log_c{};
  for (int i = 0; i < kNumCoefficients; ++i) log_c[i] = std::log(profile.coefficients.v[i]);
  log_c[static_cast<int>(c)] += std::log(factor);
  double value = 0;
  residual(log_c.data(), &value);
  return value;
}

TEST(KernelTimeObservations, ATracedPointGivesItsKernelSumInSeconds) {
  MeasurementSet data;
  data.pipeline = {Traced("traced", 2.5), Traced("untraced", 0)};
  const HardwareProfile cpu = LoadProfile("cpu-generic");
  double seconds = 0;
  EXPECT_EQ(KernelTimeObservations(CollectObservations(data, cpu, {}), &seconds), 1);
  EXPECT_DOUBLE_EQ(seconds, 2.5e-3);
  ObservationOptions off;
  off.kernel_times = false;
  EXPECT_EQ(KernelTimeObservations(CollectObservations(data, cpu, off)), 0);
}

TEST(KernelTimeObservations, ReadFromTheRecordsBreakdown) {
  nlohmann::json j = Traced("t", 0);
  j["breakdown"] = {{"source", "cupti"}, {"kernel_count", 126}, {"kernel_time_ms", 0.41}};
  EXPECT_DOUBLE_EQ(j.get<PipelineRecord>().kernel_time_ms, 0.41);
  j["breakdown"] = nullptr;
  EXPECT_DOUBLE_EQ(j.get<PipelineRecord>().kernel_time_ms, 0);
}

TEST(KernelTimeObservations, ResidualFollowsTheDeviceAndIgnoresTheHost) {
  const HardwareProfile gpu = LoadProfile("h100");
  const ViTConfig tiny = PresetByName("vit_ti16");
  PipelineOptions eager;
  eager.compute_only = true;
  const double kernels_s = Evaluate(tiny, 8, eager, gpu).kernel_time_s;
  ASSERT_GT(kernels_s, 0);
  const PipelineTimeResidual residual(tiny, 8, eager, gpu, kernels_s, 1, PipelineQuantity::kernels);
  auto at = [&](Coef c, double factor) { return ResidualWith(residual, gpu, c, factor); };
  EXPECT_NEAR(at(Coef::dispatch_us, 1), 0, 1e-12) << "the model's own kernel sum";
  EXPECT_NEAR(at(Coef::dispatch_us, 3), 0, 1e-12) << "a slower host changes no kernel";
  EXPECT_NEAR(at(Coef::kernel_gap_us, 3), 0, 1e-12) << "gaps lie between kernels";
  EXPECT_LT(at(Coef::kernel_latency_us, 2), -1e-3 + at(Coef::kernel_latency_us, 3));
  EXPECT_GT(at(Coef::matmul_efficiency, 0.5), 0.01) << "slower GEMMs, longer kernels";
}

// The launch probe's kernel reads and writes one element: one trip through memory plus the gap
// (graph) or the framework call when that is longer (eager).
TEST(KernelTimeObservations, LaunchProbeKernelIsAGapPlusOneMemoryTrip) {
  const HardwareProfile gpu = LoadProfile("h100");
  CoefficientValues<double> c = gpu.coefficients;
  c[Coef::graph_kernel_gap_us] = 0.5;
  c[Coef::kernel_gap_us] = 1.5;
  c[Coef::kernel_latency_us] = 0.7;
  c[Coef::dispatch_us] = 6;
  std::array<double, kNumCoefficients> log_c{};
  for (int i = 0; i < kNumCoefficients; ++i) log_c[i] = std::log(c.v[i]);
  const DeviceRates rates = RatesFor(gpu, Precision::fp32);
  double r = 0;
  LaunchResidual(ExecutionMode::graph, 1000, rates, 1.2)(log_c.data(), &r);
  EXPECT_NEAR(r, 0, 1e-3) << "0.5 us gap + 0.7 us trip";
  LaunchResidual(ExecutionMode::eager, 1000, rates, 6.0)(log_c.data(), &r);
  EXPECT_NEAR(r, 0, 1e-9) << "eager: the 6 us call, not the 2.2 us kernel";
}

// The patch conv's kernels in a trace's top_kernels: cuDNN's conv (any of its three kernels) and
// the NCHW -> NHWC copies before it; not the attention's "flash_fprop", not other copies.
TEST(KernelTimeObservations, PatchConvKernelsAreReadFromTheTopKernels) {
  auto kernel = [](const char* name, double ms) {
    return nlohmann::json{{"name", name}, {"time_ms", ms}, {"count", 1}, {"class", "matmul"}};
  };
  nlohmann::json b = {
      {"kernel_time_ms", 6.4},
      {"top_kernels",
       {kernel("_ZN17cutlass__5x_cudnn6KernelI73cutlass_tensorop_bf16_s16816fprop_optimized", 0.38),
        kernel("_ZN5cudnn19engines_precompiled16nchwToNhwcKernelI13__nv_bfloat16", 0.15),
        kernel("_ZN5cudnn19engines_precompiled16nhwcToNchwKernelI13__nv_bfloat16", 0.02),
        kernel("cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7", 0.58),
        kernel("nvjet_sm90_tst_192x192_64x4_2x1_v_bz_coopB_bias_TNN", 3.2)}}};
  EXPECT_NEAR(PatchConvKernelMs(b), 0.38 + 0.15, 1e-12);
  EXPECT_TRUE(IsPatchConvKernel("_Z23implicit_convolve_sgemmI13__nv_bfloat16S0_Li128E"));
  EXPECT_TRUE(IsPatchConvKernel("sm80_xmma_fprop_implicit_gemm_indexed_bf16bf16_bf16f32"));
  EXPECT_FALSE(IsPatchConvKernel("cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma"));
  // Layout copies without a listed conv say nothing about the conv.
  b["top_kernels"].erase(0);
  EXPECT_DOUBLE_EQ(PatchConvKernelMs(b), 0);
  EXPECT_DOUBLE_EQ(PatchConvKernelMs(nlohmann::json{{"kernel_time_ms", 1.0}}), 0);
  EXPECT_DOUBLE_EQ(PatchConvKernelMs(nullptr), 0);
}

TEST(KernelTimeObservations, PatchConvResidualMovesWithTheConvCoefficientsOnly) {
  const HardwareProfile gpu = LoadProfile("h100");
  PipelineRecord r = TracedB16("conv");  // tensor-core path at 224 px
  const ViTConfig& b16 = r.config;
  const PipelineOptions& eager = r.options;
  r.patch_conv_ms = Evaluate(b16, 64, eager, gpu).patch_conv_s * 1e3;
  const ObservationSet set = ObservationsOf(r, gpu);
  const Observation* conv = nullptr;
  for (const Observation& o : set.observations)
    if (o.kind == ObservationKind::patch_conv) conv = &o;
  ASSERT_NE(conv, nullptr);
  const PipelineTimeResidual residual(b16, 64, eager, gpu, conv->measured, 1,
                                      PipelineQuantity::patch_conv);
  auto at = [&](Coef c, double factor) { return ResidualWith(residual, gpu, c, factor); };
  EXPECT_NEAR(at(Coef::conv_tc_step_ns, 1), 0, 1e-12);
  EXPECT_NEAR(at(Coef::matmul_efficiency, 0.5), 0, 1e-12) << "the GEMMs are not the conv";
  EXPECT_NEAR(at(Coef::kernel_gap_us, 3), 0, 1e-12);
  EXPECT_GT(at(Coef::conv_tc_step_ns, 1.5), 0.1) << "a slower tile walk";
  EXPECT_LT(at(Coef::conv_layout_bytes_per_sm_cycle, 2), -0.01) << "faster layout copies";
}

// The fused attention's kernels in a trace: cuDNN's flash kernel, CUTLASS's fp32 fmha or
// PyTorch's own flash kernel; not the conv, not the GEMMs.
TEST(KernelTimeObservations, FusedAttentionKernelsAreReadFromTheTopKernels) {
  auto kernel = [](const char* name, double ms) {
    return nlohmann::json{{"name", name}, {"time_ms", ms}, {"count", 12}, {"class", "attention"}};
  };
  const nlohmann::json b = {
      {"top_kernels",
       {kernel("cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x64",
               0.58),
        kernel("_ZN17cutlass__5x_cudnn6KernelI73cutlass_tensorop_bf16_s16816fprop_optimized", 0.38),
        kernel("nvjet_sm90_tst_192x192_64x4_2x1_v_bz_coopB_bias_TNN", 3.2)}}};
  EXPECT_NEAR(FusedAttentionKernelMs(b), 0.58, 1e-12);
  EXPECT_TRUE(IsFusedAttentionKernel("_Z39fmha_cutlassF_f32_aligned_64x64_rf_sm80N22PyTorchMem"));
  EXPECT_TRUE(IsFusedAttentionKernel("_ZN13pytorch_flash15flash_fwd_kernelI23Flash_fwd_kernel"));
  EXPECT_FALSE(IsFusedAttentionKernel("sm80_xmma_fprop_implicit_gemm_indexed_bf16bf16_bf16f32"));
  EXPECT_DOUBLE_EQ(FusedAttentionKernelMs(nlohmann::json{{"kernel_time_ms", 1.0}}), 0);
}

TEST(KernelTimeObservations, AttentionResidualMovesWithTheFlashCoefficientsOnly) {
  const HardwareProfile gpu = LoadProfile("h100");
  PipelineRecord r = TracedB16("attention");
  const ViTConfig& b16 = r.config;
  const PipelineOptions& eager = r.options;
  r.attention_ms = Evaluate(b16, 64, eager, gpu).attention_s * 1e3;
  const ObservationSet set = ObservationsOf(r, gpu);
  int attention_observations = 0;
  for (const Observation& o : set.observations)
    if (o.kind == ObservationKind::attention) ++attention_observations;
  ASSERT_EQ(attention_observations, 1);
  const PipelineTimeResidual residual(b16, 64, eager, gpu, r.attention_ms * 1e-3, 1,
                                      PipelineQuantity::attention);
  auto at = [&](Coef c, double factor) { return ResidualWith(residual, gpu, c, factor); };
  EXPECT_NEAR(at(Coef::flash_tile_us, 1), 0, 1e-12);
  EXPECT_NEAR(at(Coef::matmul_efficiency, 0.5), 0, 1e-12) << "the GEMMs are not the attention";
  EXPECT_NEAR(at(Coef::attention_efficiency, 0.5), 0, 1e-12) << "bf16 runs the flash kernel";
  EXPECT_GT(at(Coef::flash_tile_us, 2), 0.05) << "a dearer tile setup";
  EXPECT_LT(at(Coef::flash_attention_efficiency, 1.2), -0.05) << "faster key blocks";
}

// A replayed graph of tiny kernels cannot split a kernel's run from the gap: not fitted.
TEST(KernelTimeObservations, GraphLaunchProbeIsDroppedWithItsReason) {
  MeasurementSet data;
  for (const char* mode : {"eager", "graph"}) {
    ProbeRecord p;
    p.id = std::string("launch-") + mode;
    p.device = "cpu";
    p.probe = "launch";
    p.params = {{"execution", mode}, {"kernels", 1000}};
    p.value = 5;
    data.probes.push_back(p);
  }
  const ObservationSet set = CollectObservations(data, LoadProfile("cpu-generic"), {});
  ASSERT_EQ(set.observations.size(), 1u);
  EXPECT_EQ(set.observations[0].execution, ExecutionMode::eager);
  ASSERT_EQ(set.dropped.size(), 1u);
  EXPECT_EQ(set.dropped[0].id, "launch-graph");
  EXPECT_NE(set.dropped[0].reason.find("graph"), std::string::npos);
}

// A matmul probe's time is the host's dispatch of one call plus the kernel, and a GEMM repeated
// back to back runs at the power-limited clock in proportion to its share of the busy time.
TEST(KernelTimeObservations, MatmulProbeTimePaysDispatchAndThePowerLimitedClock) {
  const HardwareProfile gpu = LoadProfile("h100");
  CoefficientValues<double> c = gpu.coefficients;
  c[Coef::dispatch_us] = 6;
  c[Coef::sustained_matmul_clock] = 0.8;
  auto rate = [&](double size) {
    Observation o;
    o.kind = ObservationKind::matmul;
    o.m = o.n = o.k = size;
    o.precision = Precision::bf16;
    o.measured = 1;  // PredictObservation scales the residual back to the model's value
    return PredictObservation(o, gpu, c);
  };
  auto kernel_s = [&](double size) {
    Operator op;
    op.op_class = OpClass::matmul;
    op.kind = OpKind::mlp_up;
    op.flops = 2 * size * size * size;
    op.bytes = 3 * size * size * 2;
    op.kernels = 1;
    op.gemm = GemmShape{size, size, size, 1};
    return TimeOperator(op, RatesFor(gpu, Precision::bf16), CoefficientView<double>{c.v.data()})
        .time_s;
  };
  for (double size : {1024.0, 8192.0}) {
    const double k = kernel_s(size), busy = k / (k + 6e-6);
    const double want_s = k / (1 - busy * 0.2) + 6e-6;
    EXPECT_NEAR(rate(size), 2 * size * size * size / want_s * 1e-12, 1e-9 * rate(size)) << size;
  }
  // The big probe is nearly all kernel: it runs at the sustained clock.
  EXPECT_LT(rate(8192) / (2 * 8192.0 * 8192 * 8192 / kernel_s(8192) * 1e-12), 0.81);
}

}  // namespace
}  // namespace vitperf
