#include "predict/predict_output.h"

#include <cmath>
#include <ostream>
#include <stdexcept>

#include "model/expected_error.h"
#include "model/parameter_count.h"
#include "predict/execution_basis.h"
#include "predict/explain.h"
#include "predict/json_envelope.h"
#include "predict/model_request.h"
#include "predict/operator_breakdown.h"
#include "predict/prediction_interval.h"
#include "predict/text_table.h"

namespace vitperf {
namespace {

// The batch whose operators are listed: the recommended one, else the largest shown.
const Prediction& BreakdownRow(const BatchSweep& sweep) {
  return sweep.recommended ? sweep.rows[*sweep.recommended] : sweep.rows.back();
}

void PrintOperators(std::ostream& out, const OperatorBreakdownAtBatch& breakdown) {
  out << "\noperators at batch " << breakdown.batch
      << " (device time per forward pass, gaps and dispatch excluded):\n";
  TextTable table(
      {"operator", "x", "shape", "kernels", "GFLOP", "MB", "time [ms]", "share", "bound"});
  for (const OperatorCost& c : breakdown.operators)
    table.AddRow({ToString(c.kind), Fixed(c.repeat, 0), c.shape, Fixed(c.kernels, 0),
                  Fixed(c.flops * 1e-9, 2), Fixed(c.bytes * 1e-6, 1), Fixed(c.time_s * 1e3, 3),
                  Fixed(100 * c.share, 1) + "%", ToString(c.bound)});
  table.Print(out);
}

}  // namespace

PredictResult RunPredict(PredictQuery query) {
  if (query.latency_slo_ms && !(*query.latency_slo_ms > 0 && std::isfinite(*query.latency_slo_ms)))
    throw std::invalid_argument(
        "latency-slo: must be a finite positive number of milliseconds (e.g. 50)");
  SweepConstraints constraints;
  constraints.latency_slo_ms = query.latency_slo_ms;
  constraints.memory_limit_bytes = MemoryBudgetBytes(query.memory_limit_gib, query.profile);
  PredictResult result;
  result.query = std::move(query);
  const PredictQuery& q = result.query;
  result.sweep = SweepBatches(q.config, q.options, q.profile, q.batches, constraints);
  if (result.sweep.rows.empty())
    throw std::runtime_error("model does not fit in " + q.profile.display_name +
                             " memory even at batch 1");
  result.parameters = CountParameters(q.config).Total();
  result.expected_error = ExpectedErrorFor(q.profile);
  result.expected_error_summary = DescribeExpectedError(q.profile, result.expected_error);
  result.execution_caveat = ExecutionModeCaveat(q.profile, q.options);
  for (const Prediction& row : result.sweep.rows)
    result.row_expected_errors.push_back(
        ExpectedErrorForRow(q.profile, result.expected_error, q.options.execution, row.regime));
  // Calibrated profiles carry coefficient errors: throughput's one-sigma band per row.
  if (q.profile.calibrated)
    for (const Prediction& row : result.sweep.rows)
      result.intervals.push_back(
          PredictThroughputInterval(q.config, row.batch, q.options, q.profile));
  if (result.sweep.recommended)
    result.explanation = ExplainBottleneck(q.config, q.options, q.profile,
                                           result.sweep.rows[*result.sweep.recommended]);
  if (q.operators) {
    const int batch = BreakdownRow(result.sweep).batch;
    result.breakdown =
        OperatorBreakdownAtBatch{batch, BreakdownOperators(q.config, batch, q.options, q.profile)};
  }
  return result;
}

nlohmann::json PredictJson(const PredictResult& result, const std::vector<std::string>& argv) {
  const PredictQuery& q = result.query;
  const BatchSweep& sweep = result.sweep;
  nlohmann::json out = JsonEnvelope("predict", kPredictSchemaVersion, argv, &q.profile);
  out["config"] = q.config;
  out["options"] = q.options;
  out["parameters"] = result.parameters;
  // A search limit is no answer: null, with the bound it is known to exceed.
  out["largest_fitting_batch"] = sweep.largest_fitting_unbounded
                                     ? nlohmann::json()
                                     : nlohmann::json(sweep.largest_fitting_batch);
  if (sweep.largest_fitting_unbounded)
    out["largest_fitting_batch_above"] = sweep.largest_fitting_batch;
  const ExpectedError& expected = result.expected_error;
  out["expected_error"] = {{"basis", expected.basis},
                           {"mape", expected.mape},
                           {"how", expected.how},
                           {"summary", result.expected_error_summary}};
  if (result.execution_caveat) out["execution_caveat"] = *result.execution_caveat;
  out["rows"] = sweep.rows;
  for (size_t i = 0; i < result.intervals.size(); ++i) {
    const ThroughputInterval& band = result.intervals[i];
    out["rows"][i]["throughput_interval_ips"] = {{"low", band.low_ips}, {"high", band.high_ips}};
  }
  for (size_t i = 0; i < result.row_expected_errors.size(); ++i) {
    const ExpectedError& e = result.row_expected_errors[i];
    out["rows"][i]["expected_error"] = {
        {"mape", e.mape},
        {"case", e.case_name.empty() ? nlohmann::json() : nlohmann::json(e.case_name)},
        {"points", e.case_points}};
  }
  out["recommended_batch"] =
      sweep.recommended ? nlohmann::json(sweep.rows[*sweep.recommended].batch) : nlohmann::json();
  out["recommendation_reason"] = sweep.recommendation_reason;
  if (sweep.recommended) out["explanation"] = result.explanation;
  if (result.breakdown)
    out["operators"] = {{"batch", result.breakdown->batch}, {"rows", result.breakdown->operators}};
  return out;
}

void PrintPredict(std::ostream& out, const PredictResult& result) {
  const ViTConfig& config = result.query.config;
  const PipelineOptions& options = result.query.options;
  const HardwareProfile& profile = result.query.profile;
  const BatchSweep& sweep = result.sweep;
  out << config.Label() << " on " << profile.display_name
      << (profile.calibrated ? " (calibrated profile)" : " (uncalibrated: datasheet profile)")
      << "\n";
  out << "profile: " << result.expected_error_summary << "\n";
  out << "pipeline: " << DescribePipeline(options) << "\n";
  if (result.execution_caveat) out << "note: " << *result.execution_caveat << "\n";
  const Prediction& first = sweep.rows.front();
  out << "params " << Si(static_cast<double>(result.parameters)) << ", weights "
      << Bytes(first.memory.weights_bytes) << ", "
      << Fixed(first.matmul_macs / first.batch * 1e-9, 2) << " GMAC/image, "
      << "largest batch that fits: "
      << (sweep.largest_fitting_unbounded
              ? "more than " + std::to_string(sweep.largest_fitting_batch) +
                    " (not searched further)"
              : std::to_string(sweep.largest_fitting_batch))
      << "\n\n";
  // Calibrated profiles carry coefficient errors: show throughput's one-sigma band.
  const bool band = !result.intervals.empty();
  std::vector<std::string> header{"batch", "p50 [ms]", "p90 [ms]", "img/s", "held-out"};
  if (band) header.push_back("+-1sd");
  for (const char* h :
       {"memory", "host [ms]", "H2D [ms]", "compute [ms]", "D2H [ms]", "AI [FLOP/B]", "regime", ""})
    header.push_back(h);
  TextTable table(header);
  for (size_t i = 0; i < sweep.rows.size(); ++i) {
    const Prediction& p = sweep.rows[i];
    const bool mark = sweep.recommended && *sweep.recommended == static_cast<int>(i);
    std::vector<std::string> row{std::to_string(p.batch), Fixed(p.latency_p50_s * 1e3, 3),
                                 Fixed(p.latency_p90_s * 1e3, 3), Fixed(p.throughput_ips, 0)};
    row.push_back(PercentOrDash(i < result.row_expected_errors.size()
                                    ? result.row_expected_errors[i].mape
                                    : result.expected_error.mape));
    if (band) row.push_back(Fixed(100 * result.intervals[i].relative_sigma, 1) + "%");
    for (std::string cell :
         {Bytes(p.memory.TotalBytes()),
          // The host stage: preprocessing or staging the batch (none when compute-only).
          options.compute_only ? std::string("-") : Fixed(p.preprocess_s * 1e3, 3),
          Fixed(p.h2d_s * 1e3, 3), Fixed(p.compute_s * 1e3, 3), Fixed(p.d2h_s * 1e3, 3),
          Fixed(p.arithmetic_intensity, 0), ToString(p.regime),
          std::string(mark ? "* recommended" : (p.fits ? "" : "! over memory limit"))})
      row.push_back(cell);
    table.AddRow(row);
  }
  table.Print(out);
  out << "held-out: the error of predictions like the row's (its execution mode and bound, host "
         "or device), measured on points the fit never saw (data/accuracy/expected_error.json)\n";
  if (band) out << "+-1sd: throughput spread from the fitted coefficients' standard errors only\n";
  out << "\n";
  if (sweep.recommended) {
    const Prediction& best = sweep.rows[*sweep.recommended];
    out << "recommended batch: " << best.batch << " (" << sweep.recommendation_reason << ")\n\n";
    out << result.explanation << "\n";
  } else {
    out << "no recommended batch: " << sweep.recommendation_reason << "\n";
  }
  if (result.breakdown) PrintOperators(out, *result.breakdown);
}

}  // namespace vitperf
