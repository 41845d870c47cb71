#include "model/measurement_record.h"

#include <stdexcept>
#include <utility>

#include "model/attention_kernels.h"
#include "model/input_file.h"
#include "model/median.h"
#include "model/patch_conv_kernels.h"
#include "model/record_validation.h"
#include "model/repeated_points.h"
#include "model/strict_json.h"

namespace vitperf {

namespace {
// Whether the record's provenance.time_utc is at or after `since` (ISO 8601 UTC strings order as
// times); `unknown` for a record without one.
bool MeasuredSince(const PipelineRecord& r, const char* since, bool unknown) {
  if (!r.provenance.is_object()) return unknown;
  const auto it = r.provenance.find("time_utc");
  if (it == r.provenance.end() || !it->is_string()) return unknown;
  return it->get<std::string>() >= since;
}

// The field's value, or `fallback` when it is absent or null. A wrong type (a string or a
// boolean for a number, 64.5 for an integer) throws std::invalid_argument naming the field.
template <typename T>
T ValueOr(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return StrictGet<T>(*it);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(key) + ": " + e.what());
  }
}

template <typename T>
T Required(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) throw std::invalid_argument(std::string(key) + ": missing");
  return ValueOr(j, key, T{});
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
  // Only where measured, so that earlier records and other pipelines read as they always did.
  if (r.compute_idle_ms) j["stage_ms"]["compute_idle"] = *r.compute_idle_ms;
  if (!r.window_ips.empty()) j["window_ips"] = r.window_ips;
  if (const auto& s = r.stage_spread) {
    j["stage_mean_ms"] = {{"preprocess", s->preprocess_mean_ms},
                          {"h2d", s->h2d_mean_ms},
                          {"compute", s->compute_mean_ms},
                          {"d2h", s->d2h_mean_ms},
                          {"compute_idle", s->compute_idle_mean_ms}};
    j["stage_max_ms"] = {{"compute", s->compute_max_ms}, {"compute_idle", s->compute_idle_max_ms}};
  }
}

void from_json(const nlohmann::json& j, PipelineRecord& r) {
  r.id = Required<std::string>(j, "id");
  r.device = ValueOr(j, "device", std::string());
  r.config = j.at("config").get<ViTConfig>();
  r.batch = Required<int>(j, "batch");
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
    if (it->contains("compute_idle")) r.compute_idle_ms = ValueOr(*it, "compute_idle", 0.0);
  }
  r.window_ips = ValueOr(j, "window_ips", std::vector<double>());
  if (auto it = j.find("stage_mean_ms"); it != j.end()) {
    StageSpread s;
    s.preprocess_mean_ms = ValueOr(*it, "preprocess", 0.0);
    s.h2d_mean_ms = ValueOr(*it, "h2d", 0.0);
    s.compute_mean_ms = ValueOr(*it, "compute", 0.0);
    s.d2h_mean_ms = ValueOr(*it, "d2h", 0.0);
    s.compute_idle_mean_ms = ValueOr(*it, "compute_idle", 0.0);
    if (auto m = j.find("stage_max_ms"); m != j.end()) {
      s.compute_max_ms = ValueOr(*m, "compute", 0.0);
      s.compute_idle_max_ms = ValueOr(*m, "compute_idle", 0.0);
    }
    r.stage_spread = s;
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
  r.options.stage_threads = MeasuredSince(r, kStageThreadsSince, true);
  r.options.normalize_in_model_dtype = MeasuredSince(r, kNormalizeInModelDtypeSince, true);
}

double MedianHostLaunchUs(const std::vector<PipelineRecord>& records) {
  std::vector<double> us;
  for (const auto& r : records)
    if (r.status == PointStatus::ok && r.host_launch_us > 0) us.push_back(r.host_launch_us);
  return Median(std::move(us));
}

double DispatchScale(const PipelineRecord& record, double reference_launch_us) {
  if (!(reference_launch_us > 0) || !(record.host_launch_us > 0) ||
      record.options.execution == ExecutionMode::graph)
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
  r.id = Required<std::string>(j, "id");
  r.device = ValueOr(j, "device", std::string());
  r.probe = Required<std::string>(j, "probe");
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

namespace {

// "" when the id names this point or is new; else why the record is rejected. Repeated runs of
// a point share its id; an id that names two different points would pool them into one.
std::string ClaimId(const std::string& key, const std::string& point, MeasurementSet* into) {
  const auto [it, added] = into->point_of_id.emplace(key, point);
  return added || it->second == point ? "" : "id: names two different points";
}

}  // namespace

void ReadMeasurementsText(const std::string& text, const std::string& source, MeasurementSet* into,
                          RecordChecks checks) {
  std::size_t start = 0;
  int number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = source + ":" + std::to_string(number);
    nlohmann::json j;
    try {
      j = ParseStrictJson(line, where);
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      into->rejected.Add(what.find("duplicate key") != std::string::npos ? "duplicate key"
                         : what.find("nested deeper") != std::string::npos
                             ? "nested too deep"
                             : "malformed or truncated line",
                         where);
      continue;
    }
    if (!j.is_object()) {
      into->rejected.Add("not a JSON object", where);
      continue;
    }
    const auto schema = j.find("schema");
    if (schema == j.end() || !schema->is_string() || *schema != kMeasurementSchema)
      throw std::invalid_argument(where + ": schema: expected '" + kMeasurementSchema +
                                  "' (is this a vitperf measurement file?)");
    const auto version = j.find("schema_version");
    if (version == j.end() || !version->is_number_integer() || version->get<long long>() < 1 ||
        version->get<long long>() > kMeasurementSchemaVersion)
      throw std::invalid_argument(where + ": schema_version: " +
                                  (version == j.end() ? std::string("missing") : version->dump()) +
                                  " is not supported (this vitperf reads 1.." +
                                  std::to_string(kMeasurementSchemaVersion) + ")");
    const auto kind_it = j.find("kind");
    const std::string kind =
        kind_it != j.end() && kind_it->is_string() ? kind_it->get<std::string>() : "";
    try {
      if (kind == "provenance") {
        into->provenance.push_back(j);
      } else if (kind == "pipeline") {
        PipelineRecord r = j.get<PipelineRecord>();
        std::string problem = checks == RecordChecks::all ? PipelineRecordProblem(r)
                              : r.id.empty()              ? "id: empty"
                                                          : "";
        if (problem.empty())
          problem = ClaimId("pipeline|" + r.id + "|" + MeasuredDeviceName(r),
                            nlohmann::json{r.config, r.batch, r.options}.dump(), into);
        if (!problem.empty()) {
          into->rejected.Add(problem, where);
          continue;
        }
        into->pipeline.push_back(std::move(r));
      } else if (kind == "probe") {
        ProbeRecord r = j.get<ProbeRecord>();
        std::string problem = checks == RecordChecks::all ? ProbeRecordProblem(r)
                              : r.id.empty()              ? "id: empty"
                                                          : "";
        if (problem.empty())
          problem = ClaimId("probe|" + r.id + "|" + r.device,
                            nlohmann::json{r.probe, r.params}.dump(), into);
        if (!problem.empty()) {
          into->rejected.Add(problem, where);
          continue;
        }
        into->probes.push_back(std::move(r));
      } else {
        into->rejected.Add("kind: not one of provenance, pipeline, probe", where);
      }
    } catch (const std::exception& e) {
      into->rejected.Add(e.what(), where);
    }
  }
}

void ReadMeasurements(const std::string& path, MeasurementSet* into, RecordChecks checks) {
  ReadMeasurementsText(ReadInputFile(path, "data", kMaxDataFileBytes), path, into, checks);
}

std::string RejectionSummary(const MeasurementSet& data) { return data.rejected.Summary(); }

bool PeakMemoryIsPerPoint(const PipelineRecord& r) {
  return r.pooled_peak_per_point || MeasuredSince(r, kPeakMemoryPerPointSince, false);
}

}  // namespace vitperf
