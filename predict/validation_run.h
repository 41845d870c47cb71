// The whole of `vitperf validate` as one call: the profile (with coefficients moved from
// another GPU, or calibrated on a source GPU's data and transferred), the data read and
// pooled, the host side moved to the data's host when asked, the records split (held-out
// configs, a held-out fraction, or k folds, each refitted on the rest), every test record
// predicted and scored, and the bounds checked. Returns the complete ValidationOutcome for the
// printers in predict/validation_output.h.
//
// Refits need Ceres, which lives in fit/ above this library: the caller hands them in as a
// ProfileRefitter (fit/validation_refit.h makes one), so that a build without Ceres still
// validates a profile as it stands.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/hardware_profile.h"
#include "model/measurement_record.h"
#include "predict/run_messages.h"
#include "predict/validation_output.h"

namespace vitperf {

struct ValidateRequest {
  std::string profile;            // a name (see `vitperf gpus`) or a .json file
  std::vector<std::string> data;  // measurement files (JSONL)
  std::vector<std::string> runs;  // run ids kept from `data` (none: every run)
  // Cross-GPU: predict with this (calibrated) profile's coefficients on `profile`'s datasheet.
  std::string coefficients_from;
  // Cross-GPU in one go: calibrate this (datasheet) profile of the source GPU on
  // `transfer_data`, then move its fitted coefficients onto `profile`.
  std::string transfer_from;
  std::vector<std::string> transfer_data;
  // Ablation in a refit: comma-separated fitted coefficients held at the profile's value (or
  // at the table's generic default), and architecture constants fitted as the GPU's own.
  std::string freeze, free;
  bool freeze_at_default = false;
  bool host_probes_from_data = false;
  bool host_state_from_data = false;
  std::string host_state_scope;  // point (empty: the default) or run
  // At most one split, each refitting the profile on the records it does not hold out:
  std::string holdout;                                 // comma-separated config names
  std::optional<double> holdout_fraction;              // share of configs, in (0, 1)
  std::optional<int> kfold;                            // folds over configs
  std::optional<double> max_mape_pct, max_regret_pct;  // [%] the bounds checked
  double near_best = 1.0;
  bool allow_device_mismatch = false;
};

// The fits a validation may need, done with Ceres by fit/.
struct ProfileRefitter {
  struct Options {
    std::vector<Coef> frozen;       // held at the base profile's value
    std::vector<Coef> also_fitted;  // architecture constants fitted as the GPU's own
    bool allow_device_mismatch = false;
    double host_launch_reference_us = 0;  // the host state dispatch costs refer to
  };
  struct Fitted {
    HardwareProfile profile;  // the base with the fitted coefficients and their errors
    double mape = 0;          // [fraction] of the fit set
    // Why the fit must not be used (the solver did not converge, a value is not finite); empty
    // when it may.
    std::string unusable;
  };
  std::function<Fitted(const HardwareProfile& base, const MeasurementSet& data, const Options&)>
      fit;
  // The data's streaming-store threshold adopted into the profile; returns a note or "".
  std::function<std::string(const MeasurementSet& data, HardwareProfile* profile)>
      adopt_host_threshold;
  // The host-staging coefficients refitted to the staging probes; "name=value" for each set.
  std::function<std::vector<std::string>(const std::vector<ProbeRecord>& probes,
                                         HardwareProfile* profile)>
      fit_host_staging;
  // The devices the data were measured on that the profile does not describe (sorted).
  std::function<std::vector<std::string>(const MeasurementSet& data,
                                         const HardwareProfile& profile)>
      foreign_devices;
};

// `refitter`: null in a build without Ceres (a split or a transfer then throws, saying so).
// Throws std::invalid_argument for a bad request or unusable data; `messages` receives what
// reading skipped and what was adopted from the data, also when it throws.
ValidationOutcome RunValidation(const ValidateRequest& request, const ProfileRefitter* refitter,
                                RunMessages* messages);

}  // namespace vitperf
