#include "model/roofline.h"

#include <algorithm>
#include <cmath>

namespace vitperf {

DeviceRates RatesFor(const HardwareProfile& p, Precision precision) {
  const Architecture& a = p.architecture;
  const double clock = p.ClockFactor();
  // A precision without matrix units of its own runs its products at the fp32 rate.
  auto matrix_tflops = [&](Precision q) {
    return a.UnitFor(q) == MatrixUnit::tensor_core ? p.MatrixTflops(q)
                                                   : p.MatrixTflops(Precision::fp32);
  };
  const double fp32_vector = p.VectorTflops(Precision::fp32) * 1e12 * clock;
  DeviceRates r;
  r.matrix_flops_per_s = matrix_tflops(precision) * 1e12 * clock;
  r.vector_flops_per_s = p.VectorTflops(precision) * 1e12 * clock;
  r.memory_bytes_per_s = p.memory_bandwidth_gbs * 1e9;
  // The attention kernels ignore the TF32 setting (it applies to cuBLAS products only).
  const Precision attention = precision == Precision::tf32 ? Precision::fp32 : precision;
  r.attention_flops_per_s = matrix_tflops(attention) * 1e12 * clock;
  r.conv_flops_per_s = fp32_vector;
  r.simt_matmul_flops_per_s = fp32_vector;
  r.flash_attention = a.AttentionFor(precision) == AttentionBackend::flash;
  r.exp_per_s = fp32_vector * a.ExpPerFp32Flop();
  r.multiprocessors = p.multiprocessors;
  r.sm_cycles_per_s = fp32_vector / (2.0 * a.fp32_lanes_per_sm);
  r.tile_m = p.tile_m;
  r.tile_n = p.tile_n;
  r.host.copy_engines = p.copy_engines;
  r.host.memcpy_nontemporal_bytes = p.host_memcpy_nontemporal_bytes;
  return r;
}

double WaveEfficiency(const GemmShape& g, const DeviceRates& r) {
  return WaveEfficiency(g, r.tile_m, r.tile_n, r.multiprocessors);
}

double WaveEfficiency(const GemmShape& g, int tile_m, int tile_n, int multiprocessors) {
  if (g.count <= 0) return 1.0;
  const double tiles = std::ceil(g.m / tile_m) * std::ceil(g.n / tile_n) * g.count;
  // Below one wave the idle multiprocessors stay idle. Past it the last wave is charged for its
  // work, not as a whole wave: GEMM libraries come with a dense menu of tile shapes (cuBLAS's
  // token edge in steps of 8), so one of them nearly always fills the last wave (5-fold
  // held-out, whole waves against this: 5.84% against 5.75% and 7.02% against 6.55% on this
  // project's two calibrated GPUs, docs/accuracy.md).
  const double waves = std::max(tiles / multiprocessors, 1.0);
  // Tiles cut by the matrix edge do partial work: count only the useful fraction.
  const double useful = (g.m * g.n * g.count) / (static_cast<double>(tile_m) * tile_n);
  return useful / (waves * multiprocessors);
}

FlashTiling FlashAttentionTiling(const Operator& op, const DeviceRates& r) {
  const double tokens = op.gemm.m, head_dim = op.gemm.k, heads = op.gemm.count;
  FlashTiling f;
  f.key_blocks = std::ceil(tokens / kFlashTile);
  f.waves = std::max(std::ceil(f.key_blocks * heads / r.multiprocessors), 1.0);
  const double padded_head_dim = std::ceil(head_dim / 64) * 64;
  const double per_sm_matrix = r.attention_flops_per_s / r.multiprocessors;
  const double per_sm_exp = r.exp_per_s / r.multiprocessors;
  f.block_s = 4 * kFlashTile * kFlashTile * padded_head_dim / per_sm_matrix +
              kFlashTile * kFlashTile / per_sm_exp;
  return f;
}

double WholeWaves(const GemmShape& g, int tile_m, int tile_n, int multiprocessors) {
  const double tiles = std::ceil(g.m / tile_m) * std::ceil(g.n / tile_n) * std::max(g.count, 1.0);
  return std::max(std::ceil(tiles / multiprocessors), 1.0);
}

}  // namespace vitperf
