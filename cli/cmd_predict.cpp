// `vitperf predict`: a table over batch sizes for one model, pipeline and GPU, the
// recommended batch, and a paragraph on the bottleneck.
#include <iostream>

#include "cli/commands.h"
#include "cli/model_flags.h"
#include "cli/run_meta.h"
#include "predict/predict_output.h"

namespace vitperf::cli {
namespace {

struct PredictFlags {
  ModelFlags model;
  PipelineFlags pipeline;
  GpuFlags gpu;
  std::string batches;
  std::optional<double> latency_slo_ms;
  std::optional<double> memory_limit_gib;
  bool json = false;
  bool operators = false;
};

void Run(const PredictFlags& f) {
  PredictQuery q;
  q.config = ResolveModel(f.model);
  q.options = ResolvePipeline(f.pipeline, PipelineMode::overlapped);
  q.profile = ResolveGpu(f.gpu);
  q.latency_slo_ms = f.latency_slo_ms;
  q.memory_limit_gib = f.memory_limit_gib;
  if (!f.batches.empty()) q.batches = ParseBatchList(f.batches);
  q.operators = f.operators;
  const PredictResult result = RunPredict(std::move(q));
  if (f.json)
    std::cout << PredictJson(result, Invocation()).dump(2) << "\n";
  else
    PrintPredict(std::cout, result);
}

}  // namespace

void AddPredictCommand(CLI::App& app) {
  auto flags = std::make_shared<PredictFlags>();
  CLI::App* c = app.add_subcommand(
      "predict", "Predict latency, throughput, memory and the bottleneck over batch sizes");
  AddModelFlags(c, &flags->model);
  AddPipelineFlags(c, &flags->pipeline);
  AddGpuFlags(c, &flags->gpu);
  c->add_option(
      "--batch,-b", flags->batches,
      "batch sizes, e.g. 64 or 1,8,64 (default 1, 2, 4, ... up to the largest that fits)");
  c->add_option("--latency-slo", flags->latency_slo_ms,
                "p90 latency bound [ms] for the recommended batch");
  c->add_option("--memory-limit", flags->memory_limit_gib,
                "device memory budget [GiB] (default: the GPU's)");
  c->add_flag("--json", flags->json, "schema-versioned JSON instead of a table");
  c->add_flag("--operators", flags->operators,
              "also list the forward's operators at the recommended batch: shape, work, time, "
              "share and bound");
  c->footer("Example: vitperf predict --model vit_b16 --gpu h100 --batch 1,32,256");
  c->callback([flags] { Run(*flags); });
}

}  // namespace vitperf::cli
