// `validate` as a result: the report of predictions against measurements with the split, the
// host settings and the bounds checked; printed as tables or as JSON (schema
// vitperf.validation), and as JUnit XML for CI. The command line and the Python module both
// print through these.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "predict/validation.h"
#include "predict/validation_split.h"

namespace vitperf {

// One bound checked: --max-mape or --max-regret.
struct ValidationCheck {
  std::string name;
  double value = 0, bound = 0;  // [%]
  bool passed = true;
  std::string message;
};

struct ValidationOutcome {
  HardwareProfile profile;
  std::vector<std::string> data;  // the measurement files
  ValidationSplit split;
  std::vector<std::string> host_probes;  // host coefficients set from the data's probes
  bool host_state_from_data = false;
  std::string host_state_scope = "point";
  int runs_with_state = 0;  // runs whose median host state was used (scope "run")
  double near_best = 1.0;
  int pooled_repeats = 0;
  ValidationReport report;
  std::vector<ValidationCheck> checks;
  bool passed = true;
};

// Scores the inputs and checks the bounds given [%]. Throws std::invalid_argument for a bad
// bound or near_best, and when no input is an ok pipeline record (`records_read` says how many
// pipeline records the data held).
void ScoreValidation(const std::vector<ValidationInput>& inputs, size_t records_read,
                     std::optional<double> max_mape_pct, std::optional<double> max_regret_pct,
                     ValidationOutcome* outcome);

// "12 points: MAPE 4.10%, median APE 3.00%, max regret 0.00%"
std::string ValidationSummaryLine(const ValidationReport& report);

// `argv`: how the output was asked for, for the meta block.
nlohmann::json ValidationJson(const ValidationOutcome& outcome,
                              const std::vector<std::string>& argv);
void PrintValidation(std::ostream& out, const ValidationOutcome& outcome);
// The checks as JUnit XML test cases (the summary as one passing case when none was asked).
void WriteValidationJunit(const std::string& path, const ValidationOutcome& outcome);

}  // namespace vitperf
