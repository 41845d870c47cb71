#include "model/repeated_points.h"

#include <algorithm>
#include <functional>
#include <map>
#include <utility>

namespace vitperf {
namespace {

// Mean over the runs of a time [ms or us]: what the point costs on average over the host states
// its runs met.
double MeanOf(const std::vector<const PipelineRecord*>& runs,
              const std::function<double(const PipelineRecord&)>& field) {
  double sum = 0;
  for (const PipelineRecord* r : runs) sum += field(*r);
  return sum / static_cast<double>(runs.size());
}

// Mean over the runs that measured `member` (positive): records from before host_launch_us
// was measured, or without a CUPTI trace, carry 0. 0 when none did.
double MeanOfMeasured(const std::vector<const PipelineRecord*>& runs,
                      double PipelineRecord::*member) {
  std::vector<const PipelineRecord*> measured;
  for (const PipelineRecord* r : runs)
    if (r->*member > 0) measured.push_back(r);
  return measured.empty() ? 0
                          : MeanOf(measured, [&](const PipelineRecord& r) { return r.*member; });
}

TimingStats PooledStats(const std::vector<const PipelineRecord*>& runs,
                        TimingStats PipelineRecord::*member) {
  TimingStats t = runs.front()->*member;
  t.median_ms = MeanOf(runs, [&](const PipelineRecord& r) { return (r.*member).median_ms; });
  t.p10_ms = MeanOf(runs, [&](const PipelineRecord& r) { return (r.*member).p10_ms; });
  t.p90_ms = MeanOf(runs, [&](const PipelineRecord& r) { return (r.*member).p90_ms; });
  t.p99_ms = MeanOf(runs, [&](const PipelineRecord& r) { return (r.*member).p99_ms; });
  t.repeats = 0;
  for (const PipelineRecord* r : runs) t.repeats += (r->*member).repeats;
  return t;
}

PipelineRecord Pool(const std::vector<const PipelineRecord*>& runs) {
  PipelineRecord p = *runs.front();
  p.pooled_runs = static_cast<int>(runs.size());
  if (runs.size() == 1) return p;
  std::vector<double> throughputs;
  for (const PipelineRecord* r : runs) throughputs.push_back(r->throughput_ips);
  p.throughput_ips = LongRunThroughput(throughputs);
  p.preprocess_ms = MeanOf(runs, [](const PipelineRecord& r) { return r.preprocess_ms; });
  p.h2d_ms = MeanOf(runs, [](const PipelineRecord& r) { return r.h2d_ms; });
  p.compute_ms = MeanOf(runs, [](const PipelineRecord& r) { return r.compute_ms; });
  p.d2h_ms = MeanOf(runs, [](const PipelineRecord& r) { return r.d2h_ms; });
  p.latency = PooledStats(runs, &PipelineRecord::latency);
  p.compute = PooledStats(runs, &PipelineRecord::compute);
  p.host_launch_us = MeanOfMeasured(runs, &PipelineRecord::host_launch_us);
  p.kernel_time_ms = MeanOfMeasured(runs, &PipelineRecord::kernel_time_ms);
  p.patch_conv_ms = MeanOfMeasured(runs, &PipelineRecord::patch_conv_ms);
  p.attention_ms = MeanOfMeasured(runs, &PipelineRecord::attention_ms);
  p.wall_s = 0;
  // Each run's own throughput, for comparisons over the runs two points share (a run that timed
  // nothing says nothing, as in LongRunThroughput). A run that is itself a pooled record brings
  // its runs.
  p.run_throughputs.clear();
  for (const PipelineRecord* r : runs)
    for (RunThroughput& t : RunThroughputs(*r))
      if (t.throughput_ips > 0) p.run_throughputs.push_back(std::move(t));
  // The peak of the runs that measured their own point's peak when there are any (earlier
  // runs also counted other points' workspaces; kPeakMemoryPerPointSince).
  p.pooled_peak_per_point = std::any_of(
      runs.begin(), runs.end(), [](const PipelineRecord* r) { return PeakMemoryIsPerPoint(*r); });
  p.peak_memory_bytes = 0;
  for (const PipelineRecord* r : runs) {
    if (!p.pooled_peak_per_point || PeakMemoryIsPerPoint(*r))
      p.peak_memory_bytes = std::max(p.peak_memory_bytes, r->peak_memory_bytes);
    p.wall_s += r->wall_s;
    if (p.breakdown.is_null()) p.breakdown = r->breakdown;
  }
  return p;
}

}  // namespace

std::string MeasuredDeviceName(const PipelineRecord& record) {
  const nlohmann::json& prov = record.provenance;
  if (prov.is_object()) {
    if (auto it = prov.find("device_name"); it != prov.end() && it->is_string())
      return it->get<std::string>();
  }
  return record.device;
}

double LongRunThroughput(const std::vector<double>& run_throughputs_ips) {
  double seconds_per_image = 0;
  int counted = 0;
  for (double ips : run_throughputs_ips) {
    if (ips <= 0) continue;  // a run that timed nothing says nothing
    seconds_per_image += 1.0 / ips;
    ++counted;
  }
  return counted == 0 ? 0.0 : counted / seconds_per_image;
}

std::string RunKey(const PipelineRecord& record) {
  const nlohmann::json& prov = record.provenance;
  if (prov.is_object()) {
    if (auto it = prov.find("host_boot_id"); it != prov.end() && it->is_string())
      return "boot " + it->get<std::string>();
    if (auto it = prov.find("time_utc"); it != prov.end() && it->is_string())
      return it->get<std::string>();
  }
  return "";
}

std::vector<RunThroughput> RunThroughputs(const PipelineRecord& record) {
  if (!record.run_throughputs.empty()) return record.run_throughputs;
  return {{RunKey(record), record.throughput_ips}};
}

std::vector<PipelineRecord> PoolRepeatedPoints(const std::vector<PipelineRecord>& records) {
  using Key = std::pair<std::string, std::string>;  // (point id, device)
  std::vector<Key> order;
  std::map<Key, std::vector<const PipelineRecord*>> ok, other;
  for (const PipelineRecord& r : records) {
    const Key key{r.id, MeasuredDeviceName(r)};
    if (!ok.count(key) && !other.count(key)) order.push_back(key);
    (r.status == PointStatus::ok ? ok : other)[key].push_back(&r);
  }
  std::vector<PipelineRecord> pooled;
  pooled.reserve(order.size());
  for (const Key& key : order) {
    auto it = ok.find(key);
    pooled.push_back(it != ok.end() ? Pool(it->second) : *other.at(key).front());
  }
  return pooled;
}

int PoolRepeatedPoints(MeasurementSet* data) {
  const auto before = data->pipeline.size();
  data->pipeline = PoolRepeatedPoints(data->pipeline);
  return static_cast<int>(before - data->pipeline.size());
}

}  // namespace vitperf
