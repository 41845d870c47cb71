// `vitperf predict`: a table over batch sizes for one model, pipeline and GPU, the
// recommended batch, and a paragraph on the bottleneck.
#include <cmath>
#include <iostream>

#include "cli/commands.h"
#include "cli/model_flags.h"
#include "cli/run_meta.h"
#include "model/expected_error.h"
#include "model/parameter_count.h"
#include "predict/batch_sweep.h"
#include "predict/explain.h"
#include "predict/operator_breakdown.h"
#include "predict/prediction_interval.h"
#include "predict/text_table.h"

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

// The batch whose operators --operators lists: the recommended one, else the largest shown.
const Prediction& BreakdownRow(const BatchSweep& sweep) {
  return sweep.recommended ? sweep.rows[*sweep.recommended] : sweep.rows.back();
}

void PrintOperators(const ViTConfig& config, const PipelineOptions& options,
                    const HardwareProfile& profile, const Prediction& row) {
  const std::vector<OperatorCost> costs = BreakdownOperators(config, row.batch, options, profile);
  std::cout << "\noperators at batch " << row.batch
            << " (device time per forward pass, gaps and dispatch excluded):\n";
  TextTable table(
      {"operator", "x", "shape", "kernels", "GFLOP", "MB", "time [ms]", "share", "bound"});
  for (const OperatorCost& c : costs)
    table.AddRow({ToString(c.kind), Fixed(c.repeat, 0), c.shape, Fixed(c.kernels, 0),
                  Fixed(c.flops * 1e-9, 2), Fixed(c.bytes * 1e-6, 1), Fixed(c.time_s * 1e3, 3),
                  Fixed(100 * c.share, 1) + "%", ToString(c.bound)});
  table.Print(std::cout);
}

void PrintTable(const ViTConfig& config, const PipelineOptions& options,
                const HardwareProfile& profile, const BatchSweep& sweep) {
  const auto params = CountParameters(config).Total();
  std::cout << config.Label() << " on " << profile.display_name
            << (profile.calibrated ? " (calibrated profile)" : " (uncalibrated: datasheet profile)")
            << "\n";
  std::cout << "profile: " << DescribeExpectedError(profile, ExpectedErrorFor(profile)) << "\n";
  std::cout << "pipeline: " << DescribePipeline(options) << "\n";
  const Prediction& first = sweep.rows.front();
  std::cout << "params " << Si(static_cast<double>(params)) << ", weights "
            << Bytes(first.memory.weights_bytes) << ", "
            << Fixed(first.matmul_macs / first.batch * 1e-9, 2) << " GMAC/image, "
            << "largest batch that fits: "
            << (sweep.largest_fitting_unbounded
                    ? "more than " + std::to_string(sweep.largest_fitting_batch) +
                          " (not searched further)"
                    : std::to_string(sweep.largest_fitting_batch))
            << "\n\n";
  // Calibrated profiles carry coefficient errors: show throughput's one-sigma band.
  const bool band = profile.calibrated;
  std::vector<std::string> header{"batch", "p50 [ms]", "p90 [ms]", "img/s"};
  if (band) header.push_back("+-1sd");
  for (const char* h :
       {"memory", "host [ms]", "H2D [ms]", "compute [ms]", "D2H [ms]", "AI [FLOP/B]", "regime", ""})
    header.push_back(h);
  TextTable table(header);
  for (size_t i = 0; i < sweep.rows.size(); ++i) {
    const Prediction& p = sweep.rows[i];
    const bool mark = sweep.recommended && *sweep.recommended == static_cast<int>(i);
    std::vector<std::string> row{std::to_string(p.batch), Fixed(p.latency_p50_s * 1e3, 3),
                                 Fixed(p.latency_p90_s * 1e3, 3), Fixed(p.throughput_ips, 0)};
    if (band)
      row.push_back(
          Fixed(100 * PredictThroughputInterval(config, p.batch, options, profile).relative_sigma,
                1) +
          "%");
    for (std::string cell :
         {Bytes(p.memory.TotalBytes()),
          // The host stage: preprocessing or staging the batch (none when compute-only).
          options.compute_only ? std::string("-") : Fixed(p.preprocess_s * 1e3, 3),
          Fixed(p.h2d_s * 1e3, 3), Fixed(p.compute_s * 1e3, 3), Fixed(p.d2h_s * 1e3, 3),
          Fixed(p.arithmetic_intensity, 0), ToString(p.regime),
          std::string(mark ? "* recommended" : (p.fits ? "" : "! over memory limit"))})
      row.push_back(cell);
    table.AddRow(row);
  }
  table.Print(std::cout);
  if (band)
    std::cout << "+-1sd: throughput spread from the fitted coefficients' standard errors only; "
                 "the model's held-out error is larger (vitperf validate)\n";
  std::cout << "\n";
  if (sweep.recommended) {
    const Prediction& best = sweep.rows[*sweep.recommended];
    std::cout << "recommended batch: " << best.batch << " (" << sweep.recommendation_reason
              << ")\n\n";
    std::cout << ExplainBottleneck(config, options, profile, best) << "\n";
  } else {
    std::cout << "no recommended batch: " << sweep.recommendation_reason << "\n";
  }
}

void Run(const PredictFlags& f) {
  const ViTConfig config = ResolveModel(f.model);
  const PipelineOptions options = ResolvePipeline(f.pipeline);
  const HardwareProfile profile = ResolveGpu(f.gpu);
  SweepConstraints constraints;
  constraints.latency_slo_ms = f.latency_slo_ms;
  if (f.latency_slo_ms && !(*f.latency_slo_ms > 0 && std::isfinite(*f.latency_slo_ms)))
    throw std::invalid_argument(
        "latency-slo: must be a finite positive number of milliseconds (e.g. 50)");
  constraints.memory_limit_bytes = MemoryBudgetBytes(f.memory_limit_gib, profile);
  const std::vector<int> batches =
      f.batches.empty() ? std::vector<int>{} : ParseBatchList(f.batches);
  const BatchSweep sweep = SweepBatches(config, options, profile, batches, constraints);
  if (sweep.rows.empty())
    throw std::runtime_error("model does not fit in " + profile.display_name +
                             " memory even at batch 1");
  if (f.json) {
    nlohmann::json out = JsonEnvelope("predict", 1, &profile);
    out["config"] = config;
    out["options"] = options;
    out["parameters"] = CountParameters(config).Total();
    // A search limit is no answer: null, with the bound it is known to exceed.
    out["largest_fitting_batch"] = sweep.largest_fitting_unbounded
                                       ? nlohmann::json()
                                       : nlohmann::json(sweep.largest_fitting_batch);
    if (sweep.largest_fitting_unbounded)
      out["largest_fitting_batch_above"] = sweep.largest_fitting_batch;
    const ExpectedError expected = ExpectedErrorFor(profile);
    out["expected_error"] = {{"basis", expected.basis},
                             {"mape", expected.mape},
                             {"how", expected.how},
                             {"summary", DescribeExpectedError(profile, expected)}};
    out["rows"] = sweep.rows;
    if (profile.calibrated)
      for (size_t i = 0; i < sweep.rows.size(); ++i) {
        const auto band = PredictThroughputInterval(config, sweep.rows[i].batch, options, profile);
        out["rows"][i]["throughput_interval_ips"] = {{"low", band.low_ips},
                                                     {"high", band.high_ips}};
      }
    out["recommended_batch"] =
        sweep.recommended ? nlohmann::json(sweep.rows[*sweep.recommended].batch) : nlohmann::json();
    out["recommendation_reason"] = sweep.recommendation_reason;
    if (sweep.recommended)
      out["explanation"] =
          ExplainBottleneck(config, options, profile, sweep.rows[*sweep.recommended]);
    if (f.operators) {
      const Prediction& row = BreakdownRow(sweep);
      out["operators"] = {{"batch", row.batch},
                          {"rows", BreakdownOperators(config, row.batch, options, profile)}};
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  PrintTable(config, options, profile, sweep);
  if (f.operators) PrintOperators(config, options, profile, BreakdownRow(sweep));
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
