#include "model/measurement_record.h"

#include <fstream>
#include <stdexcept>
#include <utility>

#include "model/attention_kernels.h"
#include "model/median.h"
#include "model/patch_conv_kernels.h"

namespace vitperf {
namespace {

template <typename T>
T ValueOr(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  return (it == j.end() || it->is_null()) ? fallback : it->get<T>();
}

nlohmann::json Stamp(nlohmann::json j, const char* kind) {
  j["schema"] = kMeasurementSchema;
  j["schema_version"] = kMeasurementSchemaVersion;
  j["kind"] = kind;
  return j;
}

}  // namespace

void to_json(nlohmann::json& j, const TimingStats& t) {
  j = nlohmann::json{{"median_ms", t.median_ms}, {"p10_ms", t.p10_ms},
                     {"p90_ms", t.p90_ms},       {"p99_ms", t.p99_ms},
                     {"repeats", t.repeats},     {"stop_reason", t.stop_reason}};
}

void from_json(const nlohmann::json& j, TimingStats& t) {
  t.median_ms = ValueOr(j, "median_ms", 0.0);
  t.p10_ms = ValueOr(j, "p10_ms", 0.0);
  t.p90_ms = ValueOr(j, "p90_ms", 0.0);
  t.p99_ms = ValueOr(j, "p99_ms", 0.0);
  t.repeats = ValueOr(j, "repeats", 0);
  t.stop_reason = ValueOr(j, "stop_reason", std::string());
}

void to_json(nlohmann::json& j, const PipelineRecord& r) {
  j = nlohmann::json{{"id", r.id},
                     {"device", r.device},
                     {"config", r.config},
                     {"batch", r.batch},
                     {"options", r.options},
                     {"status", r.status},
                     {"message", r.message},
                     {"throughput_ips", r.throughput_ips},
                     {"latency", r.latency},
                     {"stage_ms",
                      {{"preprocess", r.preprocess_ms},
                       {"h2d", r.h2d_ms},
                       {"compute", r.compute_ms},
                       {"d2h", r.d2h_ms}}},
                     {"compute", r.compute},
                     {"peak_memory_bytes", r.peak_memory_bytes},
                     {"wall_s", r.wall_s},
                     {"host_launch_us", r.host_launch_us},
                     {"breakdown", r.breakdown},
                     {"provenance", r.provenance}};
}

void from_json(const nlohmann::json& j, PipelineRecord& r) {
  r.id = j.at("id").get<std::string>();
  r.device = ValueOr(j, "device", std::string());
  r.config = j.at("config").get<ViTConfig>();
  r.batch = j.at("batch").get<int>();
  r.options = j.at("options").get<PipelineOptions>();
  r.status = j.at("status").get<PointStatus>();
  r.message = ValueOr(j, "message", std::string());
  r.throughput_ips = ValueOr(j, "throughput_ips", 0.0);
  if (j.contains("latency")) r.latency = j["latency"].get<TimingStats>();
  if (auto it = j.find("stage_ms"); it != j.end()) {
    r.preprocess_ms = ValueOr(*it, "preprocess", 0.0);
    r.h2d_ms = ValueOr(*it, "h2d", 0.0);
    r.compute_ms = ValueOr(*it, "compute", 0.0);
    r.d2h_ms = ValueOr(*it, "d2h", 0.0);
  }
  if (j.contains("compute")) r.compute = j["compute"].get<TimingStats>();
  r.peak_memory_bytes = ValueOr(j, "peak_memory_bytes", 0.0);
  r.wall_s = ValueOr(j, "wall_s", 0.0);
  r.host_launch_us = ValueOr(j, "host_launch_us", 0.0);
  r.breakdown = ValueOr(j, "breakdown", nlohmann::json());
  r.kernel_time_ms = r.breakdown.is_object() ? ValueOr(r.breakdown, "kernel_time_ms", 0.0) : 0.0;
  r.patch_conv_ms = PatchConvKernelMs(r.breakdown);
  r.attention_ms = FusedAttentionKernelMs(r.breakdown);
  r.provenance = ValueOr(j, "provenance", nlohmann::json());
}

double MedianHostLaunchUs(const std::vector<PipelineRecord>& records) {
  std::vector<double> us;
  for (const auto& r : records)
    if (r.status == PointStatus::ok && r.host_launch_us > 0) us.push_back(r.host_launch_us);
  return Median(std::move(us));
}

double DispatchScale(const PipelineRecord& record, double reference_launch_us) {
  if (!(reference_launch_us > 0) || !(record.host_launch_us > 0) ||
      record.options.execution != ExecutionMode::eager)
    return 1.0;
  return record.host_launch_us / reference_launch_us;
}

void to_json(nlohmann::json& j, const ProbeRecord& r) {
  j = nlohmann::json{
      {"id", r.id},         {"device", r.device},        {"probe", r.probe}, {"params", r.params},
      {"status", r.status}, {"message", r.message},      {"value", r.value}, {"unit", r.unit},
      {"timing", r.timing}, {"provenance", r.provenance}};
}

void from_json(const nlohmann::json& j, ProbeRecord& r) {
  r.id = j.at("id").get<std::string>();
  r.device = ValueOr(j, "device", std::string());
  r.probe = j.at("probe").get<std::string>();
  r.params = ValueOr(j, "params", nlohmann::json::object());
  r.status = j.at("status").get<PointStatus>();
  r.message = ValueOr(j, "message", std::string());
  r.value = ValueOr(j, "value", 0.0);
  r.unit = ValueOr(j, "unit", std::string());
  if (j.contains("timing")) r.timing = j["timing"].get<TimingStats>();
  r.provenance = ValueOr(j, "provenance", nlohmann::json());
}

std::string ToJsonLine(const PipelineRecord& r) {
  return Stamp(nlohmann::json(r), "pipeline").dump();
}
std::string ToJsonLine(const ProbeRecord& r) { return Stamp(nlohmann::json(r), "probe").dump(); }
std::string ProvenanceLine(const nlohmann::json& provenance) {
  return Stamp(provenance, "provenance").dump();
}

void ReadMeasurements(const std::string& path, MeasurementSet* into) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open measurement file");
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(number);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      into->warnings.push_back(where + ": skipped a malformed or truncated line");
      continue;
    }
    if (j.value("schema", "") != kMeasurementSchema)
      throw std::runtime_error(where + ": schema: expected '" + kMeasurementSchema + "'");
    if (j.value("schema_version", 0) > kMeasurementSchemaVersion)
      throw std::runtime_error(
          where + ": schema_version " + std::to_string(j.value("schema_version", 0)) +
          " is newer than this vitperf reads (" + std::to_string(kMeasurementSchemaVersion) + ")");
    const std::string kind = j.value("kind", "");
    try {
      if (kind == "provenance")
        into->provenance.push_back(j);
      else if (kind == "pipeline")
        into->pipeline.push_back(j.get<PipelineRecord>());
      else if (kind == "probe")
        into->probes.push_back(j.get<ProbeRecord>());
      else
        into->warnings.push_back(where + ": skipped a record of unknown kind '" + kind + "'");
    } catch (const std::exception& e) {
      into->warnings.push_back(where + ": skipped an invalid record (" + e.what() + ")");
    }
  }
}

bool PeakMemoryIsPerPoint(const PipelineRecord& r) {
  if (r.pooled_peak_per_point) return true;
  if (!r.provenance.is_object()) return false;
  const auto it = r.provenance.find("time_utc");
  return it != r.provenance.end() && it->is_string() &&
         it->get<std::string>() >= kPeakMemoryPerPointSince;
}

}  // namespace vitperf
