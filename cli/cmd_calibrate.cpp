// `vitperf calibrate`: one command on a machine with a GPU - measure the `calibration`
// experiment, then fit the GPU's coefficients into a profile. Built when either half exists:
// without Ceres it stops after measuring and prints the `vitperf fit` line to finish elsewhere;
// without LibTorch it explains where to measure.
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_meta.h"
#include "cli/warnings.h"
#include "model/hardware_profile.h"
#include "model/output_file.h"
#include "model/repeated_points.h"
#ifdef VITPERF_HAVE_MEASURE
#include "measure/device.h"
#include "measure/experiment.h"
#include "measure/sweep_runner.h"
#endif
#ifdef VITPERF_HAVE_FIT
#include "fit/calibrate_profile.h"
#include "fit/calibration_output.h"
#endif

namespace vitperf::cli {
namespace {

struct CalibrateFlags {
  std::string device = "cuda:0";
  std::string output;
  std::string base;
  std::string experiment = "calibration";
  bool resume = false;
  bool allow_device_mismatch = false;
  bool json = false;
};

// my-gpu.json -> my-gpu.measurements.jsonl, beside the profile.
std::string MeasurementsPath(const std::string& output) {
  std::filesystem::path p(output);
  if (p.extension() == ".json") p.replace_extension();
  return p.string() + ".measurements.jsonl";
}

void RunCalibrate(const CalibrateFlags& f) {
  if (f.output.empty()) throw std::invalid_argument("-o/--output: name the profile to write");
  const std::string measurements = MeasurementsPath(f.output);
  if (!f.base.empty()) LoadProfile(f.base);  // a bad --base fails before any measuring
  // With --json, stdout carries one JSON document at the end and nothing else.
  std::ostringstream text;
  std::ostream& out = f.json ? static_cast<std::ostream&>(text) : std::cout;
  nlohmann::json report = JsonEnvelope("calibrate", 1);
  report["measurements"] = measurements;
#ifdef VITPERF_HAVE_MEASURE
  const measure::Device device = measure::ParseDevice(f.device);
  measure::SweepOptions options;
  options.device = device.ToString();
  options.output = measurements;
  options.resume = f.resume;
  options.argv = MetaBlock()["argv"].get<std::vector<std::string>>();
  measure::ExperimentSpec spec = measure::LoadExperiment(f.experiment);
  measure::ApplyOverrides({}, !device.cuda, &spec);
  std::vector<measure::PlannedPoint> points = measure::ExpandExperiment(spec, options.device);
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);
  std::cerr << "vitperf calibrate: measuring " << points.size() << " points of '" << spec.name
            << "' on " << options.device << " into " << measurements << "\n";
  measure::SweepRunner runner(std::move(spec), std::move(points), options,
                              measure::LibTorchProbeFunctions());
  const measure::SweepSummary summary = runner.Run();
  report["measured"] = summary;
  out << "measured: " << summary.Brief() << "\n"
      << "time in the probes: " << measure::FormatDuration(summary.measure_s) << " (wall "
      << measure::FormatDuration(summary.wall_s) << ")\n";
  if (summary.interrupted) {
    std::cerr << "vitperf calibrate: interrupted; run the same command with --resume to finish\n";
    throw ExitStatus{kExitCheckFailed};
  }
#else
  throw std::runtime_error(
      "calibrate: this vitperf was built without measure/ (LibTorch); on the GPU host run `vitperf "
      "calibrate` there, or `vitperf measure --experiment calibration -o " +
      measurements + "` and then `vitperf fit " + measurements + " --base NAME -o " + f.output +
      "` here");
#endif

#ifdef VITPERF_HAVE_FIT
  CalibrateRequest request;
  request.data = {measurements};
  request.base = f.base;
  request.device = f.device;
  request.output = f.output;
  request.options.observations.allow_device_mismatch = f.allow_device_mismatch;
  const CalibrationResult result =
      WithMessages([&](RunMessages* messages) { return CalibrateProfile(request, messages); });
  PrintCalibrateFit(out, result);
  AddCalibrateFitJson(result, &report);
#else
  const std::string next =
      "vitperf fit " + measurements + " --base " +
      (f.base.empty() ? std::string("<profile name, see `vitperf gpus`>") : f.base) + " -o " +
      f.output;
  out << "\nthis vitperf was built without Ceres, so the fit is left to do. On a machine "
         "with Ceres (libceres-dev), copy "
      << measurements << " and run:\n  " << next << "\n";
  report["output"] = nullptr;
  report["next"] = next;
#endif
  if (f.json) std::cout << report.dump(2) << "\n";
}

}  // namespace

void AddCalibrateCommand(CLI::App& app) {
  auto flags = std::make_shared<CalibrateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Measure the calibration probes on a device and fit its profile (one command)");
  cmd->add_option("--device", flags->device, "device to calibrate: cuda:N or cpu (cuda:0)");
  cmd->add_option("-o,--output", flags->output,
                  "profile to write (.json); measurements go to OUT.measurements.jsonl")
      ->required();
  cmd->add_option("--base", flags->base,
                  "profile to start from (default: the shipped profile matching the device)");
  cmd->add_option("--experiment", flags->experiment,
                  "experiment to measure (default: calibration, under 2 min on an H100)");
  cmd->add_flag("--resume", flags->resume, "continue an interrupted measurement file");
  cmd->add_flag("--allow-device-mismatch", flags->allow_device_mismatch,
                "fit even when the device does not match the base profile");
  cmd->add_flag("--json", flags->json,
                "print one JSON document (schema vitperf.calibrate) instead of the report");
  cmd->footer("Example:\n  vitperf calibrate --device cuda:0 -o my-gpu.json --base h100\n");
  cmd->callback([flags] { RunCalibrate(*flags); });
}

}  // namespace vitperf::cli
