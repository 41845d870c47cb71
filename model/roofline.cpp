#include "model/roofline.h"

namespace vitperf {

DeviceRates RatesFor(const HardwareProfile& p, Precision precision) {
  DeviceRates r;
  r.matrix_flops_per_s = p.MatrixTflops(precision) * 1e12;
  r.vector_flops_per_s = p.VectorTflops(precision) * 1e12;
  r.memory_bytes_per_s = p.memory_bandwidth_gbs * 1e9;
  r.multiprocessors = p.multiprocessors;
  r.tile_m = p.tile_m;
  r.tile_n = p.tile_n;
  r.copy_engines = p.copy_engines;
  return r;
}

double WaveEfficiency(const GemmShape& g, const DeviceRates& r) {
  if (g.count <= 0) return 1.0;
  const double tiles =
      std::ceil(g.m / r.tile_m) * std::ceil(g.n / r.tile_n) * g.count;
  const double waves = std::ceil(tiles / r.multiprocessors);
  // Tiles cut by the matrix edge do partial work: count only the useful fraction.
  const double useful = (g.m * g.n * g.count) / (static_cast<double>(r.tile_m) * r.tile_n);
  return useful / (waves * r.multiprocessors);
}

}  // namespace vitperf
