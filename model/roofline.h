// The roofline time model, written once and templated on the scalar type so that the
// predictor (double) and the Ceres fit (Jet) run the very same code.
#pragma once

#include <algorithm>
#include <cmath>

#include "model/coefficients.h"
#include "model/hardware_profile.h"
#include "model/operators.h"
#include "model/pipeline_options.h"
#include "model/regime.h"

namespace vitperf {

template <typename T>
T MaxOf(const T& a, const T& b) {
  return a > b ? a : b;
}
template <typename T>
T MinOf(const T& a, const T& b) {
  return a < b ? a : b;
}

// The profile's fixed rates for one precision, in SI units.
// What the pipeline needs to know of the GPU's host side besides the coefficients.
struct HostSide {
  int copy_engines = 2;  // 1: H2D and D2H share one engine
  // [bytes] one memcpy this size or larger uses streaming stores (glibc's
  // x86_non_temporal_threshold on the measured host); 0: unknown, never.
  double memcpy_nontemporal_bytes = 0;
};

struct DeviceRates {
  double matrix_flops_per_s = 0;
  double vector_flops_per_s = 0;
  double memory_bytes_per_s = 0;
  // [1/s] multiprocessor cycles: uncoalesced reads are issued by the SMs' load units, so their
  // rate follows SMs x clock rather than memory bandwidth.
  double sm_cycles_per_s = 0;
  // Fused attention: the matrix rate, except that fp32 tensors run the attention kernel at the
  // fp32 rate whatever the TF32 setting (TF32 applies to cuBLAS products only).
  double attention_flops_per_s = 0;
  // The patch-embedding convolution: cuDNN's kernels for a stride-equals-kernel conv on NCHW
  // input run at a share of the fp32 vector rate whatever the precision, the tensor-core ones
  // (limited by their serial tile walk, not by the tensor cores) included.
  double conv_flops_per_s = 0;
  // cuBLAS's SIMT GEMM fallback accumulates in fp32 on the CUDA cores: the fp32 vector rate.
  double simt_matmul_flops_per_s = 0;
  // The architecture's attention backend for the precision is flash (TimeFlashAttention); else
  // the memory-efficient kernel, timed as a rate times attention_efficiency.
  bool flash_attention = false;
  // [1/s] exponentials on the special-function units: the architecture's exponentials per clock
  // per multiprocessor over its fp32 lanes, times the fp32 FLOP rate (an FMA counts 2).
  double exp_per_s = 0;
  int multiprocessors = 1;
  int tile_m = 128, tile_n = 128;
  HostSide host;
};

DeviceRates RatesFor(const HardwareProfile& profile, Precision precision);

// Share of multiprocessor slots doing useful work: useful tiles over max(tiles, SMs), edge tiles
// counting their used part. This is what makes per-image time fall with batch size until the
// GPU saturates.
double WaveEfficiency(const GemmShape& g, const DeviceRates& r);
double WaveEfficiency(const GemmShape& g, int tile_m, int tile_n, int multiprocessors);

// The output tiles a GEMM library chooses among: the profile's (large) tile and smaller ones
// that fill more multiprocessors when the product is small.
struct TileCandidate {
  int m, n;
};
inline constexpr TileCandidate kSmallerTiles[] = {{128, 128}, {64, 128}, {64, 64}};

// Operand reuse of a tile: MACs per element loaded per inner step, m*n / (m + n) [elements].
inline double TileIntensity(int m, int n) { return static_cast<double>(m) * n / (m + n); }

// Best share of the matrix rate over the candidate tiles: wave efficiency times the tile's
// operand reuse relative to the profile's tile, I / (I + half) over I_ref / (I_ref + half). The
// library picks the fastest tile, so the model takes the best.
template <typename T>
T TiledEfficiency(const GemmShape& g, const DeviceRates& r, const T& intensity_half) {
  const double ref = TileIntensity(r.tile_m, r.tile_n);
  T best = T(WaveEfficiency(g, r));
  for (const TileCandidate& t : kSmallerTiles) {
    if (t.m * t.n >= r.tile_m * r.tile_n) continue;
    const double intensity = TileIntensity(t.m, t.n);
    const T reuse =
        (T(intensity) / (T(intensity) + intensity_half)) * ((T(ref) + intensity_half) / T(ref));
    best = MaxOf(best, T(WaveEfficiency(g, t.m, t.n, r.multiprocessors)) * reuse);
  }
  return best;
}

// Tile waves of one GEMM-like kernel that puts one tile on each multiprocessor at a time.
double WholeWaves(const GemmShape& g, int tile_m, int tile_n, int multiprocessors);

// The patch embedding's convolution, by the kernel cuDNN picks (model/conv_path.h). Each
// output tile walks the whole inner dimension (3 * patch^2) serially, which floors the time.
template <typename T>
T TimePatchConv(const Operator& op, const DeviceRates& r, CoefficientView<T> c) {
  const T tile_walk_s = T(op.gemm.k) * c[Coef::conv_tc_step_ns] * 1e-9;
  switch (op.conv_path) {
    case ConvPath::tensor_core:
      // Whole waves of 128x128 tiles, each walking the inner dimension (CUPTI: the kernel's time
      // steps with the wave count, docs/accuracy.md "patch convolution").
      return T(WholeWaves(op.gemm, 128, 128, r.multiprocessors)) * tile_walk_s;
    case ConvPath::implicit_gemm: {
      // Waves of 64x64 tiles at their own step; one wave costs what the tensor-core kernel's
      // does (CUPTI, docs/accuracy.md "patch convolution").
      const T waves_s = T(WholeWaves(op.gemm, 64, 64, r.multiprocessors)) * T(op.gemm.k) *
                        c[Coef::conv_gemm_step_ns] * 1e-9;
      return MaxOf(waves_s, tile_walk_s);
    }
    case ConvPath::precomputed_simt:
      // Large inputs only, so no serial floor: a share of the fp32 rate (the architecture's
      // conv_precomputed_efficiency, from the kernel's CUPTI rate).
      return T(op.flops / r.conv_flops_per_s) / c[Coef::conv_precomputed_efficiency];
    case ConvPath::simt:
      break;
  }
  // The SIMT kernel gathers each patch row from the NCHW image; wider rows (in bytes) slow it
  // (CUPTI: 32 B rows ran faster than 64 B rows, whatever the precision).
  const T efficiency =
      c[Coef::conv_efficiency] / (T(1.0) + T(op.conv_row_bytes) / c[Coef::conv_row_bytes_half]);
  return MaxOf(T(op.flops / r.conv_flops_per_s) / efficiency,
               T(op.gemm.k) * c[Coef::conv_step_ns] * 1e-9);
}

// Flash attention (cuDNN's or PyTorch's, where the architecture's backend is flash): one CTA
// per 128-query tile of one head, run in
// whole waves (the kernel has one tile size, unlike cuBLAS's menu), each walking the keys in
// 128-key blocks. A block costs two MMAs over the head dim padded to 64 and one exponential per
// score; the exponentials take as long as the MMAs at head dim 64, which is why 197 tokens (2
// key blocks, 256 padded) or head dim 80 (padded to 128) cost more than their FLOPs say. A CTA
// also pays a fixed setup (load Q, store O, fill the pipeline). CUPTI over 91 shapes: this
// tiling fits at 4.3% against 30-34% for FLOPs at a fitted rate (docs/accuracy.md).
inline constexpr double kFlashTile = 128;  // query rows per CTA and keys per block

struct FlashTiling {
  double waves = 0;       // whole waves of query-tile CTAs over the multiprocessors
  double key_blocks = 0;  // key blocks each CTA walks
  double block_s = 0;     // [s] one block at the peak rates: two MMAs and the exponentials
};
FlashTiling FlashAttentionTiling(const Operator& op, const DeviceRates& r);

template <typename T>
T TimeFlashAttention(const Operator& op, const DeviceRates& r, CoefficientView<T> c) {
  const FlashTiling f = FlashAttentionTiling(op, r);
  return T(f.waves) * (c[Coef::flash_tile_us] * 1e-6 +
                       T(f.key_blocks * f.block_s) / c[Coef::flash_attention_efficiency]);
}

template <typename T>
struct OperatorTime {
  T compute_s{};  // at the fitted share of the matrix or vector rate
  T memory_s{};   // minimum bytes at the fitted share of device bandwidth
  T time_s{};     // the larger of the two
  bool compute_bound = false;
};

template <typename T>
OperatorTime<T> TimeOperator(const Operator& op, const DeviceRates& r, CoefficientView<T> c) {
  OperatorTime<T> t;
  if (op.op_class == OpClass::elementwise) {
    t.compute_s = T(op.flops / r.vector_flops_per_s) / c[Coef::vector_efficiency];
  } else if (op.kind == OpKind::patch_embed) {
    t.compute_s = TimePatchConv(op, r, c);
  } else if (op.op_class == OpClass::matmul && op.gemm.simt) {
    // No tensor cores, so no tile or wave terms: a share of the fp32 rate (the architecture's
    // simt_matmul_efficiency, from a bmm probe).
    t.compute_s = T(op.flops / r.simt_matmul_flops_per_s) / c[Coef::simt_matmul_efficiency];
  } else if (op.op_class == OpClass::matmul) {
    // Short inner dimensions spend proportionally more time in the GEMM prologue/epilogue.
    const T k_share = T(op.gemm.k) / (T(op.gemm.k) + c[Coef::matmul_k_half]);
    const T base =
        op.gemm.aligned ? c[Coef::matmul_efficiency] : c[Coef::misaligned_matmul_efficiency];
    T efficiency = base * TiledEfficiency(op.gemm, r, c[Coef::tile_intensity_half]) * k_share;
    if (op.template_gemm) efficiency *= c[Coef::template_matmul_efficiency];
    t.compute_s = T(op.flops / r.matrix_flops_per_s) / efficiency;
  } else if (r.flash_attention) {
    t.compute_s = TimeFlashAttention(op, r, c);
  } else {
    // Fused attention, fp32 tensors: no k_share, its inner loops run over the keys, not the head
    // dim (and with the head dim 64 in nearly every ViT, a k_share would only trade off against
    // attention_efficiency).
    const T efficiency = c[Coef::attention_efficiency] * T(WaveEfficiency(op.gemm, r));
    t.compute_s = T(op.flops / r.attention_flops_per_s) / efficiency;
  }
  // A bias added to the scores takes the fused kernels onto slower variants (probe "attention").
  if (op.additive_bias) t.compute_s *= c[Coef::biased_attention_slowdown];
  // Non-contiguous reads (PyTorch's unvectorised kernels) move a measured number of bytes per
  // multiprocessor cycle, at most at the streaming rate.
  const T stream = T(r.memory_bytes_per_s) * c[Coef::memory_efficiency];
  auto read_rate = [&](Coef bytes_per_cycle) {
    const T rate = c[bytes_per_cycle] * T(r.sm_cycles_per_s);
    return rate < stream ? rate : stream;
  };
  const double contiguous_bytes = op.bytes - op.strided_read_bytes - op.transposed_read_bytes;
  // cuDNN's 3-channel NCHW->NHWC copies run at a rate per multiprocessor cycle, not a share of
  // the memory bandwidth (CUPTI, B/16 at batch 256: the same 257-266 GB/s on two GPUs of one
  // architecture whose memory bandwidths differ by 43%).
  t.memory_s =
      T(contiguous_bytes) /
      (op.kind == OpKind::conv_layout ? read_rate(Coef::conv_layout_bytes_per_sm_cycle) : stream);
  if (op.strided_read_bytes > 0)
    t.memory_s += T(op.strided_read_bytes) / read_rate(Coef::strided_read_bytes_per_sm_cycle);
  if (op.transposed_read_elements > 0) {
    // One load per element, at most at the streaming rate.
    const T element_s = T(op.transposed_read_elements) /
                        (c[Coef::transposed_read_elements_per_sm_cycle] * T(r.sm_cycles_per_s));
    const T streaming_s = T(op.transposed_read_bytes) / stream;
    t.memory_s += element_s > streaming_s ? element_s : streaming_s;
  }
  t.compute_bound = t.compute_s >= t.memory_s;
  t.time_s = t.compute_bound ? t.compute_s : t.memory_s;
  // Row reductions (LayerNorm, softmax) pay a latency per row that streaming does not hide.
  if (op.rows > 0) t.time_s += T(op.rows) * c[Coef::row_reduction_ns] * 1e-9;
  // Each dependent trip through device memory costs a latency that neither the matrix nor the
  // memory rate hides; at batch 1 it is most of a kernel (CUPTI: small GEMMs take the same few
  // microseconds whatever their k, several times their roofline time).
  t.time_s += T(DependentPasses(op)) * c[Coef::kernel_latency_us] * 1e-6;
  return t;
}

// Compiled code launches its kernels one by one, without a graph, at two costs (CUPTI and
// timing, rq3_compiled at batch 1: 62 library calls and 37 generated kernels take 1.7 ms under
// the default settings; max-autotune's 12 and 87 take 0.86 ms): a library call (cuBLAS GEMM,
// cuDNN conv or attention, through ATen's C shim) and a generated kernel's launch. The library
// runs a conv's layout copies inside its call.
template <typename T>
T CompiledDispatchSeconds(const OperatorList& ops, CoefficientView<T> c) {
  T s{};
  for (const Operator& op : ops) {
    if (op.kind == OpKind::conv_layout) continue;
    const bool library_call = op.op_class != OpClass::elementwise && !op.template_gemm;
    s += library_call ? T(op.repeat) * c[Coef::compiled_extern_us]
                      : T(op.repeat * op.kernels) * c[Coef::compiled_launch_us];
  }
  return s * 1e-6;
}

template <typename T>
struct ForwardTime {
  T device_s{};         // kernels plus the device's gaps between them
  T dispatch_s{};       // host time to issue the work (eager: per kernel; graph: one launch)
  T total_s{};          // the larger: the host can run ahead but not behind
  T compute_bound_s{};  // device time in compute-bound operators
  T memory_bound_s{};   // device time in memory-bound operators
  T gaps_s{};           // device idle between kernels
  T kernels_s{};        // device_s without the gaps: the kernels' summed durations (CUPTI's)
  T patch_conv_s{};     // the patch embedding's conv and layout copies (PatchConvKernelMs)
  T attention_s{};      // the fused attention kernels (FusedAttentionKernelMs)
  double kernels = 0;
  double host_ops = 0;
};

template <typename T>
ForwardTime<T> TimeForward(const OperatorList& ops, const DeviceRates& r, ExecutionMode mode,
                           CoefficientView<T> c) {
  ForwardTime<T> f;
  for (const Operator& op : ops) {
    const OperatorTime<T> t = TimeOperator(op, r, c);
    const T busy = t.time_s * op.repeat;
    (t.compute_bound ? f.compute_bound_s : f.memory_bound_s) += busy;
    if (op.kind == OpKind::patch_embed || op.kind == OpKind::conv_layout) f.patch_conv_s += busy;
    if (op.kind == OpKind::attn_fused) f.attention_s += busy;
    f.kernels += op.repeat * op.kernels;
    f.host_ops += op.repeat * op.host_ops;
  }
  // A captured graph's kernels follow each other faster than stream launches (CUPTI: a
  // fraction of a microsecond between a ViT graph's kernels at any batch, against one to three
  // when the same forward is launched eagerly), so each mode has its own gap.
  const Coef gap = mode == ExecutionMode::graph ? Coef::graph_kernel_gap_us : Coef::kernel_gap_us;
  f.gaps_s = T(f.kernels) * c[gap] * 1e-6;
  f.kernels_s = f.compute_bound_s + f.memory_bound_s;
  f.device_s = f.kernels_s + f.gaps_s;
  switch (mode) {
    case ExecutionMode::graph:
      f.dispatch_s = c[Coef::graph_launch_us] * 1e-6;
      break;
    case ExecutionMode::compiled:
      f.dispatch_s = CompiledDispatchSeconds(ops, c);
      break;
    case ExecutionMode::eager:
      f.dispatch_s = T(f.host_ops) * c[Coef::dispatch_us] * 1e-6;
      break;
  }
  f.total_s = MaxOf(f.device_s, f.dispatch_s);
  return f;
}

// Which resource bounds a forward pass.
template <typename T>
Regime ForwardRegime(const ForwardTime<T>& f) {
  if (f.dispatch_s > f.device_s) return Regime::overhead;
  if (f.gaps_s > f.compute_bound_s && f.gaps_s > f.memory_bound_s) return Regime::overhead;
  return f.compute_bound_s >= f.memory_bound_s ? Regime::compute : Regime::memory;
}

}  // namespace vitperf
