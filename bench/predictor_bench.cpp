// How many (config, batch) predictions one core makes per second. Target: >= 1,000,000/s, so
// the whole research grid (patch x depth x width x resolution x batch) is answered at once.
#include <benchmark/benchmark.h>

#include "model/evaluate.h"
#include "model/hardware_profile.h"
#include "model/presets.h"

namespace {

using namespace vitperf;

void BM_PredictOnePoint(benchmark::State& state) {
  const HardwareProfile profile = LoadProfile("h100");
  const ViTConfig config = PresetByName("vit_b16");
  PipelineOptions options;
  int batch = 1;
  for (auto _ : state) {
    Prediction p = Evaluate(config, batch, options, profile);
    benchmark::DoNotOptimize(p);
    batch = batch == 1024 ? 1 : batch * 2;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PredictOnePoint);

// The study grid of DESIGN.md: patch {8,16,32} x depth {6,12,18,24} x width {384..1280} x
// resolution {256..2048} x batch {1..1024}: 3*4*4*4*11 = 2112 predictions per iteration.
void BM_PredictResearchGrid(benchmark::State& state) {
  const HardwareProfile profile = LoadProfile("h100");
  PipelineOptions options;
  long long predictions = 0;
  for (auto _ : state) {
    for (int patch : {8, 16, 32})
      for (int depth : {6, 12, 18, 24})
        for (int width : {384, 768, 1024, 1280})
          for (int res : {256, 512, 1024, 2048}) {
            ViTConfig c;
            c.patch = patch;
            c.depth = depth;
            c.dim = width;
            c.heads = width / 64;
            c.image_height = c.image_width = res;
            for (int batch = 1; batch <= 1024; batch *= 2) {
              Prediction p = Evaluate(c, batch, options, profile);
              benchmark::DoNotOptimize(p);
              ++predictions;
            }
          }
  }
  state.SetItemsProcessed(predictions);
}
BENCHMARK(BM_PredictResearchGrid)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
