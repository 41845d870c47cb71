#include "fit/fit_report.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

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
    // One line per reason: repeated runs of one probe share an id and a reason.
    std::vector<std::pair<std::string, std::vector<std::string>>> by_reason;
    for (const DroppedPoint& d : obs.dropped) {
      auto it = std::find_if(by_reason.begin(), by_reason.end(),
                             [&](const auto& group) { return group.first == d.reason; });
      if (it == by_reason.end()) it = by_reason.insert(by_reason.end(), {d.reason, {}});
      if (std::find(it->second.begin(), it->second.end(), d.id) == it->second.end())
        it->second.push_back(d.id);
    }
    out << obs.dropped.size() << " point(s) dropped:\n";
    for (size_t i = 0; i < by_reason.size() && static_cast<int>(i) < max_dropped; ++i) {
      const auto& [reason, ids] = by_reason[i];
      out << "  " << ids.front();
      if (ids.size() > 1) out << " and " << ids.size() - 1 << " other(s)";
      out << ": " << reason << "\n";
    }
    if (static_cast<int>(by_reason.size()) > max_dropped)
      out << "  ... and " << by_reason.size() - max_dropped
          << " more reasons (see the profile's fit.points_dropped)\n";
  }
  TextTable table({"coefficient", "prior", "fitted", "+- error", "unit", "note"});
  int constants = 0;
  for (const auto& f : r.per_coefficient) {
    const CoefficientInfo& info = Info(f.coefficient);
    if (!info.fitted()) {
      ++constants;
      continue;
    }
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
  out << constants << " architecture constants held at their data/arch/ values\n";
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
