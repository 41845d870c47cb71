#include "fit/compile_time_summary.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace vitperf {
namespace {
// The distinct settings the packages were built with: the one value, or all of them when runs
// differed (so that a summary never claims one setting for packages built under several).
void AddSetting(const nlohmann::json& value, nlohmann::json* seen) {
  if (value.is_null()) return;
  if (std::find(seen->begin(), seen->end(), value) == seen->end()) seen->push_back(value);
}
nlohmann::json OneOrAll(const nlohmann::json& seen) {
  if (seen.empty()) return nlohmann::json();
  return seen.size() == 1 ? seen[0] : seen;
}
}  // namespace

nlohmann::json CompileTimeSummary(const std::vector<PipelineRecord>& pipeline) {
  struct Mode {
    std::set<std::string> packages;
    std::vector<double> seconds;
    nlohmann::json threads = nlohmann::json::array(), jobs = nlohmann::json::array();
  };
  std::map<std::string, Mode> modes;
  for (const PipelineRecord& r : pipeline) {
    const auto compiled = r.provenance.find("compiled");
    if (compiled == r.provenance.end() || !compiled->is_object()) continue;
    const auto seconds = compiled->find("compile_s");
    const auto mode = compiled->find("compile_mode");
    const auto package = compiled->find("package");
    if (seconds == compiled->end() || !seconds->is_number() || mode == compiled->end() ||
        !mode->is_string() || package == compiled->end() || !package->is_string())
      continue;
    Mode& m = modes[mode->get<std::string>()];
    // A package's compile time once, however many points ran it.
    if (!m.packages.insert(package->get<std::string>()).second) continue;
    // What a user waits for: the export and the AOTInductor compile.
    const auto export_s = compiled->find("export_s");
    m.seconds.push_back(
        seconds->get<double>() +
        (export_s != compiled->end() && export_s->is_number() ? export_s->get<double>() : 0.0));
    AddSetting(compiled->value("compile_threads", nlohmann::json()), &m.threads);
    AddSetting(compiled->value("concurrent_jobs", nlohmann::json()), &m.jobs);
  }
  nlohmann::json out = nlohmann::json::object();
  for (auto& [name, m] : modes) {
    std::sort(m.seconds.begin(), m.seconds.end());
    const size_t n = m.seconds.size();
    const double median =
        n % 2 ? m.seconds[n / 2] : 0.5 * (m.seconds[n / 2 - 1] + m.seconds[n / 2]);
    out[name] = {{"median_s", median},
                 {"min_s", m.seconds.front()},
                 {"max_s", m.seconds.back()},
                 {"packages", n},
                 {"compile_threads", OneOrAll(m.threads)},
                 {"concurrent_jobs", OneOrAll(m.jobs)}};
  }
  return out;
}

}  // namespace vitperf
