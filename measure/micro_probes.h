// Micro-probes: the few device rates the analytical model's coefficients rest on. Each returns
// a ProbeRecord in the units fixed in model/measurement_record.h; a probe that cannot run on
// the device is a record with status skipped and the reason, an out-of-memory or runtime
// failure a record with status oom or error. Invalid arguments throw std::invalid_argument.
#pragma once

#include <cstdint>
#include <vector>

#include "measure/probe_context.h"
#include "model/measurement_record.h"
#include "model/precision.h"

namespace vitperf::measure {

struct MatmulShape {
  std::int64_t m = 0, n = 0, k = 0;  // C[m, n] = A[m, k] B[k, n]
};

// The square 8192^3 / 4096^3 ceilings and the ViT-B/16 block products at batch 256 and 8
// ((B*197) x 768 -> 3072 and back, and the qkv product). The CPU gets smaller squares
// (1024^3) and batch 8 only, so a CPU run takes seconds.
std::vector<MatmulShape> DefaultMatmulShapes(const Device& d);
// 64 KiB, 256 KiB, ..., 256 MiB (x4 steps).
std::vector<std::int64_t> DefaultTransferSizes();

// "matmul": value [TFLOP/s] = 2 m n k / median time; params {m, n, k, precision}. tf32 enables
// TF32 in cuBLAS for the probe only.
ProbeRecord RunMatmulProbe(const MatmulShape& shape, Precision precision, const ProbeContext& ctx);

// "device_copy": a copy_ of `bytes` between two device tensors; value [GB/s] counting bytes read
// plus bytes written (2 x bytes / time). params {bytes}.
ProbeRecord RunDeviceCopyProbe(std::int64_t bytes, const ProbeContext& ctx);

// "strided_copy": copy_ of a bf16 activation of about `bytes` whose elements are contiguous only in
// runs of `run_elements` (1: the token-transposed stream a ViT without prefix tokens carries in
// eager mode; 64: q, k or v with heads split from the tokens) into a contiguous tensor; value
// [GB/s] = 2 x bytes / time, as device_copy. params {bytes (as allocated), run_elements}.
ProbeRecord RunStridedCopyProbe(std::int64_t bytes, std::int64_t run_elements,
                                const ProbeContext& ctx);

// "gelu": torch::gelu (erf) of a [tokens, 3072] activation of about `bytes` (bf16 on a GPU, fp32
// on the CPU) into a new tensor; value [GB/s] = 2 x bytes / time, as device_copy, so that value
// over a device_copy's of the same size is how much of the streaming rate an erf-heavy
// elementwise kernel keeps (CUPTI: ViT GELU kernels stream at 0.76-0.92 of what the model
// assumes, docs/compiled-execution.md). params {bytes (as allocated)}.
ProbeRecord RunGeluProbe(std::int64_t bytes, const ProbeContext& ctx);

// "attention": scaled_dot_product_attention over [batch, 12 heads, tokens, 64] (bf16 on a GPU,
// fp32 on the CPU), with or without an additive [1, 12, tokens, tokens] bias broadcast over the
// batch (BEiT's relative position bias); value [TFLOP/s] = 4 batch heads tokens^2 64 / time.
// params {batch, tokens, bias}.
ProbeRecord RunAttentionProbe(std::int64_t batch, std::int64_t tokens, bool bias,
                              const ProbeContext& ctx);

// "h2d" / "d2h": value [GB/s] = bytes / time, one direction; params {bytes, host_memory, numa}.
// On a CUDA device: host buffer (pinned: async copy, pageable: staged) <-> device tensor. On the
// CPU there is no second memory: the probe times a host-to-host memcpy between two pageable
// buffers and says so in params (host_copy: true); pinned on the CPU is skipped.
enum class CopyDirection { h2d, d2h };
ProbeRecord RunTransferProbe(CopyDirection direction, std::int64_t bytes, HostMemory host_memory,
                             const ProbeContext& ctx);

// "staging": value [GB/s] = bytes / median time of one single-threaded memcpy of `bytes` from a
// pageable source into a staging buffer (pinned on a CUDA device, pageable on the CPU): the
// uint8 pipeline's host stage, copied the same way. The same source every repeat, as the
// pipeline restages one decoded batch, and `idle_ms` of sleep before each copy, as the
// sequential producer sleeps while the batch before it is copied and computed. With `h2d` (CUDA
// only) each copy is followed, untimed, by the staging buffer's copy to the device, as in the
// pipeline: the DMA reads the lines the memcpy left dirty, which changes what the next memcpy
// has to write back. params {bytes, idle_ms, h2d}.
ProbeRecord RunStagingProbe(std::int64_t bytes, double idle_ms, bool h2d, const ProbeContext& ctx);

// "launch": value [us] per kernel: kKernels tiny in-place adds on a 1-element tensor, timed
// together. eager: one host dispatch per op (on the CPU this is LibTorch's dispatch cost);
// graph: the same ops captured in a CUDA graph and replayed (skipped on the CPU); compiled:
// skipped (torch.compile is Python-only). params {execution, kernels}.
ProbeRecord RunLaunchProbe(ExecutionMode execution, const ProbeContext& ctx);

// [us] per launch of a tiny in-place add, eager, median of a few short device-timed runs (a few
// ms in all): the launch probe in miniature, taken around each pipeline point so that the
// record carries the host's dispatch speed at the time (PipelineRecord::host_launch_us).
double QuickLaunchUs(const Device& d);

// All of the above over the default shapes and sizes: matmul at bf16/fp16/tf32/fp32 (CUDA) or
// fp32/bf16 (CPU), device copy, h2d and d2h pinned and pageable, launch eager and graph.
std::vector<ProbeRecord> RunDefaultMicroProbes(const ProbeContext& ctx);

}  // namespace vitperf::measure
