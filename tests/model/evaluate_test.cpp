// Behaviour of the time and memory model: monotonicity, the memory limit, wave quantisation,
// pipeline overlap, and hand-computed transfer volumes.
#include "model/evaluate.h"

#include <gtest/gtest.h>

#include "model/hardware_profile.h"
#include "model/memory.h"
#include "model/presets.h"
#include "model/roofline.h"
#include "model/transfers.h"

namespace vitperf {
namespace {

HardwareProfile H100() { return LoadProfile("h100"); }

TEST(Evaluate, MoreDepthIsNeverFaster) {
  const HardwareProfile gpu = H100();
  for (int batch : {1, 8, 64, 512}) {
    double previous = 0;
    for (int depth = 1; depth <= 32; ++depth) {
      ViTConfig c = PresetByName("vit_b16");
      c.depth = depth;
      const double period = Evaluate(c, batch, PipelineOptions{}, gpu).period_s;
      EXPECT_GE(period, previous) << "depth " << depth << " batch " << batch;
      previous = period;
    }
  }
}

TEST(Evaluate, LargerBatchNeverTakesLessTimePerBatch) {
  const HardwareProfile gpu = H100();
  for (const auto& preset : ModelPresets()) {
    for (ExecutionMode mode : {ExecutionMode::eager, ExecutionMode::graph}) {
      PipelineOptions o;
      o.execution = mode;
      double previous = 0;
      for (int batch = 1; batch <= 2048; batch = batch * 3 / 2 + 1) {
        const double t = Evaluate(preset.config, batch, o, gpu).period_s;
        EXPECT_GE(t, previous * (1 - 1e-12)) << preset.name << " batch " << batch;
        previous = t;
      }
    }
  }
}

TEST(Evaluate, LargestBatchFitsAndTheNextDoesNot) {
  const HardwareProfile gpu = H100();
  for (const char* name : {"vit_b16", "vit_h14"}) {
    const ViTConfig c = PresetByName(name);
    const PipelineOptions o;
    const int largest = LargestFittingBatch(c, o, gpu, gpu.UsableMemoryBytes());
    ASSERT_GT(largest, 0);
    EXPECT_TRUE(Evaluate(c, largest, o, gpu).fits) << name;
    EXPECT_FALSE(Evaluate(c, largest + 1, o, gpu).fits) << name;
  }
}

TEST(Evaluate, GraphModeRemovesPerKernelDispatch) {
  const HardwareProfile gpu = H100();
  PipelineOptions eager, graph;
  graph.execution = ExecutionMode::graph;
  const ViTConfig c = PresetByName("vit_ti16");
  const Prediction e = Evaluate(c, 1, eager, gpu), g = Evaluate(c, 1, graph, gpu);
  // Hand formula: eager dispatch = framework calls x dispatch_us. vit_ti16 per block: 2 layer
  // norms (2 calls each), qkv/proj/fc1/fc2 linears (3 each), head split and merge (7), fused
  // attention (4), 2 residual adds, GELU = 30; plus normalise 2, patch embed 4, assemble 3,
  // final norm 2, pool 1, head 3.
  EXPECT_DOUBLE_EQ(e.host_ops, 12 * 30 + 2 + 4 + 3 + 2 + 1 + 3);
  EXPECT_NEAR(e.dispatch_s, e.host_ops * gpu.coefficients[Coef::dispatch_us] * 1e-6, 1e-12);
  EXPECT_NEAR(g.dispatch_s, gpu.coefficients[Coef::graph_launch_us] * 1e-6, 1e-12);
  EXPECT_LT(g.period_s, e.period_s);
  EXPECT_EQ(e.regime, Regime::overhead);
}

TEST(Evaluate, ComputeOnlyTimesCarryNoHostSynchronisation) {
  // A compute-only time is the interval between two device events around the forward pass; the
  // host waits after the second. A pipeline batch ends with the host's wait.
  HardwareProfile gpu = H100();
  const ViTConfig c = PresetByName("vit_ti16");
  PipelineOptions compute_only, pipeline;
  compute_only.compute_only = true;
  compute_only.execution = pipeline.execution = ExecutionMode::graph;
  gpu.coefficients[Coef::sync_us] = 0;
  gpu.coefficients[Coef::host_cache_decay_ms] = 1e5;  // the wait would also idle the staging cache
  const Prediction a = Evaluate(c, 1, compute_only, gpu), s0 = Evaluate(c, 1, pipeline, gpu);
  gpu.coefficients[Coef::sync_us] = 500;
  const Prediction b = Evaluate(c, 1, compute_only, gpu), s1 = Evaluate(c, 1, pipeline, gpu);
  EXPECT_DOUBLE_EQ(a.period_s, b.period_s);
  EXPECT_DOUBLE_EQ(b.period_s, b.device_s);  // the graph launch hides behind the kernels
  // A replayed graph's pipeline pays no per-batch sync cost either; an eager one does.
  EXPECT_DOUBLE_EQ(s1.period_s, s0.period_s);
  PipelineOptions eager;
  gpu.coefficients[Coef::sync_us] = 0;
  const Prediction e0 = Evaluate(c, 1, eager, gpu);
  gpu.coefficients[Coef::sync_us] = 500;
  const Prediction e1 = Evaluate(c, 1, eager, gpu);
  EXPECT_NEAR(e1.period_s - e0.period_s, 500e-6, 1e-12);
}

TEST(Evaluate, LargeModelAtLargeBatchIsComputeBound) {
  const Prediction p = Evaluate(PresetByName("vit_l16"), 256, PipelineOptions{}, H100());
  EXPECT_EQ(p.regime, Regime::compute);
  EXPECT_GT(p.arithmetic_intensity, 100);
}

TEST(Transfers, HandComputedVolumes) {
  ViTConfig c = PresetByName("vit_b16");  // 224 px, bf16 logits
  PipelineOptions o;
  TransferVolume t = ComputeTransfers(c, 32, o);
  EXPECT_DOUBLE_EQ(t.h2d_bytes, 32.0 * 3 * 224 * 224 * 1);
  EXPECT_DOUBLE_EQ(t.d2h_bytes, 32.0 * 1000 * 2);
  EXPECT_DOUBLE_EQ(t.host_staged_bytes, t.h2d_bytes);
  o.start = ImageStart::pinned;  // decoded straight into the pinned ring: nothing to stage
  o.host_memory = HostMemory::pinned;
  t = ComputeTransfers(c, 32, o);
  EXPECT_DOUBLE_EQ(t.host_staged_bytes, 0);
  EXPECT_DOUBLE_EQ(t.h2d_bytes, 32.0 * 3 * 224 * 224 * 1);
  o.start = ImageStart::pageable;
  o.input = InputFormat::float32;
  c.output = OutputKind::tokens;
  t = ComputeTransfers(c, 32, o);
  EXPECT_DOUBLE_EQ(t.h2d_bytes, 32.0 * 3 * 224 * 224 * 4);
  EXPECT_DOUBLE_EQ(t.d2h_bytes, 32.0 * 197 * 768 * 2);
  o.compute_only = true;
  EXPECT_DOUBLE_EQ(ComputeTransfers(c, 32, o).h2d_bytes, 0);
}

TEST(Pipeline, OverlapIsBoundedByTheSlowestStageAndBySequential) {
  const HardwareProfile gpu = H100();
  ViTConfig c = PresetByName("vit_s16");
  PipelineOptions seq, ovl;
  seq.input = ovl.input = InputFormat::float32;  // make transfers matter
  ovl.pipeline = PipelineMode::overlapped;
  ovl.queue_depth = 3;
  for (int batch : {1, 16, 256}) {
    const Prediction s = Evaluate(c, batch, seq, gpu), o = Evaluate(c, batch, ovl, gpu);
    const double slowest = std::max({o.preprocess_s, o.h2d_s, o.compute_s, o.d2h_s});
    EXPECT_GE(o.period_s, slowest * (1 - 1e-12));
    EXPECT_LE(o.period_s, s.period_s * (1 + 1e-12));
    EXPECT_GE(o.latency_p50_s, o.preprocess_s + o.h2d_s + o.compute_s + o.d2h_s - 1e-12);
  }
}

// The H100 with a host that stages at 10 GB/s from cache and 5 GB/s from DRAM.
HardwareProfile StagingHost(double cache_mb, double batch_us, double decay_ms) {
  HardwareProfile gpu = H100();
  gpu.coefficients[Coef::host_cache_mb] = cache_mb;
  gpu.coefficients[Coef::host_copy_gbs] = 10;
  gpu.coefficients[Coef::host_dram_copy_gbs] = 5;
  gpu.coefficients[Coef::host_batch_us] = batch_us;
  gpu.coefficients[Coef::host_cache_decay_ms] = decay_ms;
  return gpu;
}

TEST(Pipeline, HostStagingFallsOffACacheCliff) {
  // Nothing decays while the batch computes (decay 1e5 ms).
  HardwareProfile gpu = StagingHost(/*cache_mb=*/16, /*batch_us=*/40, /*decay_ms=*/1e5);
  const ViTConfig c = PresetByName("vit_b16");  // 224 px uint8: 150528 B per image
  PipelineOptions o;
  const double image_bytes = 150528;
  auto streaming_s = [&](int batch) { return Evaluate(c, batch, o, gpu).preprocess_s - 40e-6; };
  // 64 images (9.6 MB) fit in the cache: within 1% of the cached rate.
  EXPECT_NEAR(streaming_s(64), 64 * image_bytes / 10e9, 0.01 * 64 * image_bytes / 10e9);
  // 256 images (38.5 MB) do not: the whole batch, not only the part past 16 MB, at DRAM rate.
  EXPECT_NEAR(streaming_s(256), 256 * image_bytes / 5e9, 1e-3 * 256 * image_bytes / 5e9);
  // At the cache size itself half the bytes miss.
  gpu.coefficients[Coef::host_cache_mb] = 128 * image_bytes * 1e-6;
  EXPECT_NEAR(streaming_s(128), 128 * image_bytes * (0.5 / 10e9 + 0.5 / 5e9), 1e-9);
  // Two producer threads halve the streaming part, not the per-batch cost.
  gpu.coefficients[Coef::host_cache_mb] = 16;
  const double one_thread_s = streaming_s(64);
  o.producer_threads = 2;
  EXPECT_NEAR(streaming_s(64), one_thread_s / 2, 1e-12);
}

TEST(Pipeline, SequentialStagingLosesItsCacheWhileTheBatchBeforeItComputes) {
  const HardwareProfile gpu = StagingHost(/*cache_mb=*/64, /*batch_us=*/0, /*decay_ms=*/5);
  const ViTConfig c = PresetByName("vit_b16");
  PipelineOptions seq;
  const Prediction p = Evaluate(c, 16, seq, gpu);
  const double idle_ms = (p.h2d_s + p.compute_s + p.d2h_s) * 1e3;
  const double hit = 1 / (1 + (idle_ms / 5) * (idle_ms / 5));
  const double bytes = 16 * 150528.0;
  EXPECT_NEAR(p.preprocess_s, bytes * (hit / 10e9 + (1 - hit) / 5e9), 1e-12);
  // A slower forward pass idles the cache longer: each staged byte costs more.
  const Prediction deeper = Evaluate(PresetByName("vit_l16"), 16, seq, gpu);
  EXPECT_GT(deeper.preprocess_s, p.preprocess_s * 1.05);
  // Overlapped, the producer stages the next batch while this one computes: no idle decay.
  PipelineOptions ovl = seq;
  ovl.pipeline = PipelineMode::overlapped;
  EXPECT_NEAR(Evaluate(c, 16, ovl, gpu).preprocess_s, bytes / 10e9, 1e-12);
}

TEST(Roofline, WaveEfficiencyCountsIdleMultiprocessorsAndEdgeTiles) {
  DeviceRates r;
  r.multiprocessors = 132;
  r.tile_m = r.tile_n = 128;
  // 132 full tiles: one full wave.
  EXPECT_DOUBLE_EQ(WaveEfficiency({128.0 * 132, 128, 64, 1}, r), 1.0);
  // 66 tiles leave half the multiprocessors idle.
  EXPECT_DOUBLE_EQ(WaveEfficiency({128.0 * 66, 128, 64, 1}, r), 0.5);
  // 133 tiles: past one wave the last one is charged for its work (a tile shape that fills it).
  EXPECT_DOUBLE_EQ(WaveEfficiency({128.0 * 133, 128, 64, 1}, r), 1.0);
  // Half-used edge tiles count half.
  EXPECT_DOUBLE_EQ(WaveEfficiency({64, 128, 64, 132}, r), 0.5);
}

TEST(Regimes, RemoteNumaSlowsOnlyHostSideStages) {
  const HardwareProfile gpu = H100();
  const ViTConfig c = PresetByName("vit_b16");
  PipelineOptions local, remote;
  remote.numa = NumaBinding::remote;
  const Prediction l = Evaluate(c, 64, local, gpu), r = Evaluate(c, 64, remote, gpu);
  EXPECT_GT(r.h2d_s, l.h2d_s);
  EXPECT_DOUBLE_EQ(r.compute_s, l.compute_s);
}

}  // namespace
}  // namespace vitperf
