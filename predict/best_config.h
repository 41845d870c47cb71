// The best configuration of a ViT inference pipeline on one GPU: an exhaustive search over batch,
// execution mode, precision, input format, host memory, stage overlap and NUMA binding, and the
// "what-if" table that ranks single optimisations against a plain baseline (which one first).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/evaluate.h"
#include "predict/batch_sweep.h"
#include "predict/cost.h"

namespace vitperf {

struct BestSearchOptions {
  SweepConstraints constraints;
  // Empty: bf16, fp16, tf32, fp32 (in that order: equal predictions keep the first, and bf16
  // is the study's default).
  std::vector<Precision> precisions;
  int top = 10;
  std::optional<HourlyPrice> price;
  // Stop the greedy path when no single change gains at least this much throughput.
  double min_step_gain = 0.01;
};

// One point of the search: the model at a precision, a pipeline, a batch, and its prediction.
struct Candidate {
  ViTConfig config;
  PipelineOptions options;
  Prediction prediction;
  double cost_per_million_usd = 0;  // NaN without a price
  bool meets_constraints = false;   // fits the memory limit and meets the p90 SLO
  // Remote NUMA priced with the coefficient's default factor: the profile was not calibrated
  // with NUMA-bound measurements, so the penalty shown is an assumption, not a measurement.
  bool numa_default_factor = false;
};

// One single change applied to a state, with its effect on throughput.
struct WhatIfStep {
  std::string change;  // "execution eager -> compiled"
  Candidate result;
  double gain = 0;        // throughput ratio over the state the change was applied to
  double total_gain = 0;  // throughput ratio over the baseline
};

// When compiling pays: the best compiled pipeline against the best one that needs no compile,
// and the images after which the compile time (median over the AOTInductor packages measured
// with this profile's calibration, fit.compile_s) is repaid by the faster pipeline.
struct CompileBreakEven {
  Candidate compiled, uncompiled;
  std::optional<double> compile_s;          // none: no compile time measured for this profile
  std::optional<double> break_even_images;  // none: compiling is not faster, or no compile time
};

// The break-even of the best compiled and uncompiled candidates in `ranked` (best first) that
// meet the constraints; nullopt when either is missing.
std::optional<CompileBreakEven> CompileBreakEvenOf(const std::vector<Candidate>& ranked,
                                                   const HardwareProfile& profile);

struct BestSearchResult {
  std::vector<Candidate> top;       // best first, identical predictions collapsed
  int pipelines = 0;                // precision x pipeline-option combinations searched
  int evaluations = 0;              // (combination, batch) points predicted
  int pipelines_without_batch = 0;  // no batch met the constraints
  bool numa_measured = false;
  Candidate baseline;                      // eager, fp32, pageable, float32, sequential, batch 1
  std::vector<WhatIfStep> single_changes;  // each change alone on the baseline, best first
  std::vector<WhatIfStep> greedy_path;     // largest gain first, applied cumulatively
  std::optional<CompileBreakEven> compile_break_even;
};

// True when the profile's fit constrained the remote-NUMA factor with data (a standard error);
// otherwise the architecture's constant stands.
bool NumaFactorMeasured(const HardwareProfile& profile);

// Compact label: "bf16 compiled uint8 pinned overlapped(q3) numa=none".
std::string DescribeCandidate(const Candidate& c);

// Throws std::invalid_argument when the constraints are malformed (non-positive SLO or limit).
BestSearchResult SearchBestConfigs(const ViTConfig& model, const HardwareProfile& profile,
                                   const BestSearchOptions& options);

void to_json(nlohmann::json& j, const Candidate& c);
void to_json(nlohmann::json& j, const WhatIfStep& s);
void to_json(nlohmann::json& j, const CompileBreakEven& b);

}  // namespace vitperf
