#include "predict/validation_run.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

#include "model/fnv1a.h"
#include "model/profile_transfer.h"
#include "model/repeated_points.h"
#include "model/run_host_state.h"
#include "model/run_selection.h"

namespace vitperf {
namespace {

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

// Coefficient names from a comma-separated list; `fitted`: the names must be fitted ones (for
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

ProfileRefitter::Options RefitOptions(const ValidateRequest& r) {
  ProfileRefitter::Options options;
  options.allow_device_mismatch = r.allow_device_mismatch;
  options.frozen = CoefficientList(r.freeze, "freeze", true);
  options.also_fitted = CoefficientList(r.free, "free", false);
  return options;
}

// Refits the profile on `fit_records` and predicts `test_records` with it.
std::vector<ValidationInput> FitAndPredict(const HardwareProfile& profile,
                                           const MeasurementSet& data,
                                           const std::vector<PipelineRecord>& fit_records,
                                           const std::vector<PipelineRecord>& test_records,
                                           const ValidateRequest& r,
                                           const ProfileRefitter* refitter) {
  if (!refitter)
    throw std::invalid_argument(
        "--holdout/--holdout-fraction/--kfold refit the profile, and this vitperf was built "
        "without Ceres (install libceres-dev and rebuild), or validate without a split");
  MeasurementSet fit_set;
  fit_set.provenance = data.provenance;
  fit_set.pipeline = fit_records;
  fit_set.probes = data.probes;
  ProfileRefitter::Options options = RefitOptions(r);
  HardwareProfile base = profile;
  if (r.freeze_at_default)
    for (Coef c : options.frozen) base.coefficients[c] = Info(c).default_value;
  // The whole data's median host state, so that every fold refers dispatch to the same one.
  const double reference_us = MedianHostLaunchUs(data.pipeline);
  options.host_launch_reference_us = reference_us;
  const ProfileRefitter::Fitted fitted = refitter->fit(base, fit_set, options);
  // A refit that failed would score the held-out points with meaningless coefficients.
  if (!fitted.unusable.empty())
    throw std::runtime_error(
        "validate: a refit of the split failed, so its held-out points have no score: " +
        fitted.unusable);
  return PredictRecords(test_records, fitted.profile, nullptr,
                        r.host_state_from_data ? reference_us : 0);
}

// The cross-GPU check in one go: fits `transfer_from` (a datasheet profile of the source GPU)
// to `transfer_data`, then moves the fitted coefficients onto `target` (the target GPU's
// datasheet). Returns the split record for the report.
ValidationSplit CalibrateAndTransfer(const ValidateRequest& r, const ProfileRefitter* refitter,
                                     HardwareProfile* target) {
  if (!refitter)
    throw std::invalid_argument(
        "transfer-from: calibrates the source GPU, and this vitperf was built without Ceres");
  HardwareProfile source = LoadProfile(r.transfer_from);
  MeasurementSet data;
  for (const auto& path : r.transfer_data) ReadMeasurements(path, &data);
  PoolRepeatedPoints(&data);
  refitter->adopt_host_threshold(data, &source);
  ProfileRefitter::Options options = RefitOptions(r);
  options.host_launch_reference_us = MedianHostLaunchUs(data.pipeline);
  const ProfileRefitter::Fitted fit = refitter->fit(source, data, options);
  source = fit.profile;
  source.calibrated = true;
  *target = TransferCoefficients(source, *target);
  ValidationSplit split;
  split.kind = SplitKind::cross_gpu;
  split.source = source.name;
  split.source_architecture = source.architecture_name;
  split.target_architecture = target->architecture_name;
  split.source_records = data.pipeline.size() + data.probes.size();
  split.source_fit_mape = fit.mape;
  return split;
}

// One warning when the data were measured on another device than the profile describes: the
// numbers then measure the gap between two GPUs, not the model (fit refuses such data).
void WarnForeignDevices(const MeasurementSet& data, const HardwareProfile& profile,
                        const ProfileRefitter& refitter, RunMessages* messages) {
  const std::vector<std::string> others = refitter.foreign_devices(data, profile);
  if (others.empty()) return;
  std::string list;
  for (const auto& o : others) list += (list.empty() ? "" : ", ") + o;
  messages->warnings.push_back("data measured on " + list + ", not on " + profile.name + " (" +
                               profile.display_name +
                               "): the error compares two devices (--allow-device-mismatch "
                               "silences this)");
}

}  // namespace

ValidationOutcome RunValidation(const ValidateRequest& f, const ProfileRefitter* refitter,
                                RunMessages* messages) {
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
  std::optional<ValidationSplit> transfer;
  if (!f.transfer_from.empty()) {
    if (!f.coefficients_from.empty() || splits > 0)
      throw std::invalid_argument(
          "transfer-from: calibrates its own source; drop --coefficients-from and "
          "--holdout/--holdout-fraction/--kfold");
    if (f.transfer_data.empty())
      throw std::invalid_argument("transfer-data: name the source GPU's measurement files");
    transfer = CalibrateAndTransfer(f, refitter, &profile);
  } else if (!f.transfer_data.empty()) {
    throw std::invalid_argument("transfer-data: applies with --transfer-from only");
  }

  MeasurementSet data;
  for (const auto& path : f.data) ReadMeasurements(path, &data);
  if (const std::string s = RejectionSummary(data); !s.empty()) messages->warnings.push_back(s);
  KeepRuns(f.runs, &data);
  if (refitter && !f.allow_device_mismatch) WarnForeignDevices(data, profile, *refitter, messages);
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
    if (refitter) {
      // The staging probes refit the host-staging coefficients (this host's cache, not the
      // fitted host's), with this host's streaming-store threshold.
      const std::string threshold_note = refitter->adopt_host_threshold(data, &profile);
      if (!threshold_note.empty()) messages->notes.push_back(threshold_note);
      for (const std::string& s : refitter->fit_host_staging(data.probes, &profile))
        host_set.push_back(s);
    }
    if (host_set.empty())
      throw std::invalid_argument(
          "host-probes-from-data: the data hold no ok launch (eager), pageable h2d/d2h or "
          "staging probe");
  }

  std::vector<ValidationInput> inputs;
  ValidationSplit split;
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
    inputs = FitAndPredict(profile, data, fit, test, f, refitter);
    split.kind = SplitKind::holdout;
    split.held_names.assign(names.begin(), names.end());
    split.fit_records = fit.size();
    split.test_records = test.size();
  } else if (f.holdout_fraction) {
    const std::vector<std::string> configs = ShuffledConfigs(data.pipeline);
    if (configs.size() < 2)
      throw std::invalid_argument("holdout-fraction: needs at least 2 configs, the data have " +
                                  std::to_string(configs.size()));
    const size_t n = std::clamp<size_t>(std::lround(*f.holdout_fraction * configs.size()), 1,
                                        configs.size() - 1);
    std::vector<PipelineRecord> fit, test;
    Split(data.pipeline, std::set<std::string>(configs.begin(), configs.begin() + n), &fit, &test);
    inputs = FitAndPredict(profile, data, fit, test, f, refitter);
    split.kind = SplitKind::holdout_fraction;
    split.fraction = *f.holdout_fraction;
    split.held_configs = n;
    split.configs = configs.size();
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
      auto part = FitAndPredict(profile, data, fit, test, f, refitter);
      inputs.insert(inputs.end(), part.begin(), part.end());
    }
    split.kind = SplitKind::kfold;
    split.folds = k;
    split.configs = configs.size();
  } else {
    double reference_us = 0;
    if (f.host_state_from_data) {
      // With --host-probes-from-data the dispatch cost already sits at this data's host, so the
      // points are referred to the data's own median state, not the fitted host's again.
      if (!f.host_probes_from_data) reference_us = ReferenceLaunchUs(profile, "point_launch_us");
      if (!(reference_us > 0)) reference_us = MedianHostLaunchUs(data.pipeline);
    }
    inputs = PredictRecords(data.pipeline, profile, nullptr, reference_us);
    if (transfer) split = *transfer;
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
  return outcome;
}

}  // namespace vitperf
