// Probes on the CPU: device parsing, timing rule, out-of-memory classification, host buffers,
// micro-probes and the pipeline probe on a tiny ViT (sequential, overlapped, compute only),
// and the points that must be skipped or fail cleanly.
#include <c10/util/Exception.h>
#include <gtest/gtest.h>
#include <torch/version.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "measure/aoti_package.h"
#include "measure/cupti_tracer.h"
#include "measure/device.h"
#include "measure/micro_probes.h"
#include "measure/pipeline_probe.h"
#include "measure/timing.h"
#include "measure/vit_module.h"
#include "tests/measure/test_helpers.h"
#include "tests/measure/tiny_config.h"

namespace vitperf::measure {
namespace {

using testing::FastCpu;

TEST(Device, ParsesAndRejectsWithAClearMessage) {
  EXPECT_FALSE(ParseDevice("cpu").cuda);
  EXPECT_EQ(ParseDevice("cpu").ToString(), "cpu");
  for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "CPU", ""}) {
    try {
      ParseDevice(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("device"), std::string::npos) << e.what();
    }
  }
  if (!BuildHasCuda()) {
    try {
      ParseDevice("cuda");
      ADD_FAILURE() << "cuda accepted without CUDA";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("CPU-only"), std::string::npos) << e.what();
    }
  }
}

TEST(Timing, SummariseInterpolatesPercentiles) {
  std::vector<double> v;
  for (int i = 1; i <= 11; ++i) v.push_back(i);  // 1..11
  const TimingStats t = Summarise(v, "spread");
  EXPECT_DOUBLE_EQ(t.median_ms, 6);
  EXPECT_DOUBLE_EQ(t.p10_ms, 2);
  EXPECT_DOUBLE_EQ(t.p90_ms, 10);
  EXPECT_NEAR(t.p99_ms, 10.9, 1e-12);
  EXPECT_EQ(t.repeats, 11);
}

TEST(Timing, StopsOnSpreadOrTimeCap) {
  TimingOptions o;
  o.warmup = 2;
  o.min_repeats = 7;
  o.time_cap_s = 5;
  int calls = 0;
  const TimingStats steady = RepeatUntilStable([&] { return ++calls, 1.0; }, o);
  EXPECT_EQ(steady.stop_reason, "spread");
  EXPECT_EQ(steady.repeats, 7);
  EXPECT_EQ(calls, 9);  // warm-up calls are not counted

  // Alternating 1, 3: the spread never falls under 5%, the cap ends it.
  o.time_cap_s = 0.05;
  int k = 0;
  const TimingStats noisy = RepeatUntilStable([&] { return (k++ % 2) ? 3.0 : 1.0; }, o);
  EXPECT_EQ(noisy.stop_reason, "time_cap");
  EXPECT_GE(noisy.repeats, 7);
  EXPECT_GT(noisy.RelativeSpread(), 0.5);

  // A steady quantity still repeats for min_time_s (host-bound timings drift between states).
  o.time_cap_s = 5;
  o.min_time_s = 0.05;
  const auto start = std::chrono::steady_clock::now();
  const TimingStats held = RepeatUntilStable(
      [&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return 1.0;
      },
      o);
  EXPECT_EQ(held.stop_reason, "spread");
  EXPECT_GE(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0.05);
  EXPECT_GT(held.repeats, 7);

  // A first repetition that pays a one-time set-up longer than the cap (the first point of a
  // process) ends the warm-up, not the point: the cap then runs over the timed repeats.
  o.min_time_s = 0;
  o.time_cap_s = 0.03;
  int first = 0;
  const TimingStats after_setup = RepeatUntilStable(
      [&] {
        if (first++ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(60));
        return first == 2 ? 4.0 : 1.0;  // the repetition just after set-up: still slow
      },
      o);
  EXPECT_GE(after_setup.repeats, 7);
  EXPECT_DOUBLE_EQ(after_setup.median_ms, 1.0);
  o.time_cap_s = 5;

  o.min_repeats = 0;
  EXPECT_THROW(RepeatUntilStable([] { return 1.0; }, o), std::invalid_argument);
  o.min_repeats = 7;
  o.min_time_s = -1;
  EXPECT_THROW(RepeatUntilStable([] { return 1.0; }, o), std::invalid_argument);
}

TEST(OutOfMemory, ClassifiesMessagesAndExceptions) {
  EXPECT_TRUE(IsOutOfMemoryMessage("CUDA out of memory. Tried to allocate 2.00 GiB"));
  EXPECT_TRUE(IsOutOfMemoryMessage("DefaultCPUAllocator: can't allocate memory: you tried"));
  EXPECT_TRUE(IsOutOfMemoryMessage("CUBLAS_STATUS_ALLOC_FAILED when calling cublasCreate"));
  EXPECT_FALSE(IsOutOfMemoryMessage("mat1 and mat2 shapes cannot be multiplied"));

  const Device cpu = ParseDevice("cpu");
  std::string message;
  EXPECT_EQ(RunClassified(
                cpu,
                [] {
                  throw c10::OutOfMemoryError(c10::SourceLocation{__func__, __FILE__, __LINE__},
                                              "Tried to allocate 80 GiB");
                },
                &message),
            PointStatus::oom);
  EXPECT_NE(message.find("80 GiB"), std::string::npos);
  EXPECT_EQ(RunClassified(
                cpu,
                [] {
                  throw c10::Error(c10::SourceLocation{__func__, __FILE__, __LINE__},
                                   "CUDA out of memory. Tried to allocate 1 GiB");
                },
                &message),
            PointStatus::oom);
  EXPECT_EQ(RunClassified(
                cpu, [] { throw std::runtime_error("bad kernel"); }, &message),
            PointStatus::error);
  EXPECT_EQ(message, "bad kernel");
  EXPECT_EQ(RunClassified(
                cpu, [] {}, &message),
            PointStatus::ok);
  EXPECT_THROW(RunClassified(
                   cpu, [] { throw std::invalid_argument("x"); }, &message),
               std::invalid_argument);
}

TEST(HostBuffer, PageableUsesHooksAndPinnedNeedsCuda) {
  const Device cpu = ParseDevice("cpu");
  EXPECT_THROW(HostBuffer(cpu, 1024, HostMemory::pinned), std::invalid_argument);
  int allocs = 0, frees = 0;
  HostAllocator hooks{
      [&](std::size_t n) { return (++allocs, std::aligned_alloc(64, (n + 63) / 64 * 64)); },
      [&](void* p, std::size_t) { ++frees, std::free(p); }};
  {
    HostBuffer a(cpu, 1000, HostMemory::pageable, hooks);
    HostBuffer b = std::move(a);
    ASSERT_NE(b.data(), nullptr);
    EXPECT_EQ(static_cast<unsigned char*>(b.data())[999], 1);  // touched at allocation
  }
  EXPECT_EQ(allocs, 1);
  EXPECT_EQ(frees, 1);
}

TEST(KernelClasses, ByName) {
  EXPECT_EQ(KernelClass("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64"), "matmul");
  EXPECT_EQ(KernelClass("nvjet_tst_128x256_64x4_1x2_h_bz_coopA_NNT"), "matmul");
  EXPECT_EQ(KernelClass("fmha_cutlassF_bf16_aligned_64x64_rf_sm80"), "attention");
  EXPECT_EQ(KernelClass("void pytorch_flash::flash_fwd_kernel<...>"), "attention");
  EXPECT_EQ(KernelClass("void at::native::(anonymous namespace)::vectorized_layer_norm_kernel"),
            "norm_elementwise");
  EXPECT_EQ(KernelClass("void at::native::vectorized_elementwise_kernel<4, GeluCUDAKernelImpl>"),
            "norm_elementwise");
  EXPECT_EQ(KernelClass("void at::native::cat_batched_copy"), "other");
  // Inductor's kernels (compiled execution).
  EXPECT_EQ(KernelClass("triton_tem_fused_addmm_7"), "matmul");
  EXPECT_EQ(KernelClass("triton_red_fused_add_native_layer_norm_3"), "norm_elementwise");
  EXPECT_EQ(KernelClass("triton_poi_fused_gelu_view_5"), "norm_elementwise");
  EXPECT_EQ(KernelClass("triton_per_fused__softmax_2"), "attention");
}

void ExpectPositiveFinite(const ProbeRecord& r) {
  EXPECT_EQ(r.status, PointStatus::ok) << r.probe << ": " << r.message;
  EXPECT_TRUE(std::isfinite(r.value) && r.value > 0) << r.probe << " " << r.value;
  EXPECT_GT(r.timing.median_ms, 0) << r.probe;
  EXPECT_GE(r.timing.repeats, 3) << r.probe;
  EXPECT_EQ(r.device, "cpu");
  EXPECT_EQ(r.provenance["test"], true);
  EXPECT_FALSE(r.id.empty());
}

TEST(MicroProbes, CpuValuesArePositiveAndFinite) {
  const ProbeContext ctx = FastCpu();
  const ProbeRecord mm = RunMatmulProbe({256, 256, 256}, Precision::fp32, ctx);
  ExpectPositiveFinite(mm);
  EXPECT_EQ(mm.unit, "TFLOP/s");
  EXPECT_EQ(mm.params["m"], 256);
  EXPECT_LT(mm.value, 100);  // a CPU is far from 100 TFLOP/s: catches a units slip

  const ProbeRecord copy = RunDeviceCopyProbe(4 << 20, ctx);
  ExpectPositiveFinite(copy);
  EXPECT_EQ(copy.unit, "GB/s");
  for (std::int64_t run : {1, 64}) {
    const ProbeRecord strided = RunStridedCopyProbe(1 << 20, run, ctx);
    ExpectPositiveFinite(strided);
    EXPECT_EQ(strided.params["run_elements"], run);
  }
  EXPECT_THROW(RunStridedCopyProbe(1 << 20, 7, ctx), std::invalid_argument);
  const ProbeRecord gelu = RunGeluProbe(4 << 20, ctx);
  ExpectPositiveFinite(gelu);
  EXPECT_EQ(gelu.unit, "GB/s");
  EXPECT_EQ(gelu.params["bytes"].get<std::int64_t>() % (3072 * 4), 0) << "whole fp32 rows";
  EXPECT_THROW(RunGeluProbe(0, ctx), std::invalid_argument);
  for (bool bias : {false, true}) {
    const ProbeRecord attention = RunAttentionProbe(2, 50, bias, ctx);
    ExpectPositiveFinite(attention);
    EXPECT_EQ(attention.params["bias"], bias);
  }

  const ProbeRecord h2d = RunTransferProbe(CopyDirection::h2d, 1 << 20, HostMemory::pageable, ctx);
  ExpectPositiveFinite(h2d);
  EXPECT_EQ(h2d.params["host_copy"], true);
  const ProbeRecord d2h = RunTransferProbe(CopyDirection::d2h, 1 << 20, HostMemory::pageable, ctx);
  ExpectPositiveFinite(d2h);
  const ProbeRecord pinned = RunTransferProbe(CopyDirection::h2d, 1 << 20, HostMemory::pinned, ctx);
  EXPECT_EQ(pinned.status, PointStatus::skipped);

  const ProbeRecord launch = RunLaunchProbe(ExecutionMode::eager, ctx);
  ExpectPositiveFinite(launch);
  EXPECT_EQ(launch.unit, "us");
  EXPECT_LT(launch.value, 1000);  // per op, not per 1000 ops
  const ProbeRecord graph = RunLaunchProbe(ExecutionMode::graph, ctx);
  EXPECT_EQ(graph.status, PointStatus::skipped);
  EXPECT_EQ(graph.message, "CUDA graphs need a CUDA device");

  EXPECT_THROW(RunMatmulProbe({0, 1, 1}, Precision::fp32, ctx), std::invalid_argument);
  EXPECT_FALSE(DefaultTransferSizes().empty());
  EXPECT_EQ(DefaultTransferSizes().front(), 64 << 10);
  EXPECT_EQ(DefaultTransferSizes().back(), 256ll << 20);
}

void ExpectSaneRecord(const PipelineRecord& r, int batch) {
  ASSERT_EQ(r.status, PointStatus::ok) << r.message;
  EXPECT_EQ(r.batch, batch);
  EXPECT_GT(r.throughput_ips, 0);
  EXPECT_GT(r.latency.median_ms, 0);
  EXPECT_LE(r.latency.p10_ms, r.latency.median_ms);
  EXPECT_LE(r.latency.median_ms, r.latency.p90_ms);
  EXPECT_LE(r.latency.p90_ms, r.latency.p99_ms);
  EXPECT_TRUE(r.latency.stop_reason == "spread" || r.latency.stop_reason == "time_cap");
  EXPECT_GT(r.compute.median_ms, 0);  // forward-only stats are always there
  EXPECT_GT(r.compute_ms, 0);
  EXPECT_EQ(r.peak_memory_bytes, 0);  // CPU: not measured
  EXPECT_GT(r.wall_s, 0);
  EXPECT_TRUE(r.breakdown.is_null());
  EXPECT_EQ(r.provenance["test"], true);
  EXPECT_EQ(r.device, "cpu");
}

TEST(PipelineProbe, SequentialOnCpu) {
  PipelineOptions o;
  o.pipeline = PipelineMode::sequential;
  o.input = InputFormat::uint8;
  const PipelineRecord r = RunPipelinePoint(Tiny(), 4, o, FastCpu());
  ExpectSaneRecord(r, 4);
  EXPECT_GT(r.preprocess_ms, 0);
  // On the CPU, h2d/d2h are host copies of the batch: small but measured.
  EXPECT_GE(r.h2d_ms, 0);
  EXPECT_GE(r.d2h_ms, 0);
  EXPECT_LT(r.h2d_ms, r.latency.median_ms);
  // The stages happen inside one end-to-end iteration.
  EXPECT_LE(r.preprocess_ms + r.h2d_ms + r.compute_ms + r.d2h_ms, r.latency.p99_ms * 1.05);
  EXPECT_NEAR(r.throughput_ips, 4 / (r.latency.median_ms * 1e-3), 1e-6 * r.throughput_ips);
  EXPECT_NE(r.message.find("CPU device"), std::string::npos);
  if (!FusedAttentionAvailable()) {
    EXPECT_NE(r.message.find(kFusedFallbackMessage), std::string::npos) << r.message;
  }
  EXPECT_EQ(r.id, PipelinePointId(Tiny(), 4, o, "cpu"));
}

TEST(PipelineProbe, SequentialFloat32PooledWithProducerThreads) {
  ViTConfig c = Tiny();
  c.output = OutputKind::pooled;
  c.attention = AttentionImpl::math;
  PipelineOptions o;
  o.input = InputFormat::float32;
  o.host_memory = HostMemory::pageable;
  o.producer_threads = 2;
  ProbeContext ctx = FastCpu();
  std::atomic<int> bound{0};
  std::atomic<int> allocs{0};
  ctx.bind_thread = [&] { ++bound; };
  ctx.host_alloc = [&](std::size_t n) {
    return (++allocs, std::aligned_alloc(64, (n + 63) / 64 * 64));
  };
  ctx.host_free = [](void* p, std::size_t) { std::free(p); };
  const PipelineRecord r = RunPipelinePoint(c, 3, o, ctx);
  ExpectSaneRecord(r, 3);
  EXPECT_EQ(bound.load(), 2);   // each producer thread bound itself once
  EXPECT_EQ(allocs.load(), 2);  // host input and output buffers came from the hooks
  EXPECT_EQ(r.message.find(kFusedFallbackMessage), std::string::npos);  // math was asked for
}

TEST(PipelineProbe, OverlappedOnCpu) {
  for (auto [input, output, q, threads] :
       {std::tuple{InputFormat::uint8, OutputKind::tokens, 2, 1},
        std::tuple{InputFormat::float32, OutputKind::logits, 3, 2}}) {
    ViTConfig c = Tiny();
    c.output = output;
    PipelineOptions o;
    o.pipeline = PipelineMode::overlapped;
    o.queue_depth = q;
    o.input = input;
    o.producer_threads = threads;
    ProbeContext ctx = FastCpu();
    std::atomic<int> bound{0};
    ctx.bind_thread = [&] { ++bound; };
    const PipelineRecord r = RunPipelinePoint(c, 2, o, ctx);
    ExpectSaneRecord(r, 2);
    EXPECT_GE(r.latency.repeats, std::max(3, 2 * q));
    EXPECT_GT(r.preprocess_ms, 0);
    EXPECT_EQ(bound.load(), threads);
  }
}

TEST(PipelineProbe, ComputeOnly) {
  PipelineOptions o;
  o.compute_only = true;
  const PipelineRecord r = RunPipelinePoint(Tiny(), 2, o, FastCpu());
  ExpectSaneRecord(r, 2);
  EXPECT_DOUBLE_EQ(r.throughput_ips, 2 / (r.compute.median_ms * 1e-3));
  EXPECT_EQ(r.preprocess_ms, 0);
  EXPECT_EQ(r.h2d_ms, 0);
  EXPECT_EQ(r.d2h_ms, 0);
}

TEST(PipelineProbe, SkipsWhatCannotRunHere) {
  PipelineOptions o;
  o.execution = ExecutionMode::graph;
  PipelineRecord r = RunPipelinePoint(Tiny(), 1, o, FastCpu());
  EXPECT_EQ(r.status, PointStatus::skipped);
  EXPECT_EQ(r.message, "CUDA graphs need a CUDA device");
}

TEST(PipelineProbe, CompiledPointsWithoutAPackageAreSkippedWithTheReason) {
  PipelineOptions o;
  o.execution = ExecutionMode::compiled;
  ProbeContext ctx = FastCpu();
  ctx.aoti_dir = std::string(VITPERF_TEST_TMP) + "/no_packages_here";
  for (CompileMode mode : {CompileMode::standard, CompileMode::max_autotune}) {
    o.compile_mode = mode;
    const PipelineRecord r = RunPipelinePoint(Tiny(), 1, o, ctx);
    EXPECT_EQ(r.status, PointStatus::skipped);
    EXPECT_EQ(r.throughput_ips, 0);
    if (!AotiAvailable()) {
      // This build's LibTorch (Debian's 1.13 here) has no AOTInductor loader: one clear line.
      EXPECT_EQ(r.message, AotiUnavailableMessage());
      EXPECT_EQ(r.message,
                "compiled execution needs LibTorch ≥ 2.6 with AOTInductor; this build has " +
                    std::to_string(TORCH_VERSION_MAJOR) + "." +
                    std::to_string(TORCH_VERSION_MINOR));
    } else {
      // The missing package is named, with the commands that build it.
      EXPECT_NE(r.message.find(AotiFilesFor(ctx.aoti_dir, Tiny(), mode).package), std::string::npos)
          << r.message;
      EXPECT_NE(r.message.find("--aoti-prepare"), std::string::npos) << r.message;
      EXPECT_NE(r.message.find("scripts/aoti_compile.py"), std::string::npos) << r.message;
    }
  }
}

TEST(PipelineProbe, CompileModeSeparatesPointIds) {
  PipelineOptions o;
  o.execution = ExecutionMode::compiled;
  const std::string standard = PipelinePointId(Tiny(), 4, o, "cuda:0");
  o.compile_mode = CompileMode::max_autotune;
  const std::string autotuned = PipelinePointId(Tiny(), 4, o, "cuda:0");
  EXPECT_NE(standard, autotuned);
  EXPECT_NE(autotuned.find("|compiled-max-autotune|"), std::string::npos) << autotuned;
  // Eager ids are what they were before compile modes existed.
  o.execution = ExecutionMode::eager;
  o.compile_mode = CompileMode::standard;
  EXPECT_EQ(PipelinePointId(Tiny(), 4, o, "cpu").find("max-autotune"), std::string::npos);
}

TEST(PipelineProbe, OutOfMemoryIsADataPoint) {
  // 2^30 images of 3 x 2048 x 2048 bytes: beyond any address space, so the allocation fails
  // at once whatever the kernel's overcommit policy.
  ViTConfig c = Tiny();
  c.image_height = c.image_width = 2048;
  PipelineOptions o;
  const PipelineRecord r = RunPipelinePoint(c, 1 << 30, o, FastCpu());
  EXPECT_EQ(r.status, PointStatus::oom) << r.message;
  EXPECT_FALSE(r.message.empty());
  EXPECT_EQ(r.throughput_ips, 0);
  EXPECT_EQ(r.latency.repeats, 0);
}

TEST(PipelineProbe, InvalidArgumentsThrowBeforeMeasuring) {
  PipelineOptions o;
  EXPECT_THROW(RunPipelinePoint(Tiny(), 0, o, FastCpu()), std::invalid_argument);
  ProbeContext gpu = FastCpu();
  gpu.device = "tpu";
  EXPECT_THROW(RunPipelinePoint(Tiny(), 1, o, gpu), std::invalid_argument);
  ViTConfig bad = Tiny();
  bad.patch = 7;
  EXPECT_THROW(RunPipelinePoint(bad, 1, o, FastCpu()), std::invalid_argument);
  o.pipeline = PipelineMode::overlapped;
  o.queue_depth = 1;
  EXPECT_THROW(RunPipelinePoint(Tiny(), 1, o, FastCpu()), std::invalid_argument);
}

}  // namespace
}  // namespace vitperf::measure
