// `vitperf validate`: predictions against measurements, point by point and in summary, with
// optional held-out configs (refitting on the rest, needs Ceres), bounds that set the exit
// status for CI, and JUnit XML.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_meta.h"
#include "cli/warnings.h"
#ifdef VITPERF_HAVE_FIT
#include "fit/fitted_profile.h"
#endif
#include "model/fnv1a.h"
#include "model/output_file.h"
#include "model/profile_transfer.h"
#include "model/repeated_points.h"
#include "model/run_host_state.h"
#include "model/run_selection.h"
#include "predict/text_table.h"
#include "predict/validation_output.h"
#ifdef VITPERF_HAVE_FIT
#include "fit/device_match.h"
#include "fit/fit_coefficients.h"
#include "fit/host_staging_fit.h"
#endif

namespace vitperf::cli {
namespace {

struct ValidateFlags {
  std::string profile;
  std::string coefficients_from;
  // Cross-GPU: calibrate this (datasheet) profile on these files, then predict --profile's GPU.
  std::string transfer_from;
  std::vector<std::string> transfer_data;
  std::string freeze, free;        // comma-separated coefficient names (ablation)
  bool freeze_at_default = false;  // frozen ones at the table's generic default, not the prior
  bool host_probes_from_data = false;
  bool host_state_from_data = false;
  std::string host_state_scope;  // empty: point
  std::vector<std::string> data;
  std::vector<std::string> runs;  // run ids kept from --data (none: every run)
  std::string holdout;
  std::optional<double> holdout_fraction;
  std::optional<int> kfold;
  std::optional<double> max_mape_pct;
  std::optional<double> max_regret_pct;
  double near_best = 1.0;
  std::string junit;
  bool allow_device_mismatch = false;
  bool json = false;
};

// Config keys in a fixed pseudo-random order (by hash), so splits are reproducible.
std::vector<std::string> ShuffledConfigs(const std::vector<PipelineRecord>& records) {
  std::set<std::string> keys;
  for (const auto& r : records) keys.insert(ConfigKey(r));
  std::vector<std::string> out(keys.begin(), keys.end());
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return Fnv1a64(a) != Fnv1a64(b) ? Fnv1a64(a) < Fnv1a64(b) : a < b;
  });
  return out;
}

// The records whose config key is in `held` go to the validation side, the rest to the fit.
void Split(const std::vector<PipelineRecord>& all, const std::set<std::string>& held,
           std::vector<PipelineRecord>* fit, std::vector<PipelineRecord>* test) {
  for (const auto& r : all) (held.count(ConfigKey(r)) ? test : fit)->push_back(r);
}

#ifdef VITPERF_HAVE_FIT
// Coefficient names from a comma-separated flag; `fitted`: the names must be fitted ones (for
// --freeze), else architecture constants (for --free).
std::vector<Coef> CoefficientList(const std::string& text, const char* flag, bool fitted) {
  std::vector<Coef> out;
  std::stringstream list(text);
  for (std::string name; std::getline(list, name, ',');) {
    if (name.empty()) continue;
    const auto c = CoefficientByName(name);
    if (!c || Info(*c).fitted() != fitted) {
      std::string accepted;
      for (const auto& info : CoefficientTable())
        if (info.fitted() == fitted)
          accepted += (accepted.empty() ? "" : ", ") + std::string(info.name);
      throw std::invalid_argument(std::string(flag) + ": '" + name + "' is not one of " + accepted);
    }
    out.push_back(*c);
  }
  return out;
}

FitOptions RefitOptions(const ValidateFlags& f) {
  FitOptions options;
  options.observations.allow_device_mismatch = f.allow_device_mismatch;
  options.frozen = CoefficientList(f.freeze, "freeze", true);
  options.also_fitted = CoefficientList(f.free, "free", false);
  return options;
}
#endif

std::vector<ValidationInput> FitAndPredict(const HardwareProfile& profile,
                                           const MeasurementSet& data,
                                           const std::vector<PipelineRecord>& fit_records,
                                           const std::vector<PipelineRecord>& test_records,
                                           const ValidateFlags& f) {
#ifdef VITPERF_HAVE_FIT
  MeasurementSet fit_set;
  fit_set.provenance = data.provenance;
  fit_set.pipeline = fit_records;
  fit_set.probes = data.probes;
  FitOptions options = RefitOptions(f);
  HardwareProfile base = profile;
  if (f.freeze_at_default)
    for (Coef c : options.frozen) base.coefficients[c] = Info(c).default_value;
  // The whole data's median host state, so that every fold refers dispatch to the same one.
  const double reference_us = MedianHostLaunchUs(data.pipeline);
  options.observations.host_launch_reference_us = reference_us;
  const FitResult result = FitCoefficients(base, fit_set, options);
  // A refit that failed would score the held-out points with meaningless coefficients.
  try {
    CheckFitUsable(result, "the refit's profile");
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("validate: a refit of the split failed, so its held-out "
                                         "points have no score: ") +
                             e.what());
  }
  HardwareProfile fitted = base;
  fitted.coefficients = result.coefficients;
  fitted.coefficient_errors = result.errors;
  return PredictRecords(test_records, fitted, nullptr, f.host_state_from_data ? reference_us : 0);
#else
  (void)profile, (void)data, (void)fit_records, (void)test_records, (void)f;
  throw std::invalid_argument(
      "--holdout/--holdout-fraction/--kfold refit the profile, and this vitperf was built without "
      "Ceres (install libceres-dev and rebuild), or validate without a split");
#endif
}

#ifdef VITPERF_HAVE_FIT
// One line when the data were measured on another device than the profile describes: the
// numbers then measure the gap between two GPUs, not the model (fit refuses such data).
void WarnDeviceMismatch(const MeasurementSet& data, const HardwareProfile& profile) {
  std::set<std::string> others;
  for (const auto& r : data.pipeline) {
    const std::string name = MeasuredDeviceName(r.provenance);
    if (!DeviceMatchesProfile(r.device, name, profile, nullptr))
      others.insert(name.empty() ? r.device : name);
  }
  if (others.empty()) return;
  std::string list;
  for (const auto& o : others) list += (list.empty() ? "" : ", ") + o;
  Warn("data measured on " + list + ", not on " + profile.name + " (" + profile.display_name +
       "): the error compares two devices (--allow-device-mismatch silences this)");
}
#endif

// The cross-GPU check in one command: fits --transfer-from (a datasheet profile of the source
// GPU) to --transfer-data, then moves the fitted coefficients onto --profile (the target GPU's
// datasheet). Returns the split record for the report.
nlohmann::json CalibrateAndTransfer(const ValidateFlags& f, HardwareProfile* target) {
#ifdef VITPERF_HAVE_FIT
  HardwareProfile source = LoadProfile(f.transfer_from);
  MeasurementSet data;
  for (const auto& path : f.transfer_data) ReadMeasurements(path, &data);
  PoolRepeatedPoints(&data);
  AdoptDataHostThreshold(data, &source);
  FitOptions options = RefitOptions(f);
  options.observations.host_launch_reference_us = MedianHostLaunchUs(data.pipeline);
  const FitResult fit = FitCoefficients(source, data, options);
  source.coefficients = fit.coefficients;
  source.coefficient_errors = fit.errors;
  source.calibrated = true;
  *target = TransferCoefficients(source, *target);
  return {{"kind", "cross_gpu"},
          {"source", source.name},
          {"source_architecture", source.architecture_name},
          {"target_architecture", target->architecture_name},
          {"source_records", data.pipeline.size() + data.probes.size()},
          {"source_fit_mape", fit.mape}};
#else
  (void)f, (void)target;
  throw std::invalid_argument(
      "transfer-from: calibrates the source GPU, and this vitperf was built without Ceres");
#endif
}

void RunValidate(const ValidateFlags& f) {
  const int splits = !f.holdout.empty() + f.holdout_fraction.has_value() + f.kfold.has_value();
  if (splits > 1)
    throw std::invalid_argument("--holdout, --holdout-fraction and --kfold: use at most one");
  if (f.host_probes_from_data && splits > 0)
    throw std::invalid_argument(
        "host-probes-from-data: applies without a refit; drop "
        "--holdout/--holdout-fraction/--kfold");
  if (f.holdout_fraction && !(*f.holdout_fraction > 0 && *f.holdout_fraction < 1))
    throw std::invalid_argument("holdout-fraction: must be between 0 and 1 (exclusive)");
  if (f.max_mape_pct && !(*f.max_mape_pct >= 0))
    throw std::invalid_argument("max-mape: must be a non-negative percentage");
  if (f.max_regret_pct && !(*f.max_regret_pct >= 0))
    throw std::invalid_argument("max-regret: must be a non-negative percentage");
  if (!(f.near_best > 0 && f.near_best <= 1))
    throw std::invalid_argument("near-best: must be in (0, 1]");
  HardwareProfile profile = LoadProfile(f.profile);
  if (!f.coefficients_from.empty())
    profile = TransferCoefficients(LoadProfile(f.coefficients_from), profile);
  nlohmann::json transfer;
  if (!f.transfer_from.empty()) {
    if (!f.coefficients_from.empty() || splits > 0)
      throw std::invalid_argument(
          "transfer-from: calibrates its own source; drop --coefficients-from and "
          "--holdout/--holdout-fraction/--kfold");
    if (f.transfer_data.empty())
      throw std::invalid_argument("transfer-data: name the source GPU's measurement files");
    transfer = CalibrateAndTransfer(f, &profile);
  } else if (!f.transfer_data.empty()) {
    throw std::invalid_argument("transfer-data: applies with --transfer-from only");
  }

  MeasurementSet data;
  for (const auto& path : f.data) ReadMeasurements(path, &data);
  if (const std::string s = RejectionSummary(data); !s.empty()) Warn(s);
  KeepRuns(f.runs, &data);
#ifdef VITPERF_HAVE_FIT
  if (!f.allow_device_mismatch) WarnDeviceMismatch(data, profile);
#endif
  HostStateScope scope = HostStateScope::point;
  if (!f.host_state_scope.empty()) {
    scope = ParseEnumOrThrow<HostStateScope>(f.host_state_scope);
    if (!f.host_state_from_data)
      throw std::invalid_argument("host-state-scope: applies with --host-state-from-data only");
  }
  // Before pooling, which averages a point's runs (and so their states).
  const int runs_with_state =
      scope == HostStateScope::run ? UseRunMedianHostLaunch(&data.pipeline) : 0;
  const int pooled_repeats = PoolRepeatedPoints(&data);
  if (f.host_state_from_data && !(MedianHostLaunchUs(data.pipeline) > 0))
    throw std::invalid_argument(
        "host-state-from-data: no ok record in the data carries host_launch_us (measured by "
        "vitperf measure since 2026-11-24)");
  std::vector<std::string> host_set;
  if (f.host_probes_from_data) {
    host_set = ApplyHostProbes(data.probes, &profile, MedianHostLaunchUs(data.pipeline));
#ifdef VITPERF_HAVE_FIT
    // The staging probes refit the host-staging coefficients (this host's cache, not the
    // fitted host's), with this host's streaming-store threshold.
    const std::string threshold_note = AdoptDataHostThreshold(data, &profile);
    if (!threshold_note.empty()) std::cerr << threshold_note << "\n";
    for (const std::string& s : FitHostStaging(data.probes, &profile)) host_set.push_back(s);
#endif
    if (host_set.empty())
      throw std::invalid_argument(
          "host-probes-from-data: the data hold no ok launch (eager), pageable h2d/d2h or "
          "staging probe");
  }

  std::vector<ValidationInput> inputs;
  nlohmann::json split = {{"kind", "none"}};
  if (!f.holdout.empty()) {
    std::set<std::string> names, held;
    std::stringstream list(f.holdout);
    for (std::string name; std::getline(list, name, ',');)
      if (!name.empty()) names.insert(name);
    std::set<std::string> known;
    for (const auto& r : data.pipeline) {
      known.insert(r.config.name);
      if (names.count(r.config.name)) held.insert(ConfigKey(r));
    }
    for (const auto& n : names)
      if (!known.count(n)) {
        std::string all;
        for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
        throw std::invalid_argument("holdout: no config named '" + n +
                                    "' in the data (names: " + all + ")");
      }
    std::vector<PipelineRecord> fit, test;
    Split(data.pipeline, held, &fit, &test);
    inputs = FitAndPredict(profile, data, fit, test, f);
    split = {{"kind", "holdout"},
             {"configs", std::vector<std::string>(names.begin(), names.end())},
             {"fit_records", fit.size()},
             {"test_records", test.size()}};
  } else if (f.holdout_fraction) {
    const std::vector<std::string> configs = ShuffledConfigs(data.pipeline);
    if (configs.size() < 2)
      throw std::invalid_argument("holdout-fraction: needs at least 2 configs, the data have " +
                                  std::to_string(configs.size()));
    const size_t n = std::clamp<size_t>(std::lround(*f.holdout_fraction * configs.size()), 1,
                                        configs.size() - 1);
    std::vector<PipelineRecord> fit, test;
    Split(data.pipeline, std::set<std::string>(configs.begin(), configs.begin() + n), &fit, &test);
    inputs = FitAndPredict(profile, data, fit, test, f);
    split = {{"kind", "holdout_fraction"},
             {"fraction", *f.holdout_fraction},
             {"held_configs", n},
             {"configs", configs.size()}};
  } else if (f.kfold) {
    const std::vector<std::string> configs = ShuffledConfigs(data.pipeline);
    const int k = *f.kfold;
    if (k < 2 || k > static_cast<int>(configs.size()))
      throw std::invalid_argument("kfold: must be between 2 and the number of configs (" +
                                  std::to_string(configs.size()) + ")");
    for (int fold = 0; fold < k; ++fold) {
      std::set<std::string> held;
      for (size_t i = fold; i < configs.size(); i += k) held.insert(configs[i]);
      std::vector<PipelineRecord> fit, test;
      Split(data.pipeline, held, &fit, &test);
      auto part = FitAndPredict(profile, data, fit, test, f);
      inputs.insert(inputs.end(), part.begin(), part.end());
    }
    split = {{"kind", "kfold"}, {"folds", k}, {"configs", configs.size()}};
  } else {
    double reference_us = 0;
    if (f.host_state_from_data) {
      // With --host-probes-from-data the dispatch cost already sits at this data's host, so the
      // points are referred to the data's own median state, not the fitted host's again.
      if (!f.host_probes_from_data) reference_us = ReferenceLaunchUs(profile, "point_launch_us");
      if (!(reference_us > 0)) reference_us = MedianHostLaunchUs(data.pipeline);
    }
    inputs = PredictRecords(data.pipeline, profile, nullptr, reference_us);
    if (!transfer.is_null()) split = transfer;
  }

  ValidationOutcome outcome;
  outcome.profile = profile;
  outcome.data = f.data;
  outcome.split = split;
  outcome.host_probes = host_set;
  outcome.host_state_from_data = f.host_state_from_data;
  outcome.host_state_scope = ToString(scope);
  outcome.runs_with_state = runs_with_state;
  outcome.near_best = f.near_best;
  outcome.pooled_repeats = pooled_repeats;
  ScoreValidation(inputs, data.pipeline.size(), f.max_mape_pct, f.max_regret_pct, &outcome);
  if (!f.junit.empty()) WriteValidationJunit(f.junit, outcome);
  if (f.json)
    std::cout << ValidationJson(outcome, Invocation()).dump(2) << "\n";
  else
    PrintValidation(std::cout, outcome);
  if (!outcome.passed) throw ExitStatus{kExitCheckFailed};
}

}  // namespace

void AddValidateCommand(CLI::App& app) {
  auto flags = std::make_shared<ValidateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Compare a profile's predictions with measurements; fail when a bound is exceeded");
  cmd->add_option("--profile", flags->profile,
                  "profile: a name (see `vitperf gpus`) or a .json file")
      ->required();
  cmd->add_option("--data", flags->data, "measurement files (JSONL)")->required();
  cmd->add_option("--run", flags->runs,
                  "keep only these runs of --data (run ids, as in the records' provenance.run_id; "
                  "repeatable)");
  cmd->add_option("--coefficients-from", flags->coefficients_from,
                  "predict with another (calibrated) profile's coefficients moved onto --profile's "
                  "datasheet: the cross-GPU check");
  cmd->add_option("--transfer-from", flags->transfer_from,
                  "cross-GPU check: calibrate this datasheet profile (the source GPU) on "
                  "--transfer-data, then predict --profile's GPU from its datasheet and the "
                  "source's fitted coefficients");
  cmd->add_option("--transfer-data", flags->transfer_data,
                  "the source GPU's measurement files (JSONL), with --transfer-from");
  cmd->add_option("--freeze", flags->freeze,
                  "comma-separated fitted coefficients held at the profile's value in a refit "
                  "(what each buys held out)");
  cmd->add_flag("--freeze-at-default", flags->freeze_at_default,
                "hold --freeze's coefficients at the coefficient table's generic default (a GPU "
                "whose architecture has no measured priors) instead of the profile's value");
  cmd->add_option("--free", flags->free,
                  "comma-separated architecture constants fitted in a refit as if they were the "
                  "GPU's own");
  cmd->add_flag("--host-probes-from-data", flags->host_probes_from_data,
                "move the host side to the host that ran the data: pageable copy rates from its "
                "probes, host CPU costs (dispatch, sync, ...) scaled by its launch probes "
                "(per-point ones when both sides have them), staging copy rates and cache refitted "
                "to its staging probes; the GPU side stays the profile's");
  cmd->add_flag("--host-state-from-data", flags->host_state_from_data,
                "scale each eager point's dispatch by the host speed recorded with it "
                "(host_launch_us, relative to the profile's reference state): the model's error "
                "with the host's drift taken out");
  cmd->add_option("--host-state-scope", flags->host_state_scope,
                  "with --host-state-from-data: point (each point's own recorded state, the "
                  "default) or run (its run's median: the host's speed during the run known, its "
                  "drift within the run not)");
  cmd->add_option("--holdout", flags->holdout,
                  "comma-separated config names (e.g. vit_l16) kept out of a refit and validated "
                  "(needs Ceres)");
  cmd->add_option("--holdout-fraction", flags->holdout_fraction,
                  "share of configs (a config: everything but the batch) held out of a refit");
  cmd->add_option("--kfold", flags->kfold, "K-fold cross-validation over configs (refits K times)");
  cmd->add_option("--max-mape", flags->max_mape_pct, "[%] exit 1 when the MAPE exceeds this");
  cmd->add_option("--max-regret", flags->max_regret_pct,
                  "[%] exit 1 when the worst best-batch regret (batches compared over the runs "
                  "that measured both) exceeds this");
  cmd->add_option("--near-best", flags->near_best,
                  "the model picks the smallest batch within this share of its best throughput "
                  "(1.0: its best; 0.95: what `vitperf best` picks)");
  cmd->add_option("--junit", flags->junit, "write a JUnit XML report (one testcase per check)");
  cmd->add_flag("--allow-device-mismatch", flags->allow_device_mismatch,
                "let a refit use points from a device other than the profile's");
  cmd->add_flag("--json", flags->json, "print JSON (schema vitperf.validation)");
  cmd->footer(
      "Examples:\n  vitperf validate --profile my-h100.json --data h100.jsonl --max-mape 15\n"
      "  vitperf validate --profile h100 --data h100.jsonl --kfold 5 --junit validate.xml\n"
      "  vitperf validate --profile data/hardware/h200.json --data h200.jsonl \\\n"
      "      --transfer-from data/hardware/h100-sxm.json --transfer-data h100.jsonl\n"
      "Exit status: 0 within bounds, 1 a bound exceeded, 2 bad input.");
  cmd->callback([flags] { RunValidate(*flags); });
}

}  // namespace vitperf::cli
