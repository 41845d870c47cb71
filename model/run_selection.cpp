#include "model/run_selection.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace vitperf {

std::string RunIdOf(const nlohmann::json& provenance) {
  if (!provenance.is_object()) return "";
  const auto it = provenance.find("run_id");
  return it != provenance.end() && it->is_string() ? it->get<std::string>() : "";
}

namespace {

template <typename Record>
int KeepListed(const std::set<std::string>& keep, std::vector<Record>* records,
               std::set<std::string>* seen) {
  const auto before = records->size();
  records->erase(std::remove_if(records->begin(), records->end(),
                                [&](const Record& r) {
                                  const std::string id = RunIdOf(r.provenance);
                                  seen->insert(id);
                                  return keep.count(id) == 0;
                                }),
                 records->end());
  return static_cast<int>(before - records->size());
}

}  // namespace

int KeepRuns(const std::vector<std::string>& run_ids, MeasurementSet* data) {
  if (run_ids.empty()) return 0;
  const std::set<std::string> keep(run_ids.begin(), run_ids.end());
  std::set<std::string> seen;
  const int dropped =
      KeepListed(keep, &data->pipeline, &seen) + KeepListed(keep, &data->probes, &seen);
  auto& lines = data->provenance;
  lines.erase(std::remove_if(lines.begin(), lines.end(),
                             [&](const nlohmann::json& p) { return keep.count(RunIdOf(p)) == 0; }),
              lines.end());
  for (const auto& id : run_ids) {
    if (seen.count(id)) continue;
    std::string held;
    for (const auto& s : seen) held += (held.empty() ? "" : ", ") + (s.empty() ? "(none)" : s);
    throw std::invalid_argument("run: no record of run '" + id + "' in the data (it holds " +
                                (held.empty() ? std::string("no records") : held) + ")");
  }
  return dropped;
}

}  // namespace vitperf
