// How `vitperf validate` divided the records between a refit and the check: none (the profile
// as it stands), held-out configs by name, a held-out share of configs, k folds over configs,
// or a cross-GPU transfer (the profile calibrated on another GPU's data). Part of the
// ValidationOutcome; printed as one JSON object in the text and JSON outputs.
#pragma once

#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "model/enum_names.h"

namespace vitperf {

enum class SplitKind { none, holdout, holdout_fraction, kfold, cross_gpu };
template <>
struct EnumNames<SplitKind> {
  static constexpr const char* kField = "split";
  static constexpr std::array<std::pair<SplitKind, const char*>, 5> kNames{{
      {SplitKind::none, "none"},
      {SplitKind::holdout, "holdout"},
      {SplitKind::holdout_fraction, "holdout_fraction"},
      {SplitKind::kfold, "kfold"},
      {SplitKind::cross_gpu, "cross_gpu"},
  }};
};

struct ValidationSplit {
  SplitKind kind = SplitKind::none;
  // holdout: the config names held out, and the records on each side.
  std::vector<std::string> held_names;
  std::size_t fit_records = 0, test_records = 0;
  // holdout_fraction: the share asked and the configs it held; with kfold, the data's configs.
  double fraction = 0;
  std::size_t held_configs = 0;
  std::size_t configs = 0;
  int folds = 0;  // kfold
  // cross_gpu: the source GPU's profile, the two architectures, the source's records (pipeline
  // and probes) and its fit's error [fraction].
  std::string source, source_architecture, target_architecture;
  std::size_t source_records = 0;
  double source_fit_mape = 0;
};

// Only the fields of its kind: {"kind": "kfold", "folds": 5, "configs": 32}.
void to_json(nlohmann::json& j, const ValidationSplit& split);

}  // namespace vitperf
