#include "measure/shard_merge.h"

#include <filesystem>
#include <map>
#include <stdexcept>

#include "measure/sweep_runner.h"
#include "model/input_file.h"
#include "model/measurement_record.h"
#include "model/output_file.h"

namespace vitperf::measure {
namespace {

std::string List(const std::vector<std::string>& items, size_t shown = 3) {
  std::string s;
  for (size_t i = 0; i < items.size() && i < shown; ++i) s += (i ? "; " : "") + items[i];
  if (items.size() > shown) s += "; and " + std::to_string(items.size() - shown) + " more";
  return s;
}

}  // namespace

std::string MergeSummary::Brief() const {
  std::string s = std::to_string(shards) + " shards, " + std::to_string(planned) + " points";
  if (Complete()) return s + ", each present once";
  if (!missing.empty()) s += "; missing " + std::to_string(missing.size()) + ": " + List(missing);
  if (!duplicated.empty())
    s += "; more than once " + std::to_string(duplicated.size()) + ": " + List(duplicated);
  if (!unplanned.empty())
    s += "; not in the experiment " + std::to_string(unplanned.size()) + ": " + List(unplanned);
  return s;
}

MergeSummary MergeShards(const ExperimentSpec& spec, const std::vector<PlannedPoint>& points,
                         const std::string& device, const std::vector<std::string>& shards,
                         const std::string& output) {
  if (shards.empty()) throw std::invalid_argument("shards: name the files of the shards");
  if (output.empty()) throw std::invalid_argument("output: name the merged file (-o)");
  std::error_code ec;
  if (std::filesystem::exists(output, ec))
    throw std::invalid_argument("output: " + output + " exists; merging writes a new file");
  MergeSummary summary;
  summary.shards = static_cast<int>(shards.size());
  summary.planned = static_cast<int>(points.size());
  // id -> records measured (ok, oom, error) and skipped. A resumed shard tries a skipped point
  // again (sweep_runner.cpp), so a skipped record may precede its measurement or a second skip.
  std::map<std::string, int> measured, skipped;
  std::string merged;
  for (const std::string& path : shards) {
    const std::string text = ReadInputFile(path, "shards", kMaxDataFileBytes);
    MeasurementSet set;
    ReadMeasurementsText(text, path, &set);
    if (const std::string s = RejectionSummary(set); !s.empty())
      throw std::invalid_argument("shards: " + path + ": " + s);
    for (const auto& p : set.provenance) {
      const std::string e = p.value("experiment", ""), d = p.value("device", "");
      if (e != spec.name || d != device)
        throw std::invalid_argument("shards: " + path + " holds experiment '" + e + "' on " + d +
                                    "; merging experiment '" + spec.name + "' on " + device);
    }
    auto count = [&](const std::string& id, PointStatus status) {
      if (status == PointStatus::skipped)
        ++skipped[id];
      else if (IsFinalStatus(status))
        ++measured[id];
    };
    for (const auto& r : set.pipeline) count(r.id, r.status);
    for (const auto& r : set.probes) count(r.id, r.status);
    summary.records += static_cast<int>(set.pipeline.size() + set.probes.size());
    merged += text;
    if (!text.empty() && text.back() != '\n') merged += '\n';
  }
  for (const PlannedPoint& p : points) {
    const int n = measured.count(p.id) ? measured.at(p.id) : 0;
    if (n == 0 && !skipped.count(p.id))
      summary.missing.push_back(p.id + " " + p.Label());
    else if (n > 1)
      summary.duplicated.push_back(p.id + " " + p.Label() + " (" + std::to_string(n) + " records)");
    measured.erase(p.id);
    skipped.erase(p.id);
  }
  for (const auto& [id, n] : measured) summary.unplanned.push_back(id);
  for (const auto& [id, n] : skipped)
    if (!measured.count(id)) summary.unplanned.push_back(id);
  if (!summary.Complete()) return summary;
  OutputFile out(output, "output");
  out << merged;
  out.Close();
  return summary;
}

}  // namespace vitperf::measure
