// `vitperf fit`: fits a hardware profile's coefficients to measurements and writes the
// calibrated profile.
#include <iostream>

#include "cli/commands.h"
#include "cli/run_meta.h"
#include "cli/warnings.h"
#include "fit/fit_report.h"
#include "fit/fitted_profile.h"
#include "fit/host_staging_fit.h"
#include "model/output_file.h"
#include "model/repeated_points.h"
#include "model/run_selection.h"

namespace vitperf::cli {
namespace {

struct FitFlags {
  std::vector<std::string> data;
  std::vector<std::string> runs;  // run ids kept (none: every run)
  std::string base;
  std::string output;
  std::string loss = "cauchy";
  double loss_scale = 0.1;
  double prior_weight = 0.01;
  bool allow_device_mismatch = false;
  bool no_latency = false;
  bool no_memory = false;
  bool json = false;
};

void RunFit(const FitFlags& f) {
  if (f.data.empty()) throw std::invalid_argument("data: name at least one measurement file");
  if (f.output.empty()) throw std::invalid_argument("-o/--output: name the profile to write");
  FitOptions options;
  options.loss = ParseEnumOrThrow<RobustLoss>(f.loss);
  options.loss_scale = f.loss_scale;
  options.prior_weight = f.prior_weight;
  options.observations.allow_device_mismatch = f.allow_device_mismatch;
  options.observations.latency_ratios = !f.no_latency;
  options.observations.peak_memory = !f.no_memory;
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);
  HardwareProfile base = LoadProfile(f.base);

  MeasurementSet data;
  const std::vector<FitInput> inputs = ReadInputs(f.data, &data);
  if (const std::string s = RejectionSummary(data); !s.empty()) Warn(s);
  KeepRuns(f.runs, &data);
  const int pooled_repeats = PoolRepeatedPoints(&data);
  const std::string host_note = AdoptDataHostThreshold(data, &base);
  if (!host_note.empty()) std::cerr << host_note << "\n";
  options.observations.host_launch_reference_us = MedianHostLaunchUs(data.pipeline);
  const FitResult result = FitCoefficients(base, data, options);
  CheckFitUsable(result, f.output);
  HardwareProfile fitted =
      MakeFittedProfile(base, result, inputs, options, data.probes, data.pipeline);
  if (!f.runs.empty()) fitted.fit["runs"] = f.runs;
  WriteCalibrationFile(fitted, f.output);

  if (f.json) {
    nlohmann::json j = JsonEnvelope("fit", 1, &fitted);
    j["output"] = f.output;
    j["pooled_repeats"] = pooled_repeats;
    j["fit"] = fitted.fit;
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "fitted " << base.name << " (" << base.display_name << ") to " << f.data.size()
            << " file(s)\n";
  if (pooled_repeats > 0)
    std::cout << pooled_repeats
              << " repeated measurement(s) pooled into their points (long-run averages)\n";
  PrintFitReport(std::cout, result);
  std::cout << "wrote " << f.output << "\n";
}

}  // namespace

void AddFitCommand(CLI::App& app) {
  auto flags = std::make_shared<FitFlags>();
  CLI::App* cmd = app.add_subcommand(
      "fit",
      "Fit a hardware profile's coefficients to measurements (JSONL from `vitperf measure`)");
  cmd->add_option("data", flags->data, "measurement files (JSONL)")->required();
  cmd->add_option("--run", flags->runs,
                  "fit only these runs of the data (run ids, as in the records' provenance.run_id; "
                  "repeatable)");
  cmd->add_option("--base", flags->base,
                  "profile to start from: a name (see `vitperf gpus`) or a .json file")
      ->required();
  cmd->add_option("-o,--output", flags->output, "calibrated profile to write (.json)")->required();
  cmd->add_option("--loss", flags->loss,
                  "robust loss: cauchy (default; ignores gross outliers), huber, none");
  cmd->add_option("--loss-scale", flags->loss_scale,
                  "residual [log units] beyond which the loss stops growing quadratically (0.1)");
  cmd->add_option("--prior-weight", flags->prior_weight,
                  "weight of the pull toward datasheet values (0.01; 0 disables)");
  cmd->add_flag("--allow-device-mismatch", flags->allow_device_mismatch,
                "fit points measured on a device other than the base profile's");
  cmd->add_flag("--no-latency", flags->no_latency, "do not fit the latency p90/p99 factors");
  cmd->add_flag("--no-memory", flags->no_memory,
                "do not fit activation_memory_factor to allocator peaks");
  cmd->add_flag("--json", flags->json, "print the fit provenance as JSON (schema vitperf.fit)");
  cmd->footer(
      "Example:\n  vitperf fit h100.jsonl --base h100 -o my-h100.json\n"
      "Exit status: 0 written, 1 failure, 2 bad input (no usable points, device mismatch).");
  cmd->callback([flags] { RunFit(*flags); });
}

}  // namespace vitperf::cli
