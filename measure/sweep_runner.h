// Runs an expanded experiment point by point and appends one JSONL record per point: a
// provenance line first, then each probe and pipeline record, flushed as it is written, so an
// interrupted run can be resumed. Out-of-memory is a data point; "pow2" batch series stop at
// their first OOM and record the larger batches as skipped. SIGINT/SIGTERM stop the run after
// the current point (a second signal kills it; the torn line is repaired on resume).
#pragma once

#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "measure/cupti_tracer.h"
#include "measure/experiment.h"
#include "measure/probe_context.h"
#include "model/measurement_record.h"

namespace vitperf::measure {

// The measuring functions the runner calls; the command line passes the LibTorch probes, tests
// may pass their own to exercise the runner's bookkeeping.
struct ProbeFunctions {
  std::function<PipelineRecord(const ViTConfig&, int batch, const PipelineOptions&,
                               const ProbeContext&)>
      pipeline;
  std::function<ProbeRecord(const std::string& probe, const nlohmann::json& params,
                            const ProbeContext&)>
      micro;
  std::function<nlohmann::json(const std::string& device)> device_info;
};

// The LibTorch probes (measure/pipeline_probe.h, measure/micro_probes.h, measure/device.h),
// with micro-probe names and params as in model/measurement_record.h.
ProbeFunctions LibTorchProbeFunctions();

struct SweepOptions {
  std::string device = "cpu";  // canonical: "cpu" or "cuda:N"
  std::string output;          // JSONL file
  bool resume = false;
  int shard_index = 0;  // run points whose index % shard_count == shard_index
  int shard_count = 1;
  std::optional<double> point_time_limit_s;  // [s] overrides the experiment's time cap
  std::string topology_xml;                  // hwloc XML instead of this machine ("" = machine)
  CuptiBreakdown cupti = CuptiBreakdown::detach;
  std::string aoti_dir;  // AOTInductor packages of compiled points ("" = none)
  std::vector<std::string> argv;
  std::ostream* log = nullptr;  // progress and warnings; nullptr = std::cerr
  bool handle_signals = true;   // install SIGINT/SIGTERM handlers for the run

  bool IsValid(std::string* why) const;
};

struct SweepSummary {
  int planned = 0;  // points in this shard
  int ok = 0, oom = 0, skipped = 0, error = 0, timeout = 0;
  int already_done = 0;  // found in the file with a final status (--resume)
  int not_run = 0;       // left after an interruption
  double wall_s = 0;     // [s] the whole run
  double measure_s = 0;  // [s] spent inside the probes (device time)
  bool interrupted = false;
  std::string Brief() const;  // one line
};
void to_json(nlohmann::json& j, const SweepSummary& s);

// Parses "i/n" (0 <= i < n). Throws std::invalid_argument.
void ParseShard(const std::string& text, int* index, int* count);

// "1m20s", "42s", "3h05m".
std::string FormatDuration(double seconds);

class SweepRunner {
 public:
  SweepRunner(ExperimentSpec spec, std::vector<PlannedPoint> points, SweepOptions options,
              ProbeFunctions functions);
  // Throws std::invalid_argument when the output exists without --resume, is not a file, or
  // holds records of another device or experiment (nothing written); std::runtime_error on
  // I/O failures.
  SweepSummary Run();

  // The points of this shard, in run order.
  std::vector<const PlannedPoint*> ShardPoints() const;

 private:
  ExperimentSpec spec_;
  std::vector<PlannedPoint> points_;
  SweepOptions options_;
  ProbeFunctions functions_;
};

// The statuses that end a point (a shard's merge counts them); a resumed run measures none of
// them again except skipped ones, whose reason may be gone (a package built since).
bool IsFinalStatus(PointStatus s);

}  // namespace vitperf::measure
