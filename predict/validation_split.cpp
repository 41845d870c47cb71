#include "predict/validation_split.h"

namespace vitperf {

void to_json(nlohmann::json& j, const ValidationSplit& s) {
  j = {{"kind", ToString(s.kind)}};
  switch (s.kind) {
    case SplitKind::none:
      break;
    case SplitKind::holdout:
      j["configs"] = s.held_names;
      j["fit_records"] = s.fit_records;
      j["test_records"] = s.test_records;
      break;
    case SplitKind::holdout_fraction:
      j["fraction"] = s.fraction;
      j["held_configs"] = s.held_configs;
      j["configs"] = s.configs;
      break;
    case SplitKind::kfold:
      j["folds"] = s.folds;
      j["configs"] = s.configs;
      break;
    case SplitKind::cross_gpu:
      j["source"] = s.source;
      j["source_architecture"] = s.source_architecture;
      j["target_architecture"] = s.target_architecture;
      j["source_records"] = s.source_records;
      j["source_fit_mape"] = s.source_fit_mape;
      break;
  }
}

}  // namespace vitperf
