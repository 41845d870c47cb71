// The measurement dataset format (JSONL, one record per line), shared by the probes that write
// it and the fit and validation that read it. Schema "vitperf.measurement", version below.
//
// Every line is an object with "schema", "schema_version" and "kind":
//   kind "provenance": one per run, first in its file (device, driver, versions, NUMA, git, argv)
//   kind "pipeline":   one pipeline probe point: (config, batch, options) -> times
//   kind "probe":      one micro-probe: matmul rate, device copy, h2d/d2h, host staging,
//                      launch overhead
// Each pipeline and probe record also embeds the provenance of its run under "provenance",
// so a record copied out of its file still says where it came from.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/enum_names.h"
#include "model/pipeline_options.h"
#include "model/record_rejections.h"
#include "model/vit_config.h"

namespace vitperf {

inline constexpr const char* kMeasurementSchema = "vitperf.measurement";
inline constexpr int kMeasurementSchemaVersion = 1;

enum class PointStatus { ok, oom, error, skipped, timeout };
template <>
struct EnumNames<PointStatus> {
  static constexpr const char* kField = "status";
  static constexpr std::array<std::pair<PointStatus, const char*>, 5> kNames{{
      {PointStatus::ok, "ok"},
      {PointStatus::oom, "oom"},
      {PointStatus::error, "error"},
      {PointStatus::skipped, "skipped"},
      {PointStatus::timeout, "timeout"},
  }};
};
VITPERF_ENUM_JSON(PointStatus)

// Median and spread of repeated timings of one quantity.
struct TimingStats {
  double median_ms = 0;
  double p10_ms = 0;  // spread is reported as (p90 - p10) / median
  double p90_ms = 0;
  double p99_ms = 0;
  int repeats = 0;
  // "spread" when the relative spread fell under the target, "time_cap" when the cap hit first.
  std::string stop_reason;
  double RelativeSpread() const { return median_ms > 0 ? (p90_ms - p10_ms) / median_ms : 0; }
};
void to_json(nlohmann::json& j, const TimingStats& t);
void from_json(const nlohmann::json& j, TimingStats& t);

// One run's throughput of a pooled point: the run (RunKey: the measuring process's
// provenance.time_utc) and what that run measured [images/s].
struct RunThroughput {
  std::string run;
  double throughput_ips = 0;
};

// Per-stage means and maxima [ms] over a pipeline's timed batches.
struct StageSpread {
  double preprocess_mean_ms = 0, h2d_mean_ms = 0, compute_mean_ms = 0, d2h_mean_ms = 0;
  double compute_idle_mean_ms = 0;
  double compute_max_ms = 0, compute_idle_max_ms = 0;
};

struct PipelineRecord {
  std::string id;      // stable key of the point, used by --resume
  std::string device;  // "cpu", "cuda:0"
  ViTConfig config;
  int batch = 1;
  PipelineOptions options;
  PointStatus status = PointStatus::ok;
  std::string message;  // why a point is not ok

  double throughput_ips = 0;  // [images/s] end to end (or compute only, per options)
  TimingStats latency;        // per batch, end to end
  // Per-stage medians [ms] for one batch; zero when the stage is absent.
  double preprocess_ms = 0, h2d_ms = 0, compute_ms = 0, d2h_ms = 0;
  // Overlapped only (absent otherwise, and in records from before it was measured): [ms] median
  // time the compute stream stood idle between one batch's forward pass and the next.
  std::optional<double> compute_idle_ms;
  // Overlapped only (empty otherwise): [images/s] the timed batches split into three consecutive
  // windows, each window's throughput (a Python loop reports the median of its windows).
  std::vector<double> window_ips;
  // Overlapped only (absent otherwise, and before 2026-12-05): [ms] the stages' means and the
  // compute stage's and idle gap's maxima over the timed batches. Throughput follows the mean
  // period; the medians above hide a few held-up batches or idle gaps, these show them.
  std::optional<StageSpread> stage_spread;
  TimingStats compute;           // pure forward pass on device-resident input
  double peak_memory_bytes = 0;  // device allocator peak during the point
  double wall_s = 0;             // [s] time spent measuring the point
  // [us] per tiny in-place add, the eager launch probe in miniature, taken just before and just
  // after the point (mean): the host's dispatch speed while it ran. Eager dispatch on the VM
  // hosts swings up to 2x over seconds; 0 in records from before it was measured.
  double host_launch_us = 0;
  nlohmann::json breakdown;  // CUPTI kernel classes, or null
  // [ms] CUPTI: the summed durations of one traced iteration's kernels (breakdown.kernel_time_ms;
  // 0 without a trace). The device's own time, untouched by the host's speed or the gaps.
  double kernel_time_ms = 0;
  // [ms] CUPTI: the patch embedding's conv and layout-copy kernels in that iteration
  // (PatchConvKernelMs of the breakdown; 0 when they are not listed).
  double patch_conv_ms = 0;
  // [ms] CUPTI: the fused attention's kernels in that iteration (FusedAttentionKernelMs; 0 for
  // math attention or when they are not listed).
  double attention_ms = 0;
  nlohmann::json provenance;
  // Runs this record pools (PoolRepeatedPoints); in memory only, a written record is one run.
  int pooled_runs = 1;
  // In memory only: each pooled run's throughput (PoolRepeatedPoints), so that batches can be
  // compared over the runs that measured both (validation's paired regret). Empty for a record
  // that was not pooled: read it through RunThroughputs (model/repeated_points.h).
  std::vector<RunThroughput> run_throughputs;
  // In memory only: a pooled record whose peak comes from runs that measured their own peak.
  bool pooled_peak_per_point = false;
};
void to_json(nlohmann::json& j, const PipelineRecord& r);
void from_json(const nlohmann::json& j, PipelineRecord& r);

// Records measured before this time (provenance.time_utc, ISO 8601 UTC) read a peak memory that
// includes the cuBLAS workspaces earlier points of their process left allocated (~33 MiB per
// stream, up to +264 MiB); commit 6e073d9 frees them before each point.
inline constexpr const char* kPeakMemoryPerPointSince = "2026-11-24T11:00:00Z";
// Whether the record's peak memory is its own point's: measured since kPeakMemoryPerPointSince,
// or pooled from such runs.
bool PeakMemoryIsPerPoint(const PipelineRecord& r);

// Overlapped records measured before this time (provenance.time_utc) ran with one thread queuing
// H2D, forward pass and D2H; since commit e368fd8 each stage has its own (measure/batch_ring.h).
// from_json sets options.stage_threads from it.
inline constexpr const char* kStageThreadsSince = "2026-12-04T20:12:28Z";
// Records measured before this time normalised uint8 input on the device through two float32
// temporaries (19 B/px at bf16); since then in the model's dtype (7 B/px at bf16,
// measure/vit_module.cpp NormalizeImages).
// from_json sets options.normalize_in_model_dtype from it.
inline constexpr const char* kNormalizeInModelDtypeSince = "2026-12-05T04:10:00Z";

// Micro-probes. Units are fixed per probe name:
//   "matmul"      params {m, n, k, precision}        value [TFLOP/s]
//   "device_copy" params {bytes}                      value [GB/s] bytes read + written
//   "strided_copy" params {bytes, run_elements}       value [GB/s] bytes read + written
//   "gelu"        params {bytes}                      value [GB/s] bytes read + written
//   "attention"   params {batch, tokens, bias}        value [TFLOP/s]
//   "h2d", "d2h"  params {bytes, host_memory, numa}   value [GB/s]
//   "staging"     params {bytes, idle_ms, h2d}        value [GB/s] host memcpy into staging
//   "launch"      params {execution}                  value [us] per kernel
struct ProbeRecord {
  std::string id;
  std::string device;
  std::string probe;
  nlohmann::json params = nlohmann::json::object();
  PointStatus status = PointStatus::ok;
  std::string message;
  double value = 0;
  std::string unit;
  TimingStats timing;
  nlohmann::json provenance;
};
void to_json(nlohmann::json& j, const ProbeRecord& r);
void from_json(const nlohmann::json& j, ProbeRecord& r);

// [us] median host_launch_us over the ok records that carry one; 0 when none do. The host state
// a fit refers its eager dispatch cost to.
double MedianHostLaunchUs(const std::vector<PipelineRecord>& records);

// The host's per-kernel costs of a point (eager dispatch, compiled code's calls and launches)
// relative to the reference host state: host_launch_us / reference, or 1 when either is
// missing or the point replays a graph (one launch per batch).
double DispatchScale(const PipelineRecord& record, double reference_launch_us);

// One dataset read from one or more JSONL files.
struct MeasurementSet {
  std::vector<nlohmann::json> provenance;
  std::vector<PipelineRecord> pipeline;
  std::vector<ProbeRecord> probes;
  // Skipped lines by reason: malformed or torn (a sweep killed mid-write leaves at most one),
  // invalid fields, values outside physical ranges, an id naming two different points.
  RecordRejections rejected;
  // Point of each id read so far ("id|device" -> what it measures), for the one-point rule.
  std::map<std::string, std::string> point_of_id;
};

// Reads a JSONL file (a regular file, or "-" for standard input, up to kMaxDataFileBytes).
// Lines that fail the record checks are skipped and counted in `into->rejected`; a missing or
// unreadable file, or a line with a wrong schema name or a newer version, throws
// std::invalid_argument naming the file (and line).
// `checks`: all of model/record_validation.h, or (for --resume, which only needs to know which
// points are done) the id rules alone.
enum class RecordChecks { all, ids_only };
void ReadMeasurements(const std::string& path, MeasurementSet* into,
                      RecordChecks checks = RecordChecks::all);
// The same from text already read; `source` names it in messages.
void ReadMeasurementsText(const std::string& text, const std::string& source, MeasurementSet* into,
                          RecordChecks checks = RecordChecks::all);
// One line for stderr summarising what reading skipped, or "" when nothing was.
std::string RejectionSummary(const MeasurementSet& data);

// A JSONL line for a record, with schema, version and kind stamped in.
std::string ToJsonLine(const PipelineRecord& r);
std::string ToJsonLine(const ProbeRecord& r);
std::string ProvenanceLine(const nlohmann::json& provenance);

}  // namespace vitperf
