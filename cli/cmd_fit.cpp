// `vitperf fit`: fits a hardware profile's coefficients to measurements and writes the
// calibrated profile.
#include <iostream>

#include "cli/commands.h"
#include "cli/run_meta.h"
#include "cli/warnings.h"
#include "fit/calibrate_profile.h"
#include "fit/calibration_output.h"

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
  CalibrateRequest request;
  request.data = f.data;
  request.runs = f.runs;
  request.base = f.base;
  request.output = f.output;
  request.options.loss = ParseEnumOrThrow<RobustLoss>(f.loss);
  request.options.loss_scale = f.loss_scale;
  request.options.prior_weight = f.prior_weight;
  request.options.observations.allow_device_mismatch = f.allow_device_mismatch;
  request.options.observations.latency_ratios = !f.no_latency;
  request.options.observations.peak_memory = !f.no_memory;
  const CalibrationResult result =
      WithMessages([&](RunMessages* messages) { return CalibrateProfile(request, messages); });
  if (f.json)
    std::cout << FitJson(result, Invocation()).dump(2) << "\n";
  else
    PrintFit(std::cout, result);
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
