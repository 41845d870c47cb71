#include "predict/validation_output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <stdexcept>

#include "model/output_file.h"
#include "predict/json_envelope.h"
#include "predict/text_table.h"

namespace vitperf {
namespace {

std::string Pct(double fraction) { return Fixed(fraction * 100, 1) + "%"; }

void CheckBounds(std::optional<double> max_mape_pct, std::optional<double> max_regret_pct,
                 double near_best) {
  if (max_mape_pct && !(*max_mape_pct >= 0))
    throw std::invalid_argument("max-mape: must be a non-negative percentage");
  if (max_regret_pct && !(*max_regret_pct >= 0))
    throw std::invalid_argument("max-regret: must be a non-negative percentage");
  if (!(near_best > 0 && near_best <= 1))
    throw std::invalid_argument("near-best: must be in (0, 1]");
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

void WriteJunit(const std::string& path, const std::vector<ValidationCheck>& checks,
                const std::string& summary) {
  OutputFile out(path, "junit");
  int failures = 0;
  for (const auto& c : checks) failures += !c.passed;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites>\n  <testsuite name=\"vitperf.validate\" tests=\"" << checks.size()
      << "\" failures=\"" << failures << "\">\n";
  for (const auto& c : checks) {
    out << "    <testcase classname=\"vitperf.validate\" name=\"" << XmlEscape(c.name) << "\">\n";
    if (!c.passed) out << "      <failure message=\"" << XmlEscape(c.message) << "\"/>\n";
    out << "      <system-out>" << XmlEscape(c.message) << "</system-out>\n    </testcase>\n";
  }
  out << "    <system-out>" << XmlEscape(summary)
      << "</system-out>\n  </testsuite>\n</testsuites>\n";
  out.Close();
}

void PrintReport(std::ostream& out, const ValidationReport& r,
                 const std::vector<ValidationCheck>& checks) {
  TextTable summary({"metric", "value", "bound", "status"});
  auto bound_of = [&](const std::string& name, std::string* status) {
    for (const auto& c : checks)
      if (c.name == name) {
        *status = c.passed ? "ok" : "EXCEEDED";
        return Fixed(c.bound, 1) + "%";
      }
    return std::string();
  };
  std::string s1, s2, s3;
  summary.AddRow({"points", std::to_string(r.points.size()), "", ""});
  summary.AddRow({"MAPE", Pct(r.mape), bound_of("max_mape", &s1), s1});
  summary.AddRow({"median APE", Pct(r.median_ape), "", ""});
  summary.AddRow({"P90 APE", Pct(r.p90_ape), "", ""});
  summary.AddRow({"Spearman rank correlation", Fixed(r.spearman, 3), "", ""});
  summary.AddRow({"configs with a batch choice", std::to_string(r.regrets.size()), "", ""});
  summary.AddRow({"best-batch regret, mean", Pct(r.mean_regret), "", ""});
  summary.AddRow({"best-batch regret, max", Pct(r.max_regret), bound_of("max_regret", &s2), s2});
  summary.AddRow({"OOM prediction accuracy",
                  Pct(r.oom.Accuracy()) + " of " + std::to_string(r.oom.records), "", ""});
  summary.Print(out);
  if (r.oom.missed || r.oom.false_alarm)
    out << "  OOM: " << r.oom.missed << " ran out of memory but predicted to fit, "
        << r.oom.false_alarm << " ran but predicted not to fit\n";
  (void)s3;

  out << "\nworst points:\n";
  TextTable worst({"point", "measured img/s", "predicted img/s", "error", "regime"});
  for (const auto& p : r.worst)
    worst.AddRow({p.label, Si(p.measured_ips), Si(p.predicted_ips),
                  (p.predicted_ips >= p.measured_ips ? "+" : "-") + Pct(p.ape),
                  ToString(p.regime)});
  worst.Print(out);

  out << "\nby predicted regime:\n";
  TextTable regimes({"regime", "points", "MAPE", "median APE"});
  for (const auto& g : r.regimes)
    regimes.AddRow({ToString(g.regime), std::to_string(g.points), Pct(g.mape), Pct(g.median_ape)});
  regimes.Print(out);

  if (r.executions.size() > 1) {
    out << "\nby execution mode:\n";
    TextTable modes({"execution", "points", "MAPE", "median APE", "mean signed"});
    for (const auto& g : r.executions)
      modes.AddRow({g.execution, std::to_string(g.points), Pct(g.mape), Pct(g.median_ape),
                    (g.mean_signed >= 0 ? "+" : "-") + Pct(std::abs(g.mean_signed))});
    modes.Print(out);
  }

  if (r.cases.size() > 1) {
    out << "\nby execution mode and bound (what `predict` states per row):\n";
    TextTable cases({"case", "points", "MAPE"});
    for (const auto& g : r.cases) cases.AddRow({g.name, std::to_string(g.points), Pct(g.mape)});
    cases.Print(out);
  }

  if (!r.regrets.empty()) {
    std::vector<ConfigRegret> top = r.regrets;
    std::stable_sort(top.begin(), top.end(), [](const ConfigRegret& a, const ConfigRegret& b) {
      return a.regret > b.regret;
    });
    if (top.size() > 5) top.resize(5);
    out << "\nlargest best-batch regrets:\n";
    TextTable regret(
        {"config", "model's batch", "measured best", "regret", "runs", "regret per run"});
    for (const auto& c : top) {
      const std::string per_run = c.runs_scored == 0 ? "-"
                                  : c.runs_scored == 1
                                      ? Pct(c.run_regret_min)
                                      : Pct(c.run_regret_min) + " - " + Pct(c.run_regret_max);
      regret.AddRow({c.label, std::to_string(c.predicted_best_batch),
                     std::to_string(c.measured_best_batch), Pct(c.regret),
                     std::to_string(c.runs_scored), per_run});
    }
    regret.Print(out);
  }
}

}  // namespace

void ScoreValidation(const std::vector<ValidationInput>& inputs, size_t records_read,
                     std::optional<double> max_mape_pct, std::optional<double> max_regret_pct,
                     ValidationOutcome* o) {
  CheckBounds(max_mape_pct, max_regret_pct, o->near_best);
  ValidationOptions options;
  options.near_best_fraction = o->near_best;
  o->report = Validate(inputs, options);
  if (o->report.points.empty())
    throw std::invalid_argument("data: no pipeline records with status ok to validate (" +
                                std::to_string(records_read) + " pipeline records read)");
  o->checks.clear();
  auto check = [&](const char* name, double value, std::optional<double> bound_pct) {
    if (!bound_pct) return;
    ValidationCheck c{name, value * 100, *bound_pct, value * 100 <= *bound_pct, ""};
    char text[160];
    std::snprintf(text, sizeof text, "%s %.2f%% %s the bound %.2f%%", name, c.value,
                  c.passed ? "within" : "exceeds", c.bound);
    c.message = text;
    o->checks.push_back(c);
  };
  check("max_mape", o->report.mape, max_mape_pct);
  check("max_regret", o->report.max_regret, max_regret_pct);
  o->passed = true;
  for (const auto& c : o->checks) o->passed &= c.passed;
}

std::string ValidationSummaryLine(const ValidationReport& r) {
  char summary[200];
  std::snprintf(summary, sizeof summary,
                "%zu points: MAPE %.2f%%, median APE %.2f%%, max regret %.2f%%", r.points.size(),
                r.mape * 100, r.median_ape * 100, r.max_regret * 100);
  return summary;
}

nlohmann::json ValidationJson(const ValidationOutcome& o, const std::vector<std::string>& argv) {
  nlohmann::json j = JsonEnvelope("validation", kValidationSchemaVersion, argv, &o.profile);
  j["data"] = o.data;
  j["split"] = o.split;
  j["host_probes"] = o.host_probes;
  j["host_state_from_data"] = o.host_state_from_data;
  if (o.host_state_from_data) j["host_state_scope"] = o.host_state_scope;
  j["near_best_fraction"] = o.near_best;
  j["pooled_repeats"] = o.pooled_repeats;
  const nlohmann::json body = o.report;
  for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
  j["checks"] = nlohmann::json::array();
  for (const auto& c : o.checks)
    j["checks"].push_back(
        {{"name", c.name}, {"value_pct", c.value}, {"bound_pct", c.bound}, {"passed", c.passed}});
  j["passed"] = o.passed;
  return j;
}

void PrintValidation(std::ostream& out, const ValidationOutcome& o) {
  out << "validating " << o.profile.name << " (" << o.profile.display_name << ", "
      << (o.profile.calibrated ? "calibrated" : "uncalibrated") << ") against " << o.data.size()
      << " file(s)";
  if (o.split.kind != SplitKind::none) out << ", split: " << nlohmann::json(o.split).dump();
  out << "\n";
  if (o.pooled_repeats > 0)
    out << o.pooled_repeats
        << " repeated measurement(s) pooled into their points (long-run averages)\n";
  if (!o.host_probes.empty()) {
    out << "host side from the data's probes:";
    for (const auto& s : o.host_probes) out << " " << s;
    out << "\n";
  }
  if (o.host_state_from_data && o.host_state_scope == "run")
    out << "host state: each run's median host_launch_us (" << o.runs_with_state << " runs)\n";
  else if (o.host_state_from_data)
    out << "host state: each point's own host_launch_us\n";
  if (o.report.skipped) out << o.report.skipped << " record(s) neither ok nor oom skipped\n";
  out << "\n";
  PrintReport(out, o.report, o.checks);
  for (const auto& c : o.checks) out << (c.passed ? "PASS " : "FAIL ") << c.message << "\n";
}

void WriteValidationJunit(const std::string& path, const ValidationOutcome& o) {
  const std::string summary = ValidationSummaryLine(o.report);
  std::vector<ValidationCheck> cases = o.checks;
  if (cases.empty()) cases.push_back({"validation", 0, 0, true, summary});
  WriteJunit(path, cases, summary);
}

}  // namespace vitperf
