#include "model/roofline.h"

#include <algorithm>
#include <cmath>

namespace vitperf {

DeviceRates RatesFor(const HardwareProfile& p, Precision precision) {
  DeviceRates r;
  r.matrix_flops_per_s = p.MatrixTflops(precision) * 1e12;
  r.vector_flops_per_s = p.VectorTflops(precision) * 1e12;
  r.memory_bytes_per_s = p.memory_bandwidth_gbs * 1e9;
  r.attention_flops_per_s =
      precision == Precision::tf32 ? p.MatrixTflops(Precision::fp32) * 1e12 : r.matrix_flops_per_s;
  r.conv_flops_per_s = p.VectorTflops(Precision::fp32) * 1e12;
  r.simt_matmul_flops_per_s = p.VectorTflops(Precision::fp32) * 1e12;
  r.flash_attention = precision == Precision::bf16 || precision == Precision::fp16;
  r.exp_per_s = p.VectorTflops(Precision::fp32) * 1e12 / 16;
  r.multiprocessors = p.multiprocessors;
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
  // work, not as a whole wave: cuBLAS's Hopper kernels come in a dense menu of tile shapes (the
  // token edge in steps of 8; CUPTI at 1576 rows: 128x72, 256x144, 192x144, 64x200), so one of
  // them nearly always fills the last wave (5-fold held-out with whole waves: H100 5.84%, H200
  // 7.02%; with this: 5.75%, 6.55%).
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
