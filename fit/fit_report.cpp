#include "fit/fit_report.h"

#include <cstdio>

#include "predict/text_table.h"

namespace vitperf {
namespace {

// Four significant figures: the coefficients span 0.02 (fractions) to 2000 (us).
std::string Sig(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

}  // namespace

void PrintFitReport(std::ostream& out, const FitResult& r, int max_dropped) {
  const ObservationSet& obs = r.observations;
  for (const auto& w : r.warnings) out << "warning: " << w << "\n";
  if (!obs.dropped.empty()) {
    out << obs.dropped.size() << " point(s) dropped:\n";
    for (size_t i = 0; i < obs.dropped.size() && static_cast<int>(i) < max_dropped; ++i)
      out << "  " << obs.dropped[i].id << ": " << obs.dropped[i].reason << "\n";
    if (static_cast<int>(obs.dropped.size()) > max_dropped)
      out << "  ... and " << obs.dropped.size() - max_dropped
          << " more (see the profile's fit.points_dropped)\n";
  }
  TextTable table({"coefficient", "prior", "fitted", "+- error", "unit", "note"});
  for (const auto& f : r.per_coefficient) {
    const CoefficientInfo& info = Info(f.coefficient);
    std::string note;
    if (!f.informed)
      note = "not informed by data";
    else if (!f.determined)
      note = "undetermined (trades off with another)";
    else if (f.value <= info.lower * 1.001 + 1e-12 || f.value >= info.upper * 0.999)
      note = "at its bound";
    table.AddRow({info.name, Sig(f.prior), Sig(f.value),
                  f.informed && f.determined && f.error > 0 ? Sig(f.error) : "-", info.unit, note});
  }
  table.Print(out);
  char line[256];
  std::snprintf(line, sizeof line,
                "\n%d points used (%zu observations), %zu dropped; cost %.4g -> %.4g in %d "
                "iterations (%s)\n",
                obs.records_used, obs.observations.size(), obs.dropped.size(), r.initial_cost,
                r.final_cost, r.iterations, r.termination.c_str());
  out << line;
  std::snprintf(line, sizeof line,
                "fit error over the fit set: MAPE %.2f%%, median APE %.2f%%; residual scale %.3g "
                "(log units), %d degrees of freedom\n",
                r.mape * 100, r.median_ape * 100, r.residual_scale, r.degrees_of_freedom);
  out << line;
  TextTable by_kind({"observation", "count", "MAPE", "median APE"});
  for (const KindError& k : r.error_by_kind) {
    char mape[16], median[16];
    std::snprintf(mape, sizeof mape, "%.2f%%", k.mape * 100);
    std::snprintf(median, sizeof median, "%.2f%%", k.median_ape * 100);
    by_kind.AddRow({ToString(k.kind), std::to_string(k.observations), mape, median});
  }
  by_kind.Print(out);
  if (r.rank_deficient)
    out << "note: the data leave some coefficient combinations undetermined; their errors come "
           "from the pseudo-inverse (add probes that separate them)\n";
}

}  // namespace vitperf
