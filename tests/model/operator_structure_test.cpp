// The operator-structure terms found from the H100 CUPTI breakdowns (docs/accuracy.md):
// the patch convolution, per-row reduction cost, device normalisation traffic, misaligned and
// small-tile GEMMs, block softmax, tf32 attention and the views that launch no kernel. Each
// against a hand count.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/conv_path.h"
#include "model/hardware_profile.h"
#include "model/operators.h"
#include "model/presets.h"
#include "model/roofline.h"
#include "tests/model/operator_lookup.h"

namespace vitperf {
namespace {

HardwareProfile Datasheet() {
  return LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
}

TEST(OperatorStructure, DeviceNormalisationOfEarlierRecordsCountsItsFloat32Passes) {
  ViTConfig c = PresetByName("vit_b16");
  const double px = 3.0 * 224 * 224;
  const bool uint8 = true, eager = false, three_kernels = false;
  // bf16: to(float32) 1 + 4, addcmul 4 + 4, to(bf16) 4 + 2 = 19 B/px in 3 kernels.
  const Operator bf16 = Find(Build(c, 2, uint8, eager, three_kernels), OpKind::input_normalize);
  EXPECT_DOUBLE_EQ(bf16.bytes, 2 * px * 19);
  EXPECT_DOUBLE_EQ(bf16.kernels, 3);
  EXPECT_DOUBLE_EQ(bf16.host_ops, 9);
  // fp32: no final cast: 13 B/px in 2 kernels.
  c.precision = Precision::fp32;
  const Operator fp32 = Find(Build(c, 2, uint8, eager, three_kernels), OpKind::input_normalize);
  EXPECT_DOUBLE_EQ(fp32.bytes, 2 * px * 13);
  EXPECT_DOUBLE_EQ(fp32.kernels, 2);
  // Compiled: one kernel, uint8 in, fp32 out; the host calls stay eager.
  const Operator compiled = Find(Build(c, 2, uint8, true, three_kernels), OpKind::input_normalize);
  EXPECT_DOUBLE_EQ(compiled.bytes, 2 * px * 5);
  EXPECT_DOUBLE_EQ(compiled.host_ops, 9);
}

TEST(OperatorStructure, DeviceNormalisationRunsInTheModelsInputDtype) {
  ViTConfig c = PresetByName("vit_b16");
  const double px = 3.0 * 224 * 224;
  // bf16: to(bf16) 1 + 2, multiply-add in place 2 + 2 = 7 B/px in two kernels, two host calls.
  const Operator bf16 = Find(Build(c, 2, true), OpKind::input_normalize);
  EXPECT_DOUBLE_EQ(bf16.bytes, 2 * px * 7);
  EXPECT_DOUBLE_EQ(bf16.kernels, 2);
  EXPECT_DOUBLE_EQ(bf16.host_ops, 2);
  // Compiled alike: the package takes normalised images.
  EXPECT_DOUBLE_EQ(Find(Build(c, 2, true, true), OpKind::input_normalize).bytes, 2 * px * 7);
  // Under autocast the module takes float32 images: 1 + 4 + 4 + 4 B/px.
  c.autocast = true;
  EXPECT_DOUBLE_EQ(Find(Build(c, 2, true), OpKind::input_normalize).bytes, 2 * px * 13);
}

TEST(OperatorStructure, PatchConvPathFollowsCudnnChoice) {
  // What CUPTI recorded (data/arch/sm90.json "patch_conv"), one shape per branch of the rule.
  auto path = [](const char* preset, int px, Precision precision = Precision::bf16) {
    ViTConfig c = PresetByName(preset);
    c.image_height = c.image_width = px;
    c.precision = precision;
    return Find(Build(c, 1), OpKind::patch_embed).conv_path;
  };
  EXPECT_EQ(path("vit_b16", 224), ConvPath::tensor_core);
  EXPECT_EQ(path("vit_h14", 224), ConvPath::tensor_core);
  EXPECT_EQ(path("vit_l16", 384), ConvPath::tensor_core);
  EXPECT_EQ(path("vit_l16", 512), ConvPath::simt);  // over 384 px: SIMT at any width
  EXPECT_EQ(path("vit_s16", 224), ConvPath::simt);
  EXPECT_EQ(path("vit_ti16", 224), ConvPath::simt);
  // Width 512 (timm's ViT-Medium at 256 px) already runs the tensor-core kernel.
  EXPECT_EQ(path("vit_medium_patch16_gap_256", 256), ConvPath::tensor_core);
  EXPECT_EQ(path("vit_s32", 224), ConvPath::implicit_gemm);
  EXPECT_EQ(path("vit_b16", 224, Precision::fp32), ConvPath::simt);
  EXPECT_EQ(path("vit_s16", 224, Precision::tf32), ConvPath::tensor_core);
}

TEST(OperatorStructure, SimtPatchConvHasAPerStepFloorAndARowWidthRate) {
  const HardwareProfile gpu = Datasheet();
  const CoefficientValues<double> coefs = DefaultCoefficients();
  const CoefficientView<double> c{coefs.v.data()};
  ViTConfig s32 = PresetByName("vit_s32");
  s32.image_height = s32.image_width = 512;
  const DeviceRates r = RatesFor(gpu, s32.precision);
  EXPECT_DOUBLE_EQ(r.conv_flops_per_s, gpu.VectorTflops(Precision::fp32) * 1e12);
  const double k = 3.0 * 32 * 32;
  // Batch 1: the serial walk over the 3072 inner elements sets the time.
  const Operator small = Find(Build(s32, 1), OpKind::patch_embed);
  EXPECT_EQ(small.conv_path, ConvPath::simt);
  EXPECT_DOUBLE_EQ(small.gemm.k, k);
  EXPECT_DOUBLE_EQ(TimeOperator(small, r, c).compute_s, k * coefs[Coef::conv_step_ns] * 1e-9);
  // Batch 256: FLOPs at conv_efficiency of the fp32 vector rate whatever the precision, slowed
  // by the patch row's width: 32 px x 2 B = 64 B.
  const Operator large = Find(Build(s32, 256), OpKind::patch_embed);
  EXPECT_DOUBLE_EQ(large.conv_row_bytes, 64);
  const double efficiency =
      coefs[Coef::conv_efficiency] / (1 + 64 / coefs[Coef::conv_row_bytes_half]);
  EXPECT_DOUBLE_EQ(TimeOperator(large, r, c).compute_s,
                   large.flops / (r.conv_flops_per_s * efficiency));
  // No layout copies on the SIMT path.
  for (const Operator& op : Build(s32, 256)) EXPECT_NE(op.kind, OpKind::conv_layout);
}

TEST(OperatorStructure, TensorCorePatchConvRunsInWholeWavesAfterLayoutCopies) {
  const HardwareProfile gpu = Datasheet();
  const CoefficientValues<double> coefs = DefaultCoefficients();
  const CoefficientView<double> c{coefs.v.data()};
  const ViTConfig b16 = PresetByName("vit_b16");
  const DeviceRates r = RatesFor(gpu, b16.precision);
  const double k = 3.0 * 16 * 16, walk_s = k * coefs[Coef::conv_tc_step_ns] * 1e-9;
  // 196 x 768 output per image in 128 x 128 tiles on 132 SMs: batch 8 is 13 x 6 = 78 tiles
  // (one wave), batch 16 is 25 x 6 = 150 (two), batch 256 is 392 x 6 = 2352 (18).
  const int sms = gpu.multiprocessors;
  ASSERT_EQ(sms, 132);
  for (auto [batch, waves] : {std::pair{8, 1}, {16, 2}, {256, 18}}) {
    const Operator conv = Find(Build(b16, batch), OpKind::patch_embed);
    EXPECT_EQ(conv.conv_path, ConvPath::tensor_core);
    EXPECT_DOUBLE_EQ(TimePatchConv(conv, r, c), waves * walk_s) << batch;
  }
  // The image and the weight are copied to NHWC first: two kernels, read and written once, at
  // the layout copy's own rate per SM cycle.
  const Operator layout = Find(Build(b16, 4), OpKind::conv_layout);
  EXPECT_DOUBLE_EQ(layout.bytes, 2.0 * (4 * 3 * 224 * 224 + k * 768) * 2);
  EXPECT_DOUBLE_EQ(layout.kernels, 2);
  EXPECT_DOUBLE_EQ(layout.host_ops, 0);  // inside the one conv2d call
  EXPECT_DOUBLE_EQ(
      TimeOperator(layout, r, c).memory_s,
      layout.bytes / (r.sm_cycles_per_s * coefs[Coef::conv_layout_bytes_per_sm_cycle]));
}

TEST(OperatorStructure, LargeInputsTakeThePrecomputedSimtConv) {
  // CUPTI on both GPUs: B/16 at 224 px runs the tensor-core kernel up to batch 256 (38.5M input
  // elements) and precomputed_convolve_sgemm at 512 (77M), with no layout copies before it.
  const HardwareProfile gpu = Datasheet();
  const CoefficientValues<double> coefs = DefaultCoefficients();
  const CoefficientView<double> c{coefs.v.data()};
  const ViTConfig b16 = PresetByName("vit_b16");
  EXPECT_EQ(Find(Build(b16, 256), OpKind::patch_embed).conv_path, ConvPath::tensor_core);
  const Operator conv = Find(Build(b16, 512), OpKind::patch_embed);
  EXPECT_EQ(conv.conv_path, ConvPath::precomputed_simt);
  for (const Operator& op : Build(b16, 512)) EXPECT_NE(op.kind, OpKind::conv_layout);
  const DeviceRates r = RatesFor(gpu, b16.precision);
  EXPECT_DOUBLE_EQ(TimePatchConv(conv, r, c),
                   conv.flops / (r.conv_flops_per_s * coefs[Coef::conv_precomputed_efficiency]));
  // ViT-B/16 at 320 px, batch 128 (39.3M): precomputed; width 384 never is.
  ViTConfig b16_320 = b16;
  b16_320.image_height = b16_320.image_width = 320;
  EXPECT_EQ(Find(Build(b16_320, 128), OpKind::patch_embed).conv_path, ConvPath::precomputed_simt);
  EXPECT_EQ(Find(Build(PresetByName("vit_s16"), 1024), OpKind::patch_embed).conv_path,
            ConvPath::simt);
}

TEST(OperatorStructure, ImplicitGemmPatchConvPaysOneTensorCoreWaveAtLeast) {
  const HardwareProfile gpu = Datasheet();
  const CoefficientValues<double> coefs = DefaultCoefficients();
  const CoefficientView<double> c{coefs.v.data()};
  const ViTConfig s32 = PresetByName("vit_s32");
  const DeviceRates r = RatesFor(gpu, s32.precision);
  const double k = 3.0 * 32 * 32;
  // 49 x 384 per image in 64 x 64 tiles: batch 16 is 13 x 6 = 78 tiles, batch 256 is
  // 196 x 6 = 1176 (9 waves).
  const Operator one = Find(Build(s32, 16), OpKind::patch_embed);
  EXPECT_EQ(one.conv_path, ConvPath::implicit_gemm);
  EXPECT_DOUBLE_EQ(
      TimePatchConv(one, r, c),
      std::max(k * coefs[Coef::conv_gemm_step_ns], k * coefs[Coef::conv_tc_step_ns]) * 1e-9);
  const Operator nine = Find(Build(s32, 256), OpKind::patch_embed);
  EXPECT_DOUBLE_EQ(TimePatchConv(nine, r, c), 9 * k * coefs[Coef::conv_gemm_step_ns] * 1e-9);
}

TEST(OperatorStructure, LayerNormAndSoftmaxPayPerRow) {
  const HardwareProfile gpu = Datasheet();
  const CoefficientValues<double> coefs = DefaultCoefficients();
  const CoefficientView<double> c{coefs.v.data()};
  ViTConfig b16 = PresetByName("vit_b16");
  b16.attention = AttentionImpl::math;
  const OperatorList ops = Build(b16, 8);
  const DeviceRates r = RatesFor(gpu, b16.precision);
  const Operator ln = Find(ops, OpKind::layernorm);
  const Operator sm = Find(ops, OpKind::softmax);
  EXPECT_DOUBLE_EQ(ln.rows, 8.0 * 197);
  EXPECT_DOUBLE_EQ(sm.rows, 8.0 * 12 * 197);
  for (const Operator* op : {&ln, &sm}) {
    const OperatorTime<double> t = TimeOperator(*op, r, c);
    const double latency = DependentPasses(*op) * coefs[Coef::kernel_latency_us] * 1e-6;
    EXPECT_NEAR(t.time_s - std::max(t.compute_s, t.memory_s) - latency,
                op->rows * coefs[Coef::row_reduction_ns] * 1e-9, 1e-15);
  }
  EXPECT_DOUBLE_EQ(Find(ops, OpKind::qkv).rows, 0);
}

TEST(OperatorStructure, SoftmaxRowsBeyond1024ReadTheirInputThreeTimes) {
  ViTConfig c = PresetByName("vit_b16");
  c.attention = AttentionImpl::math;
  for (int px : {512, 1024}) {  // 1025 and 4097 tokens
    c.image_height = c.image_width = px;
    const double n = c.Tokens();
    const double scores = 12 * n * n * 2;  // batch 1, 12 heads, bf16
    const Operator sm = Find(Build(c, 1), OpKind::softmax);
    EXPECT_DOUBLE_EQ(sm.bytes, 4 * scores) << px;
  }
  c.image_height = c.image_width = 496;  // 31 x 31 + 1 = 962 tokens: one warp per row
  EXPECT_DOUBLE_EQ(Find(Build(c, 1), OpKind::softmax).bytes, 2 * 12 * 962.0 * 962 * 2);
}

TEST(OperatorStructure, ScoreProductsOffSixteenBytesUseTheMisalignedEfficiency) {
  const HardwareProfile gpu = Datasheet();
  const CoefficientValues<double> coefs = DefaultCoefficients();
  const CoefficientView<double> c{coefs.v.data()};
  ViTConfig cls = PresetByName("vit_b16");  // 197 tokens: 394 B rows
  cls.attention = AttentionImpl::math;
  ViTConfig no_cls = cls;  // 196 tokens: 392 B, still off 16 B
  no_cls.class_token = false;
  no_cls.pooling = Pooling::mean;
  ViTConfig aligned = no_cls;  // 256 px: 256 tokens, 512 B rows
  aligned.image_height = aligned.image_width = 256;
  EXPECT_FALSE(Find(Build(cls, 4), OpKind::attn_scores).gemm.aligned);
  EXPECT_FALSE(Find(Build(no_cls, 4), OpKind::attn_values).gemm.aligned);
  const OperatorList ops = Build(aligned, 4);
  EXPECT_TRUE(Find(ops, OpKind::attn_scores).gemm.aligned);
  EXPECT_TRUE(Find(ops, OpKind::qkv).gemm.aligned);
  // The same product, flagged misaligned, runs at the ratio of the two efficiencies.
  const DeviceRates r = RatesFor(gpu, aligned.precision);
  Operator s = Find(ops, OpKind::attn_scores);
  const double fast = TimeOperator(s, r, c).compute_s;
  s.gemm.aligned = false;
  EXPECT_NEAR(TimeOperator(s, r, c).compute_s / fast,
              coefs[Coef::matmul_efficiency] / coefs[Coef::misaligned_matmul_efficiency], 1e-12);
}

TEST(OperatorStructure, HugeMisalignedScoreProductsFallBackToSimt) {
  const HardwareProfile gpu = Datasheet();
  const CoefficientValues<double> coefs = DefaultCoefficients();
  const CoefficientView<double> c{coefs.v.data()};
  ViTConfig big = PresetByName("vit_b16");  // 2048 px: 16385 tokens, odd
  big.attention = AttentionImpl::math;
  big.image_height = big.image_width = 2048;
  // 12 heads x 16385^2 = 3.2e9 output elements at batch 1 stay on tensor cores; batch 4 (1.3e10)
  // passes 2^32 and goes to the SIMT kernel, so per-image time of the product rises.
  const Operator b1 = Find(Build(big, 1), OpKind::attn_scores);
  const Operator b4 = Find(Build(big, 4), OpKind::attn_scores);
  EXPECT_FALSE(b1.gemm.simt);
  EXPECT_TRUE(b4.gemm.simt);
  const DeviceRates r = RatesFor(gpu, big.precision);
  EXPECT_GT(TimeOperator(b4, r, c).compute_s / 4, 1.5 * TimeOperator(b1, r, c).compute_s);
  EXPECT_NEAR(
      TimeOperator(b4, r, c).compute_s,
      b4.flops / (gpu.VectorTflops(Precision::fp32) * 1e12) / coefs[Coef::simt_matmul_efficiency],
      1e-12);
  // An aligned product of any size keeps the tensor cores (4096 tokens, no class token).
  ViTConfig aligned = big;
  aligned.class_token = false;
  aligned.pooling = Pooling::mean;
  aligned.image_height = aligned.image_width = 1024;  // 4096 tokens
  EXPECT_FALSE(Find(Build(aligned, 64), OpKind::attn_scores).gemm.simt);
  // Measured windows: 2048 px at batch 2 (24 matrices, 1.5 x 2^32 elements) and 1024 px at batch
  // 32 (384 matrices) stayed on tensor cores; 1024 px at batch 24 (288) went to SIMT.
  EXPECT_FALSE(Find(Build(big, 2), OpKind::attn_scores).gemm.simt);
  ViTConfig mid = big;
  mid.image_height = mid.image_width = 1024;  // 4097 tokens
  EXPECT_FALSE(Find(Build(mid, 20), OpKind::attn_scores).gemm.simt);
  EXPECT_TRUE(Find(Build(mid, 24), OpKind::attn_scores).gemm.simt);
  EXPECT_FALSE(Find(Build(mid, 32), OpKind::attn_scores).gemm.simt);
  EXPECT_TRUE(Find(Build(mid, 48), OpKind::attn_scores).gemm.simt);
  // The values product's output (tokens x head dim) never gets near 2^32.
  EXPECT_FALSE(Find(Build(big, 4), OpKind::attn_values).gemm.simt);
}

TEST(OperatorStructure, SmallGemmsTakeTheBestTile) {
  const HardwareProfile gpu = Datasheet();  // 132 SMs, 128 x 256 tiles
  const DeviceRates r = RatesFor(gpu, Precision::bf16);
  const double half = 16;
  // 197 x 1024: 8 profile tiles fill 8 of 132 SMs; 64 x 64 tiles make 64 (49.25 useful), at
  // operand reuse 32 / (32 + 16) against 85.33 / (85.33 + 16) for the profile's tile.
  const GemmShape small{197, 1024, 1024, 1};
  const double ref = 128.0 * 256 / 384;
  const double want = 49.25 / 132 * (32.0 / 48) * ((ref + half) / ref);
  EXPECT_NEAR(TiledEfficiency(small, r, half), want, 1e-12);
  EXPECT_GT(TiledEfficiency(small, r, half), WaveEfficiency(small, r));
  // A full-wave product keeps the profile's tile.
  const GemmShape large{128.0 * 132, 256, 1024, 1};
  EXPECT_DOUBLE_EQ(TiledEfficiency(large, r, half), 1.0);
}

TEST(OperatorStructure, HeadMergeAndClassTokenAreViewsWithoutKernels) {
  const ViTConfig ti16 = PresetByName("vit_ti16");
  const OperatorList ops = Build(ti16, 1);
  // Fused attention writes token-major output, so the head merge is a reshape of a view.
  const Operator merge = Find(ops, OpKind::attn_reshape);
  EXPECT_DOUBLE_EQ(merge.kernels, 0);
  EXPECT_DOUBLE_EQ(merge.bytes, 0);
  EXPECT_DOUBLE_EQ(merge.host_ops, 7);  // still dispatched in eager mode
  const Operator pool = Find(ops, OpKind::pool);
  EXPECT_DOUBLE_EQ(pool.kernels, 0);
  EXPECT_DOUBLE_EQ(pool.bytes, 0);
  // CUPTI, vit_ti16 graph: per block 2 LayerNorms, 4 GEMMs, attention, 2 adds and GELU (10);
  // conv, bias, class-token concat, position add, final norm and head: 126.
  EXPECT_DOUBLE_EQ(ops.TotalKernels(), 12 * 10 + 6);
  // The math path still copies q, k, v and the merged output; mean pooling is a kernel.
  ViTConfig math = ti16;
  math.attention = AttentionImpl::math;
  math.class_token = false;
  math.pooling = Pooling::mean;
  const OperatorList m = Build(math, 1);
  EXPECT_DOUBLE_EQ(Find(m, OpKind::attn_reshape).kernels, 4);
  EXPECT_DOUBLE_EQ(Find(m, OpKind::pool).kernels, 1);
}

TEST(OperatorStructure, Tf32FusedAttentionRunsAtTheFp32Rate) {
  const HardwareProfile gpu = Datasheet();
  EXPECT_DOUBLE_EQ(RatesFor(gpu, Precision::tf32).attention_flops_per_s,
                   gpu.MatrixTflops(Precision::fp32) * 1e12);
  EXPECT_DOUBLE_EQ(RatesFor(gpu, Precision::tf32).matrix_flops_per_s,
                   gpu.MatrixTflops(Precision::tf32) * 1e12);
  EXPECT_DOUBLE_EQ(RatesFor(gpu, Precision::bf16).attention_flops_per_s,
                   gpu.MatrixTflops(Precision::bf16) * 1e12);
}

// cuDNN's flash kernel, by hand: vit_b16 at batch 64 has 12 x 64 heads of 197 tokens, so
// 2 x 768 = 1536 query tiles of 128 rows = 12 whole waves on 132 SMs, each walking 2 key blocks.
TEST(OperatorStructure, FlashAttentionRunsWholeWavesOfQueryTilesOverKeyBlocks) {
  const HardwareProfile gpu = Datasheet();
  const DeviceRates r = RatesFor(gpu, Precision::bf16);
  ASSERT_TRUE(r.flash_attention);
  ASSERT_EQ(r.multiprocessors, 132);
  const CoefficientValues<double> coefs = DefaultCoefficients();
  const CoefficientView<double> c{coefs.v.data()};
  auto attention = [&](const char* preset, int batch, int px) {
    ViTConfig config = PresetByName(preset);
    config.image_height = config.image_width = px;
    return Find(Build(config, batch), OpKind::attn_fused);
  };
  const double block_s = 4.0 * 128 * 128 * 64 / (gpu.MatrixTflops(Precision::bf16) * 1e12 / 132) +
                         128.0 * 128 / (gpu.VectorTflops(Precision::fp32) * 1e12 / 16 / 132);
  const double expected_s =
      12 * (c[Coef::flash_tile_us] * 1e-6 + 2 * block_s / c[Coef::flash_attention_efficiency]);
  const Operator b16 = attention("vit_b16", 64, 224);
  EXPECT_NEAR(TimeFlashAttention(b16, r, c), expected_s, 1e-12);
  // The flash time, not a FLOP rate, plus the kernel's two trips through memory.
  EXPECT_NEAR(TimeOperator(b16, r, c).time_s, expected_s + 2 * c[Coef::kernel_latency_us] * 1e-6,
              1e-12);
  // 197 tokens pad to 256 rows and keys: they cost what 256 do (vit_b16 at 256 px: 257 tokens
  // need a third block and a third query tile, so more).
  Operator padded = b16;
  padded.gemm.m = padded.gemm.n = 256;
  EXPECT_DOUBLE_EQ(TimeFlashAttention(padded, r, c), TimeFlashAttention(b16, r, c));
  EXPECT_GT(TimeFlashAttention(attention("vit_b16", 64, 256), r, c),
            1.5 * TimeFlashAttention(b16, r, c));
  // Batch 1 and 4 (24 and 96 query tiles) both fit in one wave, so they cost the same.
  EXPECT_DOUBLE_EQ(TimeFlashAttention(attention("vit_b16", 1, 224), r, c),
                   TimeFlashAttention(attention("vit_b16", 4, 224), r, c));
  // Head dim 80 (vit_h14) pads the MMAs to 128 but not the exponentials: dearer than 64, and
  // less than twice.
  Operator wide = b16;
  wide.gemm.k = 80;
  const double ratio = TimeFlashAttention(wide, r, c) / TimeFlashAttention(b16, r, c);
  EXPECT_GT(ratio, 1.2);
  EXPECT_LT(ratio, 2.0);
  // fp32 tensors run CUTLASS's memory-efficient kernel instead.
  EXPECT_FALSE(RatesFor(gpu, Precision::fp32).flash_attention);
  EXPECT_FALSE(RatesFor(gpu, Precision::tf32).flash_attention);
  EXPECT_TRUE(RatesFor(gpu, Precision::fp16).flash_attention);
}

}  // namespace
}  // namespace vitperf
