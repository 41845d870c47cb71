// The answers: `best` (which configuration, and which optimisation first), `regimes` (what
// bounds where), `laws` (RQ1/RQ2 scaling laws, checked against data) and `report` (plots).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/model_flags.h"
#include "cli/run_meta.h"
#include "cli/warnings.h"
#include "model/measurement_record.h"
#include "model/presets.h"
#include "model/repeated_points.h"
#include "predict/batch_sweep.h"
#include "predict/best_output.h"
#include "predict/int_list.h"
#include "predict/laws_output.h"
#include "predict/laws_tables.h"
#include "predict/measured_laws.h"
#include "predict/regime_map.h"
#include "predict/regimes_output.h"
#include "predict/report.h"
#include "predict/scaling_laws.h"
#include "predict/text_table.h"

namespace vitperf::cli {
namespace {

constexpr int kSchemaVersion = 1;
// Largest value of a regimes axis (batch, depth, width, resolution, patch).
constexpr int kMaxAxisValue = 1 << 24;

// A tolerance, band or fraction flag: finite and inside its range, or one line naming both.
void CheckFinitePositive(const char* field, double value) {
  if (value > 0 && std::isfinite(value)) return;
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  throw std::invalid_argument(std::string(field) + ": " + text +
                              " is not accepted (a finite number above 0)");
}

MeasurementSet ReadAll(const std::vector<std::string>& paths) {
  MeasurementSet data;
  for (const auto& path : paths) ReadMeasurements(path, &data);
  if (const std::string s = RejectionSummary(data); !s.empty()) Warn(s);
  PoolRepeatedPoints(&data);
  return data;
}

// ---- best ----

struct BestFlags {
  ModelFlags model;
  GpuFlags gpu;
  std::optional<double> latency_slo_ms, memory_limit_gib, price_per_hour;
  int top = 10;
  bool json = false;
};

void RunBest(const BestFlags& f) {
  BestQuery q;
  q.model = ResolveModel(f.model);
  q.profile = ResolveGpu(f.gpu);
  q.precision_given = !f.model.precision.empty();
  q.latency_slo_ms = f.latency_slo_ms;
  q.memory_limit_gib = f.memory_limit_gib;
  q.price_per_hour = f.price_per_hour;
  q.top = f.top;
  const BestResult result = RunBest(std::move(q));
  if (f.json)
    std::cout << BestJson(result, Invocation()).dump(2) << "\n";
  else
    PrintBest(std::cout, result);
}

// ---- regimes ----

struct RegimeFlags {
  ModelFlags model;
  PipelineFlags pipeline;
  GpuFlags gpu;
  std::string x = "batch", y = "resolution", x_values, y_values, plot;
  int batch = 1;
  bool json = false;
};

void RunRegimes(const RegimeFlags& f) {
  const ViTConfig model = ResolveModel(f.model);
  const PipelineOptions options = ResolvePipeline(f.pipeline);
  const HardwareProfile profile = ResolveGpu(f.gpu);
  const RegimeAxis x = ParseEnumOrThrow<RegimeAxis>(f.x, "x");
  const RegimeAxis y = ParseEnumOrThrow<RegimeAxis>(f.y, "y");
  if (f.batch < 1) throw std::invalid_argument("batch: must be a positive integer");
  const std::vector<int> xs =
      f.x_values.empty() ? DefaultAxisValues(x)
                         : ParsePositiveIntList(f.x_values, "x-values", kMaxAxisValue, "1,8,64");
  const std::vector<int> ys =
      f.y_values.empty()
          ? DefaultAxisValues(y)
          : ParsePositiveIntList(f.y_values, "y-values", kMaxAxisValue, "224,512,1024");
  RegimesResult result{model,
                       options,
                       profile,
                       f.batch,
                       ComputeRegimeMap(model, f.batch, options, profile, x, xs, y, ys),
                       ""};

  if (!f.plot.empty()) {
    const std::filesystem::path path(f.plot);
    const std::string dir = path.has_parent_path() ? path.parent_path().string() : ".";
    std::filesystem::create_directories(dir);
    const PlotSpec spec =
        RegimeMapPlot(result.map, dir, path.stem().string(),
                      "Bounding regime, " + model.Label() + ", " + profile.display_name + "\n" +
                          DescribePipeline(options));
    std::string message;
    result.plot_note =
        RenderPlot(dir, spec, &message)
            ? "plot: " + (std::filesystem::path(dir) / (path.stem().string() + ".png")).string()
            : "plot not rendered: " + message;
  }
  if (f.json)
    std::cout << RegimesJson(result, Invocation()).dump(2) << "\n";
  else
    PrintRegimes(std::cout, result);
}

// ---- laws ----

struct LawsFlags {
  GpuFlags gpu;
  PipelineFlags pipeline;
  std::string precision = "bf16", reference = "vit_b16";
  std::vector<std::string> data;
  bool check = false, json = false;
  double tolerance = kDefaultLawTolerance;
  double saturation = 0.8;
  int crossover_batch = 64, grid_resolution = 224;
  std::optional<double> latency_slo_ms;
};

LawsOptions ResolveLawsOptions(const PipelineOptions& pipeline, const std::string& precision,
                               const std::string& reference, double saturation, int crossover_batch,
                               int grid_resolution, std::optional<double> latency_slo_ms) {
  LawsOptions o;
  o.pipeline = pipeline;
  o.precision = ParseEnumOrThrow<Precision>(precision);
  PresetByName(reference);  // throws on an unknown name, with the closest ones
  o.reference_model = reference;
  if (!(saturation > 0 && saturation <= 1))
    throw std::invalid_argument("saturation: must be a fraction in (0, 1]");
  o.saturation_fraction = saturation;
  if (crossover_batch < 1) throw std::invalid_argument("crossover-batch: must be positive");
  o.crossover_batch = crossover_batch;
  for (int p : o.patches)
    if (grid_resolution < 1 || grid_resolution % p != 0)
      throw std::invalid_argument(
          "grid-res: must be a positive multiple of every grid patch "
          "(8, 16, 32)");
  o.grid_resolution = grid_resolution;
  if (latency_slo_ms) CheckFinitePositive("latency-slo", *latency_slo_ms);
  o.constraints.latency_slo_ms = latency_slo_ms;
  return o;
}

void RunLaws(const LawsFlags& f) {
  CheckFinitePositive("tolerance", f.tolerance);
  const HardwareProfile profile = ResolveGpu(f.gpu);
  const LawsOptions o =
      ResolveLawsOptions(ResolvePipeline(f.pipeline), f.precision, f.reference, f.saturation,
                         f.crossover_batch, f.grid_resolution, f.latency_slo_ms);
  if (f.check && f.data.empty())
    throw std::invalid_argument("check: needs measurements (--data FILE.jsonl)");
  const LawsResult result =
      vitperf::RunLaws(profile, o, f.data, ReadAll(f.data), f.tolerance, f.check);
  if (f.json)
    std::cout << LawsJson(result, Invocation()).dump(2) << "\n";
  else
    PrintLaws(std::cout, result);
  if (f.check && !result.CheckPassed()) throw ExitStatus{kExitCheckFailed};
}

// ---- report ----

struct ReportFlags {
  std::string profile = "h100", out, model = "vit_b16", precision = "bf16";
  PipelineFlags pipeline;
  std::vector<std::string> data;
  double band = 0.2, tolerance = kDefaultLawTolerance;
  bool json = false;
};

void RunReport(const ReportFlags& f) {
  CheckFinitePositive("tolerance", f.tolerance);
  const HardwareProfile profile = LoadProfile(f.profile);
  if (f.out.empty()) throw std::invalid_argument("output: give a folder with -o DIR");
  if (!(f.band > 0 && f.band < 1)) throw std::invalid_argument("band: must be in (0, 1)");
  PresetByName(f.model);
  ReportOptions o;
  o.out_dir = f.out;
  o.model = f.model;
  o.pipeline = ResolvePipeline(f.pipeline);
  o.error_band = f.band;
  o.law_tolerance = f.tolerance;
  o.laws = ResolveLawsOptions(o.pipeline, f.precision, "vit_b16", 0.8, 64, 224, std::nullopt);
  o.data_paths = f.data;
  const nlohmann::json argv = MetaBlock()["argv"];
  for (const auto& a : argv)
    o.invocation += (o.invocation.empty() ? "" : " ") + a.get<std::string>();
  const MeasurementSet data = ReadAll(f.data);
  const ReportResult r = WriteReport(profile, data, o);
  if (f.json) {
    nlohmann::json j = JsonEnvelope("report", kSchemaVersion, &profile);
    j["report"] = r.report_path;
    j["images"] = r.images;
    j["plots"] = r.plot_stems;
    j["rendered"] = r.rendered;
    j["messages"] = r.messages;
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "wrote " << r.report_path << " with " << r.plot_stems.size() << " plots";
  if (r.rendered)
    std::cout << " (" << r.images.size() << " PNG/SVG images)\n";
  else
    std::cout << "\n";
  for (const auto& m : r.messages) std::cout << "note: " << m << "\n";
}

}  // namespace

void AddAnswerCommands(CLI::App& app) {
  {
    auto f = std::make_shared<BestFlags>();
    CLI::App* c = app.add_subcommand(
        "best",
        "Best configuration: search batch x execution x precision x input x host memory "
        "x overlap x NUMA, and which optimisation to do first");
    AddModelFlags(c, &f->model);
    AddGpuFlags(c, &f->gpu);
    c->add_option("--latency-slo", f->latency_slo_ms, "p90 latency limit per batch [ms]");
    c->add_option("--memory-limit", f->memory_limit_gib, "device memory budget [GiB]");
    c->add_option("--price-per-hour", f->price_per_hour,
                  "GPU price [USD/h] for cost per million images (default: the profile's)");
    c->add_option("--top", f->top, "configurations to list")->capture_default_str();
    c->add_flag("--json", f->json, "machine-readable output (schema vitperf.best)");
    c->footer(
        "--precision restricts the search to one precision; otherwise fp32, tf32, fp16 "
        "and bf16 are all searched.");
    c->callback([f] { RunBest(*f); });
  }
  {
    auto f = std::make_shared<RegimeFlags>();
    CLI::App* c = app.add_subcommand(
        "regimes", "Bounding regime (compute/memory/transfer/overhead/preprocess) over two axes");
    AddModelFlags(c, &f->model);
    AddPipelineFlags(c, &f->pipeline);
    AddGpuFlags(c, &f->gpu);
    c->add_option("--x", f->x, "column axis: batch, depth, width, resolution or patch")
        ->capture_default_str();
    c->add_option("--y", f->y, "row axis: batch, depth, width, resolution or patch")
        ->capture_default_str();
    c->add_option("--x-values", f->x_values, "column values, e.g. 1,8,64 (default: a wide grid)");
    c->add_option("--y-values", f->y_values, "row values, e.g. 224,512,1024");
    c->add_option("--batch", f->batch, "batch when neither axis is batch")->capture_default_str();
    c->add_option("--plot", f->plot, "also draw a heat-map FILE.png (and .svg) with gnuplot");
    c->add_flag("--json", f->json, "machine-readable output (schema vitperf.regimes)");
    c->callback([f] { RunRegimes(*f); });
  }
  {
    auto f = std::make_shared<LawsFlags>();
    CLI::App* c = app.add_subcommand(
        "laws",
        "Scaling laws (RQ1 architecture, RQ2 resolution) from the model, and checked "
        "against measurements");
    AddGpuFlags(c, &f->gpu);
    AddPipelineFlags(c, &f->pipeline);
    c->add_option("--precision,-p", f->precision, "fp32, tf32, fp16 or bf16")
        ->capture_default_str();
    c->add_option("--reference", f->reference, "model for the resolution laws")
        ->capture_default_str();
    c->add_option("--grid-res", f->grid_resolution, "resolution of the architecture grid [px]")
        ->capture_default_str();
    c->add_option("--saturation", f->saturation,
                  "saturated when batch-1 TFLOP/s reaches this share of the large-batch value")
        ->capture_default_str();
    c->add_option("--crossover-batch", f->crossover_batch,
                  "batch at which the H2D = compute crossover resolution is solved")
        ->capture_default_str();
    c->add_option("--latency-slo", f->latency_slo_ms, "p90 limit for the optimal batch [ms]");
    c->add_option("--data", f->data, "measured JSONL dataset(s): fit each law they support");
    c->add_flag("--check", f->check,
                "exit 1 when a measured law's exponent departs from the predicted one by more "
                "than --tolerance (or when the data supports no law)");
    c->add_option("--tolerance", f->tolerance,
                  "largest allowed |measured - predicted| power-law exponent (absolute; time "
                  "vs resolution exponents run 2 to 4)")
        ->capture_default_str();
    c->add_flag("--json", f->json, "machine-readable output (schema vitperf.laws)");
    c->callback([f] { RunLaws(*f); });
  }
  {
    auto f = std::make_shared<ReportFlags>();
    CLI::App* c = app.add_subcommand(
        "report",
        "Write DIR/report.md with roofline, batch, accuracy, scaling-law and regime "
        "plots (PNG + SVG via gnuplot; data and scripts always written)");
    c->add_option("--profile,--gpu", f->profile, "hardware profile name or JSON file")
        ->capture_default_str();
    c->add_option("--data", f->data, "measured JSONL dataset(s) to place on the plots");
    c->add_option("-o,--out", f->out, "output folder")->required();
    c->add_option("--model,-m", f->model, "model whose operators go on the roofline")
        ->capture_default_str();
    c->add_option("--precision,-p", f->precision, "fp32, tf32, fp16 or bf16")
        ->capture_default_str();
    AddPipelineFlags(c, &f->pipeline);
    c->add_option("--band", f->band, "relative error band on the predicted-vs-measured plot")
        ->capture_default_str();
    c->add_option("--tolerance", f->tolerance, "exponent tolerance for the measured laws table")
        ->capture_default_str();
    c->add_flag("--json", f->json, "machine-readable summary (schema vitperf.report)");
    c->callback([f] { RunReport(*f); });
  }
}

}  // namespace vitperf::cli
