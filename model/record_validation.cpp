#include "model/record_validation.h"

#include <cmath>
#include <cstdio>
#include <regex>

namespace vitperf {
namespace {

std::string Number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

// "" when lo <= v <= hi and v is finite, else "field: v outside [lo, hi]".
std::string OutsideRange(const std::string& field, double v, double lo, double hi) {
  if (std::isfinite(v) && v >= lo && v <= hi) return "";
  // The value stays out of the reason so that rejections group by field.
  return field + ": outside [" + Number(lo) + ", " + Number(hi) + "]";
}

std::string TimingProblem(const std::string& field, const TimingStats& t) {
  for (const auto& [name, v] : {std::pair<const char*, double>{"median_ms", t.median_ms},
                                {"p10_ms", t.p10_ms},
                                {"p90_ms", t.p90_ms},
                                {"p99_ms", t.p99_ms}})
    if (auto p = OutsideRange(field + "." + name, v, 0, kMaxTimeMs); !p.empty()) return p;
  if (t.repeats < 0) return field + ".repeats: must be 0 or more";
  return "";
}

std::string DeviceProblem(const std::string& device) {
  static const std::regex kDevice("cpu|cuda(:[0-9]{1,3})?");
  if (std::regex_match(device, kDevice)) return "";
  return "device: '" + device.substr(0, 40) + "' is not one of cpu, cuda, cuda:N";
}

// The probe parameters readers look up by type (model/measurement_record.h lists them): a wrong
// type would throw deep inside a reader instead of being one rejected record.
std::string ParamsProblem(const nlohmann::json& params) {
  if (!params.is_object()) return "params: expected a JSON object";
  for (const char* key : {"m", "n", "k", "bytes", "kernels"})
    if (auto it = params.find(key); it != params.end() && !(it->is_number() && *it > 0))
      return std::string("params.") + key + ": expected a positive number";
  for (const char* key : {"precision", "host_memory", "numa", "execution"})
    if (auto it = params.find(key); it != params.end() && !it->is_string())
      return std::string("params.") + key + ": expected a string";
  if (auto it = params.find("idle_ms"); it != params.end() && !it->is_number())
    return "params.idle_ms: expected a number";
  if (auto it = params.find("h2d"); it != params.end() && !it->is_boolean())
    return "params.h2d: expected true or false";
  return "";
}

}  // namespace

std::string PipelineRecordProblem(const PipelineRecord& r) {
  if (r.id.empty()) return "id: empty (every record names its point)";
  if (auto p = DeviceProblem(r.device); !p.empty()) return p;
  if (r.batch < 1 || r.batch > kMaxRecordBatch)
    return "batch: outside [1, " + std::to_string(kMaxRecordBatch) + "]";
  if (r.status != PointStatus::ok) return "";  // not timed: nothing more to check
  if (auto p =
          OutsideRange("throughput_ips", r.throughput_ips, kMinThroughputIps, kMaxThroughputIps);
      !p.empty())
    return p;
  if (auto p = TimingProblem("latency", r.latency); !p.empty()) return p;
  if (auto p = TimingProblem("compute", r.compute); !p.empty()) return p;
  for (const auto& [name, v] :
       {std::pair<const char*, double>{"stage_ms.preprocess", r.preprocess_ms},
        {"stage_ms.h2d", r.h2d_ms},
        {"stage_ms.compute", r.compute_ms},
        {"stage_ms.d2h", r.d2h_ms},
        {"breakdown.kernel_time_ms", r.kernel_time_ms},
        {"breakdown (patch conv) [ms]", r.patch_conv_ms},
        {"breakdown (attention) [ms]", r.attention_ms}})
    if (auto p = OutsideRange(name, v, 0, kMaxTimeMs); !p.empty()) return p;
  if (auto p = OutsideRange("peak_memory_bytes", r.peak_memory_bytes, 0, kMaxPeakMemoryBytes);
      !p.empty())
    return p;
  if (auto p = OutsideRange("wall_s", r.wall_s, 0, kMaxTimeMs); !p.empty()) return p;
  if (auto p = OutsideRange("host_launch_us", r.host_launch_us, 0, kMaxTimeMs); !p.empty())
    return p;
  return "";
}

std::string ProbeRecordProblem(const ProbeRecord& r) {
  if (r.id.empty()) return "id: empty (every record names its point)";
  if (auto p = DeviceProblem(r.device); !p.empty()) return p;
  if (auto p = ParamsProblem(r.params); !p.empty()) return p;
  if (r.status != PointStatus::ok) return "";
  if (!(r.value > 0) || !std::isfinite(r.value) || r.value > kMaxProbeValue)
    return "value: outside (0, " + Number(kMaxProbeValue) + "]";
  return TimingProblem("timing", r.timing);
}

}  // namespace vitperf
