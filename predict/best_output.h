// `best` as a result: the best configurations of one model on one GPU, the single changes on a
// plain baseline and the greedy order of optimisations; printed as tables or as JSON (schema
// vitperf.best). The command line and the Python module both print through these.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/expected_error.h"
#include "predict/best_config.h"

namespace vitperf {

inline constexpr int kBestSchemaVersion = 1;

struct BestQuery {
  ViTConfig model;
  HardwareProfile profile;
  bool precision_given = false;  // search the model's precision only
  std::optional<double> latency_slo_ms, memory_limit_gib, price_per_hour;
  int top = 10;
};

struct BestResult {
  BestQuery query;
  std::optional<HourlyPrice> price;
  BestSearchResult search;
  // The held-out error of predictions like each of search.top (its execution mode and bound),
  // and of the compiled and uncompiled pipelines of the break-even: a ranking whose gaps are
  // inside these is no ranking to trust without measuring.
  std::vector<ExpectedError> top_expected_errors;
  std::optional<std::pair<ExpectedError, ExpectedError>> break_even_expected_errors;
};

// Throws std::invalid_argument naming the field for a bad constraint, price or top.
BestResult RunBest(BestQuery query);

// `argv`: how the output was asked for, for the meta block.
nlohmann::json BestJson(const BestResult& result, const std::vector<std::string>& argv);
void PrintBest(std::ostream& out, const BestResult& result);

}  // namespace vitperf
