#include "measure/micro_probes.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "measure/device.h"
#include "measure/timing.h"
#include "measure/vit_module.h"

namespace vitperf::measure {

namespace {

// A record with the fields every probe shares; id = probe|device|params (stable for --resume).
ProbeRecord NewRecord(const std::string& probe, const nlohmann::json& params, const Device& d,
                      const std::string& unit, const ProbeContext& ctx) {
  ProbeRecord r;
  r.probe = probe;
  r.device = d.ToString();
  r.params = params;
  r.unit = unit;
  r.provenance = ctx.provenance;
  std::ostringstream id;
  id << probe << "|" << r.device;
  for (const auto& [key, value] : params.items())  // nlohmann::json keeps keys sorted
    id << "|" << key << "=" << (value.is_string() ? value.get<std::string>() : value.dump());
  r.id = id.str();
  return r;
}

void CheckFinite(const torch::Tensor& t, const char* what) {
  if (!torch::isfinite(t).all().item<bool>())
    throw std::runtime_error(std::string(what) + ": output is not finite");
}

torch::TensorOptions On(const Device& d) {
  return torch::TensorOptions().device(d.cuda ? torch::Device(torch::kCUDA, d.index)
                                              : torch::Device(torch::kCPU));
}

void Skip(ProbeRecord* r, const std::string& why) {
  r->status = PointStatus::skipped;
  r->message = why;
}

}  // namespace

std::vector<MatmulShape> DefaultMatmulShapes(const Device& d) {
  constexpr std::int64_t kVitBDim = 768, kVitBHidden = 3072, kVitBTokens = 197;
  std::vector<MatmulShape> shapes;
  std::vector<std::int64_t> batches;
  if (d.cuda) {
    shapes = {{8192, 8192, 8192}, {4096, 4096, 4096}};
    batches = {256, 8};
  } else {
    shapes = {{1024, 1024, 1024}};
    batches = {8};
  }
  for (std::int64_t b : batches) {
    const std::int64_t rows = b * kVitBTokens;
    shapes.push_back({rows, kVitBHidden, kVitBDim});   // fc1
    shapes.push_back({rows, kVitBDim, kVitBHidden});   // fc2
    shapes.push_back({rows, 3 * kVitBDim, kVitBDim});  // qkv
  }
  return shapes;
}

std::vector<std::int64_t> DefaultTransferSizes() {
  std::vector<std::int64_t> sizes;
  for (std::int64_t b = 64 << 10; b <= (256ll << 20); b *= 4) sizes.push_back(b);
  return sizes;
}

ProbeRecord RunMatmulProbe(const MatmulShape& s, Precision precision, const ProbeContext& ctx) {
  if (s.m <= 0 || s.n <= 0 || s.k <= 0)
    throw std::invalid_argument("matmul: m, n and k must be positive");
  const Device d = ParseDevice(ctx.device);
  ProbeRecord r =
      NewRecord("matmul", {{"m", s.m}, {"n", s.n}, {"k", s.k}, {"precision", ToString(precision)}},
                d, "TFLOP/s", ctx);
  if (!d.cuda && precision == Precision::tf32)
    r.params["tf32_effective"] = false;  // TF32 is a tensor-core mode; the CPU runs fp32
  r.status = RunClassified(
      d,
      [&] {
        c10::InferenceMode inference;
        ScopedTf32 tf32(precision == Precision::tf32);
        const auto opts = On(d).dtype(ComputeDtype(precision));
        const torch::Tensor a = torch::randn({s.m, s.k}, opts);
        const torch::Tensor b = torch::randn({s.k, s.n}, opts);
        torch::Tensor c = torch::empty({s.m, s.n}, opts);
        r.timing = TimeOnDevice(
            d, [&] { torch::mm_out(c, a, b); }, ctx.Timing());
        CheckFinite(c, "matmul");
        const double flops =
            2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
        r.value = flops / (r.timing.median_ms * 1e-3) / 1e12;
      },
      &r.message);
  return r;
}

ProbeRecord RunDeviceCopyProbe(std::int64_t bytes, const ProbeContext& ctx) {
  if (bytes <= 0) throw std::invalid_argument("device_copy: bytes must be positive");
  const Device d = ParseDevice(ctx.device);
  ProbeRecord r = NewRecord("device_copy", {{"bytes", bytes}}, d, "GB/s", ctx);
  r.status = RunClassified(
      d,
      [&] {
        c10::InferenceMode inference;
        const auto opts = On(d).dtype(torch::kUInt8);
        const torch::Tensor src = torch::randint(1, 255, {bytes}, opts);
        torch::Tensor dst = torch::empty({bytes}, opts);
        r.timing = TimeOnDevice(
            d, [&] { dst.copy_(src); }, ctx.Timing());
        if (!torch::equal(dst, src)) throw std::runtime_error("device_copy: copy differs");
        r.value = 2.0 * static_cast<double>(bytes) / (r.timing.median_ms * 1e-3) / 1e9;
      },
      &r.message);
  return r;
}

ProbeRecord RunStridedCopyProbe(std::int64_t bytes, std::int64_t run_elements,
                                const ProbeContext& ctx) {
  if (bytes <= 0) throw std::invalid_argument("strided_copy: bytes must be positive");
  if (run_elements != 1 && run_elements != 64)
    throw std::invalid_argument("strided_copy: run_elements must be 1 or 64");
  const Device d = ParseDevice(ctx.device);
  ProbeRecord r =
      NewRecord("strided_copy", {{"bytes", bytes}, {"run_elements", run_elements}}, d, "GB/s", ctx);
  r.status = RunClassified(
      d,
      [&] {
        c10::InferenceMode inference;
        // A ViT-B/16 activation's shape: 196 tokens of 768 channels (12 heads of 64).
        constexpr std::int64_t kTokens = 196, kWidth = 768, kHeadDim = 64;
        const std::int64_t images =
            std::max<std::int64_t>(1, bytes / (kTokens * kWidth * 2 /* bf16 */));
        const auto opts = On(d).dtype(torch::kBFloat16);
        // run_elements 1: [B, C, N] viewed as [B, N, C] (the patch embedding's flatten and
        // transpose); 64: [B, N, H, 64] viewed as [B, H, N, 64] (heads split from the tokens).
        const torch::Tensor src =
            run_elements == 1 ? torch::randn({images, kWidth, kTokens}, opts).transpose(1, 2)
                              : torch::randn({images, kTokens, kWidth / kHeadDim, kHeadDim}, opts)
                                    .transpose(1, 2);
        torch::Tensor dst = torch::empty(src.sizes(), opts);
        r.timing = TimeOnDevice(
            d, [&] { dst.copy_(src); }, ctx.Timing());
        if (!torch::equal(dst, src)) throw std::runtime_error("strided_copy: copy differs");
        r.params["bytes"] = src.numel() * 2;
        r.value = 2.0 * static_cast<double>(src.numel() * 2) / (r.timing.median_ms * 1e-3) / 1e9;
      },
      &r.message);
  return r;
}

ProbeRecord RunGeluProbe(std::int64_t bytes, const ProbeContext& ctx) {
  if (bytes <= 0) throw std::invalid_argument("gelu: bytes must be positive");
  const Device d = ParseDevice(ctx.device);
  ProbeRecord r = NewRecord("gelu", {{"bytes", bytes}}, d, "GB/s", ctx);
  r.status = RunClassified(
      d,
      [&] {
        c10::InferenceMode inference;
        constexpr std::int64_t kHidden = 3072;  // ViT-B's MLP width
        const auto dtype = d.cuda ? torch::kBFloat16 : torch::kFloat32;
        const std::int64_t element_bytes = d.cuda ? 2 : 4;
        const std::int64_t rows = std::max<std::int64_t>(1, bytes / (kHidden * element_bytes));
        const torch::Tensor x = torch::randn({rows, kHidden}, On(d).dtype(dtype));
        torch::Tensor y;
        r.timing = TimeOnDevice(
            d, [&] { y = torch::gelu(x); }, ctx.Timing());
        CheckFinite(y, "gelu");
        const std::int64_t allocated = x.numel() * element_bytes;
        r.params["bytes"] = allocated;
        r.value = 2.0 * static_cast<double>(allocated) / (r.timing.median_ms * 1e-3) / 1e9;
      },
      &r.message);
  return r;
}

ProbeRecord RunAttentionProbe(std::int64_t batch, std::int64_t tokens, bool bias,
                              const ProbeContext& ctx) {
  if (batch <= 0 || tokens <= 0)
    throw std::invalid_argument("attention: batch and tokens must be positive");
  const Device d = ParseDevice(ctx.device);
  ProbeRecord r = NewRecord("attention", {{"batch", batch}, {"tokens", tokens}, {"bias", bias}}, d,
                            "TFLOP/s", ctx);
  r.status = RunClassified(
      d,
      [&] {
        c10::InferenceMode inference;
        constexpr std::int64_t kHeads = 12, kHeadDim = 64;  // ViT-B's heads
        const auto opts = On(d).dtype(d.cuda ? torch::kBFloat16 : torch::kFloat32);
        const auto q = torch::randn({batch, kHeads, tokens, kHeadDim}, opts);
        const auto k = torch::randn_like(q), v = torch::randn_like(q);
        // BEiT's relative position bias: one [heads, N, N] table broadcast over the batch.
        const torch::Tensor mask =
            bias ? torch::randn({1, kHeads, tokens, tokens}, opts) : torch::Tensor();
        torch::Tensor out;
        r.timing = TimeOnDevice(
            d, [&] { out = Attend(q, k, v, mask, /*fused=*/true, 1.0 / 8 /* 1/sqrt(64) */); },
            ctx.Timing());
        CheckFinite(out, "attention");
        const double flops = 4.0 * static_cast<double>(batch * kHeads * tokens) *
                             static_cast<double>(tokens * kHeadDim);
        r.value = flops / (r.timing.median_ms * 1e-3) / 1e12;
      },
      &r.message);
  return r;
}

ProbeRecord RunTransferProbe(CopyDirection direction, std::int64_t bytes, HostMemory host_memory,
                             const ProbeContext& ctx) {
  if (bytes <= 0) throw std::invalid_argument("h2d/d2h: bytes must be positive");
  const Device d = ParseDevice(ctx.device);
  const char* name = direction == CopyDirection::h2d ? "h2d" : "d2h";
  ProbeRecord r = NewRecord(
      name,
      {{"bytes", bytes}, {"host_memory", ToString(host_memory)}, {"numa", ToString(ctx.numa)}}, d,
      "GB/s", ctx);
  if (ctx.numa_node >= 0) r.params["numa_node"] = ctx.numa_node;
  if (!d.cuda) {
    r.params["host_copy"] = true;
    if (host_memory == HostMemory::pinned) {
      Skip(&r, "pinned host memory needs a CUDA device");
      return r;
    }
  }
  const HostAllocator node{ctx.host_alloc, ctx.host_free};
  const auto size = static_cast<std::size_t>(bytes);
  r.status = RunClassified(
      d,
      [&] {
        c10::InferenceMode inference;
        HostBuffer host(d, size, host_memory, node);
        std::memset(host.data(), 0x5a, size);  // not zeros
        if (!d.cuda) {
          // No device memory: a single-threaded memcpy between two host buffers, the bytes a
          // CPU "transfer" moves.
          HostBuffer other(d, size, HostMemory::pageable, node);
          void* dst = direction == CopyDirection::h2d ? other.data() : host.data();
          const void* src = direction == CopyDirection::h2d ? host.data() : other.data();
          r.timing = TimeOnDevice(
              d, [&] { std::memcpy(dst, src, size); }, ctx.Timing());
        } else {
          const torch::Tensor host_t = torch::from_blob(host.data(), {bytes}, torch::kUInt8);
          torch::Tensor dev = torch::randint(1, 255, {bytes}, On(d).dtype(torch::kUInt8));
          const bool async = host.pinned();  // pageable copies are staged by the driver anyway
          if (direction == CopyDirection::h2d)
            r.timing = TimeOnDevice(
                d, [&] { dev.copy_(host_t, async); }, ctx.Timing());
          else
            r.timing = TimeOnDevice(
                d, [&] { host_t.copy_(dev, async); }, ctx.Timing());
        }
        r.value = static_cast<double>(bytes) / (r.timing.median_ms * 1e-3) / 1e9;
      },
      &r.message);
  return r;
}

ProbeRecord RunStagingProbe(std::int64_t bytes, double idle_ms, bool h2d, const ProbeContext& ctx) {
  if (bytes <= 0) throw std::invalid_argument("staging: bytes must be positive");
  if (!(idle_ms >= 0 && idle_ms <= 1000))
    throw std::invalid_argument("staging: idle_ms must be in [0, 1000]");
  const Device d = ParseDevice(ctx.device);
  ProbeRecord r =
      NewRecord("staging", {{"bytes", bytes}, {"idle_ms", idle_ms}, {"h2d", h2d}}, d, "GB/s", ctx);
  if (ctx.numa_node >= 0) r.params["numa_node"] = ctx.numa_node;
  if (h2d && !d.cuda) {
    Skip(&r, "h2d: the copy to the device needs a CUDA device");
    return r;
  }
  const HostAllocator node{ctx.host_alloc, ctx.host_free};
  const auto size = static_cast<std::size_t>(bytes);
  r.status = RunClassified(
      d,
      [&] {
        HostBuffer source(d, size, HostMemory::pageable, node);
        HostBuffer staging(d, size, d.cuda ? HostMemory::pinned : HostMemory::pageable, node);
        auto* src = static_cast<std::uint8_t*>(source.data());
        auto* dst = static_cast<std::uint8_t*>(staging.data());
        for (std::size_t i = 0; i < size; ++i) src[i] = static_cast<std::uint8_t>(i * 131 + 7);
        std::memset(dst, 0, size);  // first touch before timing
        const auto idle = std::chrono::duration<double, std::milli>(idle_ms);
        torch::Tensor device_in, staged;
        if (h2d) {
          staged = torch::from_blob(dst, {bytes}, torch::kUInt8);
          device_in = torch::empty({bytes}, On(d).dtype(torch::kUInt8));
        }
        r.timing = RepeatUntilStable(
            [&] {
              if (idle_ms > 0) std::this_thread::sleep_for(idle);
              const auto t0 = std::chrono::steady_clock::now();
              std::memcpy(dst, src, size);  // as pipeline_probe.cpp's Preprocessor::Run
              const auto t1 = std::chrono::steady_clock::now();
              if (h2d) {
                device_in.copy_(staged, /*non_blocking=*/true);
                Synchronize(d);
              }
              return std::chrono::duration<double, std::milli>(t1 - t0).count();
            },
            ctx.Timing());
        if (dst[0] != src[0] || dst[size - 1] != src[size - 1] || dst[size / 2] != src[size / 2])
          throw std::runtime_error("staging: copy differs");
        r.value = static_cast<double>(bytes) / (r.timing.median_ms * 1e-3) / 1e9;
      },
      &r.message);
  return r;
}

ProbeRecord RunLaunchProbe(ExecutionMode execution, const ProbeContext& ctx) {
  constexpr int kKernels = 1000;
  const Device d = ParseDevice(ctx.device);
  ProbeRecord r = NewRecord("launch", {{"execution", ToString(execution)}, {"kernels", kKernels}},
                            d, "us", ctx);
  if (execution == ExecutionMode::compiled) {
    // 1000 dependent adds compile into one fused kernel: there is no per-kernel launch of a
    // compiled model to time here; the pipeline probe times compiled forward passes.
    Skip(&r,
         "the launch probe times single kernels; compiled execution fuses them (pipeline "
         "points measure it)");
    return r;
  }
  if (execution == ExecutionMode::graph && !d.cuda) {
    Skip(&r, "CUDA graphs need a CUDA device");
    return r;
  }
  r.status = RunClassified(
      d,
      [&] {
        c10::InferenceMode inference;
        torch::Tensor x = torch::rand({1}, On(d).dtype(torch::kFloat)) + 1.0f;
        // Adding 1e-3 keeps the value bounded over millions of calls (finite, never zero).
        auto many = [&] {
          for (int i = 0; i < kKernels; ++i) x.add_(1e-3);
        };
        if (execution == ExecutionMode::eager) {
          r.timing = TimeOnDevice(d, many, ctx.Timing());
        } else {
          DeviceGraph graph;
          graph.Capture(d, many);
          r.timing = TimeOnDevice(
              d, [&] { graph.Replay(); }, ctx.Timing());
        }
        CheckFinite(x, "launch");
        r.value = r.timing.median_ms * 1e3 / kKernels;
      },
      &r.message);
  return r;
}

double QuickLaunchUs(const Device& d) {
  constexpr int kLaunches = 200, kRuns = 5;
  c10::InferenceMode inference;
  torch::Tensor x = torch::rand({1}, On(d).dtype(torch::kFloat)) + 1.0f;
  DeviceTimer timer(d);
  std::vector<double> us;
  for (int run = 0; run < kRuns; ++run) {
    Synchronize(d);
    timer.Start();
    for (int i = 0; i < kLaunches; ++i) x.add_(1e-3);
    us.push_back(timer.StopMs() * 1e3 / kLaunches);
  }
  CheckFinite(x, "quick launch");
  std::sort(us.begin(), us.end());
  return us[kRuns / 2];
}

std::vector<ProbeRecord> RunDefaultMicroProbes(const ProbeContext& ctx) {
  const Device d = ParseDevice(ctx.device);
  std::vector<ProbeRecord> out;
  const std::vector<Precision> precisions =
      d.cuda ? std::vector<Precision>{Precision::bf16, Precision::fp16, Precision::tf32,
                                      Precision::fp32}
             : std::vector<Precision>{Precision::fp32, Precision::bf16};
  for (const auto& shape : DefaultMatmulShapes(d))
    for (Precision p : precisions) out.push_back(RunMatmulProbe(shape, p, ctx));
  out.push_back(RunDeviceCopyProbe(d.cuda ? (256ll << 20) : (64ll << 20), ctx));
  for (std::int64_t run : {1, 64})
    out.push_back(RunStridedCopyProbe(d.cuda ? (256ll << 20) : (16ll << 20), run, ctx));
  for (std::int64_t bytes : DefaultTransferSizes())
    for (HostMemory m : {HostMemory::pinned, HostMemory::pageable})
      for (CopyDirection dir : {CopyDirection::h2d, CopyDirection::d2h})
        out.push_back(RunTransferProbe(dir, bytes, m, ctx));
  for (ExecutionMode e : {ExecutionMode::eager, ExecutionMode::graph})
    out.push_back(RunLaunchProbe(e, ctx));
  return out;
}

}  // namespace vitperf::measure
