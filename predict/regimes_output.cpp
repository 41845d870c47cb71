#include "predict/regimes_output.h"

#include <ostream>

#include "predict/json_envelope.h"
#include "predict/model_request.h"
#include "predict/text_table.h"

namespace vitperf {

nlohmann::json RegimesJson(const RegimesResult& r, const std::vector<std::string>& argv) {
  nlohmann::json j = JsonEnvelope("regimes", kRegimesSchemaVersion, argv, &r.profile);
  j["model"] = r.model;
  j["options"] = r.options;
  j["base_batch"] = r.base_batch;
  j["map"] = r.map;
  if (!r.plot_note.empty()) j["plot"] = r.plot_note;
  return j;
}

void PrintRegimes(std::ostream& out, const RegimesResult& r) {
  const RegimeMap& map = r.map;
  const RegimeAxis x = map.x_axis, y = map.y_axis;
  out << "Bounding regime of " << r.model.Label() << " on " << r.profile.display_name << " ("
      << DescribePipeline(r.options) << ")";
  if (x != RegimeAxis::batch && y != RegimeAxis::batch) out << ", batch " << r.base_batch;
  out << "\nrows: " << ToString(y) << " [" << AxisUnit(y) << "], columns: " << ToString(x) << " ["
      << AxisUnit(x) << "]\n\n";
  std::vector<std::string> header{ToString(y) + " \\ " + ToString(x)};
  for (int v : map.xs) header.push_back(std::to_string(v));
  TextTable t(header);
  for (size_t yi = 0; yi < map.ys.size(); ++yi) {
    std::vector<std::string> row{std::to_string(map.ys[yi])};
    for (const RegimeCell& c : map.cells[yi]) row.push_back(std::string(1, c.Letter()));
    t.AddRow(row);
  }
  t.Print(out);
  out << "\nC compute  M memory  T transfer (PCIe)  O overhead (launch/dispatch)  "
         "P host preprocessing  x does not fit  - invalid (patch does not divide)\n";
  if (!map.boundaries.empty()) {
    out << "\nBoundaries along " << ToString(x) << " (bisected on the model):\n";
    for (const RegimeBoundary& b : map.boundaries)
      out << "  " << ToString(y) << " " << b.y << ": " << ToString(b.from) << " up to "
          << b.x_before << ", " << ToString(b.to) << " from " << b.x_after << "\n";
  }
  if (!r.plot_note.empty()) out << "\n" << r.plot_note << "\n";
}

}  // namespace vitperf
