#include "measure/sweep_runner.h"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "measure/aoti_runner.h"
#include "measure/device.h"
#include "measure/jsonl_appender.h"
#include "measure/micro_probes.h"
#include "measure/numa_topology.h"
#include "measure/pipeline_probe.h"
#include "measure/provenance.h"

namespace vitperf::measure {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Signal state: a handler may only touch a lock-free atomic flag.
volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void OnStopSignal(int signal) {
  g_stop_signal = signal;
  // A second signal takes the default action (terminate): the user insists. Every record
  // already written is whole; a line being written is repaired by the next --resume.
  std::signal(signal, SIG_DFL);
}

// Installs the handlers for one run and puts the previous ones back after it.
class StopSignals {
 public:
  explicit StopSignals(bool install) : installed_(install) {
    g_stop_signal = 0;
    if (!installed_) return;
    struct sigaction action {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // system calls in the probes go on as if nothing happened
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  ~StopSignals() {
    if (!installed_) return;
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  bool Stopped() const { return g_stop_signal != 0; }

 private:
  bool installed_;
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

std::string DeviceKind(const std::string& device) {
  return device.rfind("cuda", 0) == 0 ? "cuda" : "cpu";
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// What the point asks for: the pipeline option, or the probe's "numa" parameter.
NumaBinding RequestedBinding(const PlannedPoint& p) {
  if (p.kind == PlannedPoint::Kind::pipeline) return p.options.numa;
  auto it = p.params.find("numa");
  return it == p.params.end() ? NumaBinding::none
                              : ParseEnumOrThrow<NumaBinding>(it->get<std::string>());
}

// A record for a point that was not measured, with the reason.
std::string SkippedLine(const PlannedPoint& p, const std::string& device,
                        const nlohmann::json& provenance, PointStatus status,
                        const std::string& message) {
  if (p.kind == PlannedPoint::Kind::probe) {
    ProbeRecord r;
    r.id = p.id;
    r.device = device;
    r.probe = p.probe;
    r.params = p.params;
    r.status = status;
    r.message = message;
    r.provenance = provenance;
    return ToJsonLine(r);
  }
  PipelineRecord r;
  r.id = p.id;
  r.device = device;
  r.config = p.config;
  r.batch = p.batch;
  r.options = p.options;
  r.status = status;
  r.message = message;
  r.provenance = provenance;
  return ToJsonLine(r);
}

std::string Outcome(PointStatus status, const std::string& message, double value,
                    const std::string& unit) {
  std::ostringstream s;
  s << ToString(status);
  if (status == PointStatus::ok) {
    char text[64];
    std::snprintf(text, sizeof text, " %.4g %s", value, unit.c_str());
    s << text;
  } else if (!message.empty()) {
    s << " (" << message << ")";
  }
  return s.str();
}

// One micro-probe by name; params were checked when the experiment was parsed.
ProbeRecord RunMicroProbe(const std::string& probe, const nlohmann::json& params,
                          const ProbeContext& ctx) {
  auto text = [&](const char* key, const char* fallback) {
    auto it = params.find(key);
    return it == params.end() ? std::string(fallback) : it->get<std::string>();
  };
  if (probe == "matmul") {
    MatmulShape shape;
    shape.m = params.at("m").get<std::int64_t>();
    shape.n = params.at("n").get<std::int64_t>();
    shape.k = params.at("k").get<std::int64_t>();
    return RunMatmulProbe(shape, ParseEnumOrThrow<Precision>(text("precision", "bf16")), ctx);
  }
  if (probe == "device_copy")
    return RunDeviceCopyProbe(params.at("bytes").get<std::int64_t>(), ctx);
  if (probe == "gelu") return RunGeluProbe(params.at("bytes").get<std::int64_t>(), ctx);
  if (probe == "attention")
    return RunAttentionProbe(params.at("batch").get<std::int64_t>(),
                             params.at("tokens").get<std::int64_t>(),
                             params.contains("bias") && params.at("bias").get<bool>(), ctx);
  if (probe == "strided_copy")
    return RunStridedCopyProbe(
        params.at("bytes").get<std::int64_t>(),
        params.contains("run_elements") ? params.at("run_elements").get<std::int64_t>() : 1, ctx);
  if (probe == "h2d" || probe == "d2h")
    return RunTransferProbe(probe == "h2d" ? CopyDirection::h2d : CopyDirection::d2h,
                            params.at("bytes").get<std::int64_t>(),
                            ParseEnumOrThrow<HostMemory>(text("host_memory", "pinned")), ctx);
  if (probe == "staging")
    return RunStagingProbe(params.at("bytes").get<std::int64_t>(),
                           params.contains("idle_ms") ? params.at("idle_ms").get<double>() : 0.0,
                           params.contains("h2d") && params.at("h2d").get<bool>(), ctx);
  if (probe == "launch")
    return RunLaunchProbe(ParseEnumOrThrow<ExecutionMode>(text("execution", "eager")), ctx);
  throw std::invalid_argument("probe: unknown micro-probe '" + probe + "'");
}

std::string Text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// --resume appends to a file of the same device and experiment only: two provenances in one
// file would pool an H200's points with a CPU's.
void CheckSameProvenance(const MeasurementSet& existing, const nlohmann::json& provenance,
                         const std::string& path) {
  const std::string device = Text(provenance, "device");
  const std::string name = Text(provenance, "device_name");
  const std::string experiment = Text(provenance, "experiment");
  auto refuse = [&](const std::string& had) {
    throw std::invalid_argument("resume: " + path + " holds " + had + "; this run is experiment '" +
                                experiment + "' on " + device +
                                (name.empty() ? "" : " (" + name + ")") +
                                " (accepted: the same device and experiment; choose another "
                                "output file)");
  };
  for (const auto& p : existing.provenance) {
    const std::string d = Text(p, "device"), n = Text(p, "device_name");
    const std::string e = Text(p, "experiment");
    if (d != device || n != name || e != experiment)
      refuse("records of experiment '" + e + "' on " + d + (n.empty() ? "" : " (" + n + ")"));
  }
  for (const auto& r : existing.pipeline)
    if (r.device != device) refuse("records measured on " + r.device);
  for (const auto& r : existing.probes)
    if (r.device != device) refuse("records measured on " + r.device);
}

}  // namespace

ProbeFunctions LibTorchProbeFunctions() {
  ProbeFunctions f;
  f.pipeline = RunPipelinePoint;
  f.micro = RunMicroProbe;
  f.device_info = [](const std::string& device) { return DeviceInfo(ParseDevice(device)); };
  return f;
}

bool IsFinalStatus(PointStatus s) {
  return s == PointStatus::ok || s == PointStatus::oom || s == PointStatus::skipped ||
         s == PointStatus::error;
}

bool SweepOptions::IsValid(std::string* why) const {
  auto fail = [&](const std::string& msg) {
    if (why) *why = msg;
    return false;
  };
  if (output.empty()) return fail("output: a JSONL file is required (-o FILE)");
  if (shard_count < 1 || shard_index < 0 || shard_index >= shard_count)
    return fail("shard: index must be in [0, count)");
  if (point_time_limit_s && !(*point_time_limit_s > 0))
    return fail("point-time-limit: must be a positive number of seconds");
  return true;
}

void ParseShard(const std::string& text, int* index, int* count) {
  int i = -1, n = -1;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d/%d%c", &i, &n, &tail) != 2 || n < 1 || i < 0 || i >= n)
    throw std::invalid_argument("shard: '" + text +
                                "' is not i/n with 0 <= i < n (e.g. 0/2 and 1/2)");
  *index = i;
  *count = n;
}

std::string FormatDuration(double seconds) {
  const long long s = std::llround(std::max(0.0, seconds));
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  else if (s >= 60)
    std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%llds", s);
  return text;
}

std::string SweepSummary::Brief() const {
  std::ostringstream s;
  s << planned << " points: " << ok << " ok, " << oom << " oom, " << skipped << " skipped, "
    << error << " error";
  if (timeout) s << ", " << timeout << " timeout";
  if (already_done) s << ", " << already_done << " already done";
  if (not_run) s << ", " << not_run << " not run";
  s << "; wall " << FormatDuration(wall_s) << ", measuring " << FormatDuration(measure_s);
  if (interrupted) s << " (interrupted)";
  return s.str();
}

void to_json(nlohmann::json& j, const SweepSummary& s) {
  j = nlohmann::json{{"planned", s.planned},
                     {"ok", s.ok},
                     {"oom", s.oom},
                     {"skipped", s.skipped},
                     {"error", s.error},
                     {"timeout", s.timeout},
                     {"already_done", s.already_done},
                     {"not_run", s.not_run},
                     {"wall_s", s.wall_s},
                     {"measure_s", s.measure_s},
                     {"interrupted", s.interrupted}};
}

SweepRunner::SweepRunner(ExperimentSpec spec, std::vector<PlannedPoint> points,
                         SweepOptions options, ProbeFunctions functions)
    : spec_(std::move(spec)),
      points_(std::move(points)),
      options_(std::move(options)),
      functions_(std::move(functions)) {}

std::vector<const PlannedPoint*> SweepRunner::ShardPoints() const {
  std::vector<const PlannedPoint*> out;
  for (std::size_t i = 0; i < points_.size(); ++i)
    if (static_cast<int>(i % options_.shard_count) == options_.shard_index)
      out.push_back(&points_[i]);
  return out;
}

SweepSummary SweepRunner::Run() {
  std::string why;
  if (!options_.IsValid(&why)) throw std::invalid_argument(why);
  std::ostream& log = options_.log ? *options_.log : std::cerr;
  const auto run_start = Clock::now();
  const std::string& device = options_.device;

  // ---- what is already in the file (--resume) ----
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status output_status = fs::status(options_.output, ec);
  // A FIFO would block the open; a directory cannot hold records. /dev/null is fine.
  if (fs::is_directory(output_status))
    throw std::invalid_argument("output: '" + options_.output + "' is a directory, not a file");
  if (fs::exists(output_status) && !fs::is_regular_file(output_status) &&
      !fs::is_character_file(output_status))
    throw std::invalid_argument("output: '" + options_.output +
                                "' is not a regular file (a FIFO or socket)");
  const bool exists = fs::is_regular_file(output_status) && fs::file_size(options_.output, ec) > 0;
  if (exists && !options_.resume)
    throw std::invalid_argument("output: " + options_.output +
                                " already has records; pass --resume to continue it, or "
                                "choose another file");
  std::map<std::string, PointStatus> done;
  std::map<std::string, int> done_batch;  // id -> batch, for the OOM bookkeeping
  MeasurementSet existing;
  if (exists) {
    // Read, not repaired yet: a file of another run is refused untouched.
    ReadMeasurements(options_.output, &existing, RecordChecks::ids_only);
    if (const std::string s = RejectionSummary(existing); !s.empty())
      log << "vitperf: warning: " << s << "\n";
    for (const auto& r : existing.pipeline)
      if (IsFinalStatus(r.status)) done[r.id] = r.status;
    for (const auto& r : existing.probes)
      if (IsFinalStatus(r.status)) done[r.id] = r.status;
  }

  // ---- the machine ----
  const NumaTopology topology = NumaTopology::Load(options_.topology_xml);
  const nlohmann::json device_info = functions_.device_info(device);
  const std::string gpu_bus_id = device_info.value("pci_bus_id", "");
  ProvenanceInputs inputs;
  inputs.device_info = device_info;
  inputs.experiment = spec_.name;
  inputs.argv = options_.argv;
  if (options_.shard_count > 1)
    inputs.shard =
        std::to_string(options_.shard_index) + "/" + std::to_string(options_.shard_count);
  nlohmann::json provenance = MakeProvenance(inputs, topology);
  // Whether CUPTI stayed attached between points changes eager timings (see CuptiBreakdown).
  provenance["cupti"] = ToString(options_.cupti);
  if (exists) {
    CheckSameProvenance(existing, provenance, options_.output);
    const std::string repaired = RepairTornTail(options_.output);
    if (!repaired.empty()) log << "vitperf: warning: " << repaired << "\n";
  }

  JsonlAppender out(options_.output);
  out.Append(ProvenanceLine(provenance));

  const auto points = ShardPoints();
  SweepSummary summary;
  summary.planned = static_cast<int>(points.size());
  int to_measure = 0;
  // A point skipped before is tried again (its AOTInductor package may exist now), unless the
  // runner's own reasons (an OOM series, the device, the NUMA plan) skip it again.
  auto measured_before = [&](const std::string& id) {
    const auto it = done.find(id);
    return it != done.end() && it->second != PointStatus::skipped;
  };
  for (const auto* p : points) to_measure += measured_before(p->id) ? 0 : 1;

  std::map<int, int> first_oom_batch;  // pow2 group -> batch of its first OOM
  StopSignals signals(options_.handle_signals);
  double measured_wall_s = 0;
  int measured = 0, position = 0;

  for (const PlannedPoint* p : points) {
    ++position;
    if (signals.Stopped()) {
      summary.interrupted = true;
      summary.not_run = summary.planned - position + 1;
      break;
    }
    auto record_oom = [&](int batch) {
      if (p->pow2_group < 0) return;
      auto it = first_oom_batch.find(p->pow2_group);
      if (it == first_oom_batch.end() || batch < it->second) first_oom_batch[p->pow2_group] = batch;
    };
    if (measured_before(p->id)) {
      ++summary.already_done;
      if (done.at(p->id) == PointStatus::oom) record_oom(p->batch);
      continue;
    }
    const bool skipped_before = done.count(p->id) > 0;

    // ---- points that cannot run: recorded with the reason, never dropped ----
    std::string skip_reason;
    if (p->kind == PlannedPoint::Kind::pipeline && p->pow2_group >= 0) {
      auto it = first_oom_batch.find(p->pow2_group);
      if (it != first_oom_batch.end() && p->batch > it->second)
        skip_reason = "larger than the first OOM batch (" + std::to_string(it->second) + ")";
    }
    if (p->kind == PlannedPoint::Kind::probe && !p->devices.empty() &&
        std::find(p->devices.begin(), p->devices.end(), DeviceKind(device)) == p->devices.end())
      skip_reason = "probe " + p->probe + " runs on " + Join(p->devices) + " only";
    const NumaBinding binding = RequestedBinding(*p);
    const BindingPlan plan = topology.Plan(ToString(binding), gpu_bus_id);
    if (skip_reason.empty() && !plan.applicable) skip_reason = plan.reason;
    const nlohmann::json point_provenance = WithBinding(provenance, plan);

    const std::string head =
        "[" + std::to_string(position) + "/" + std::to_string(summary.planned) + "] " + p->Label();
    if (!skip_reason.empty() && skipped_before) {  // recorded with its reason already
      ++summary.already_done;
      continue;
    }
    if (!skip_reason.empty()) {
      out.Append(SkippedLine(*p, device, point_provenance, PointStatus::skipped, skip_reason));
      ++summary.skipped;
      log << head << " ... skipped (" << skip_reason << ")\n";
      continue;
    }

    // ---- measure ----
    const int remaining = to_measure - measured;
    std::string eta;
    if (measured > 0) eta = " ETA " + FormatDuration(measured_wall_s / measured * remaining);
    log << head << " ..." << eta << std::flush;

    ProbeContext ctx;
    ctx.device = device;
    if (spec_.timing.warmup) ctx.warmup = *spec_.timing.warmup;
    if (spec_.timing.min_repeats) ctx.min_repeats = *spec_.timing.min_repeats;
    if (spec_.timing.target_spread) ctx.target_spread = *spec_.timing.target_spread;
    if (spec_.timing.time_cap_s) ctx.time_cap_s = *spec_.timing.time_cap_s;
    if (spec_.timing.min_time_s) ctx.min_time_s = *spec_.timing.min_time_s;
    if (options_.point_time_limit_s) ctx.time_cap_s = *options_.point_time_limit_s;
    ctx.provenance = point_provenance;
    ctx.cupti = options_.cupti;
    ctx.aoti_dir = options_.aoti_dir;
    ctx.numa = binding;
    if (plan.node) {
      ctx.numa_node = *plan.node;
      ctx.bind_thread = [topology, plan] { topology.BindCurrentThread(plan); };
      ctx.host_alloc = [topology, plan](std::size_t bytes) {
        return topology.AllocateRaw(plan, bytes);
      };
      ctx.host_free = [topology](void* data, std::size_t bytes) { topology.Free(data, bytes); };
    }

    const auto point_start = Clock::now();
    std::string line;
    PointStatus status = PointStatus::error;
    std::string message, unit;
    double value = 0, probe_wall_s = 0;
    try {
      // The calling thread issues the copies and kernels: it runs on the node too.
      ScopedThreadBinding bound(topology, plan);
      if (p->kind == PlannedPoint::Kind::pipeline) {
        PipelineRecord r = functions_.pipeline(p->config, p->batch, p->options, ctx);
        r.id = p->id;
        r.device = device;
        // The run's provenance, plus what a compiled point adds: the package it ran.
        nlohmann::json provenance_of_point = point_provenance;
        if (r.provenance.is_object() && r.provenance.contains("compiled"))
          provenance_of_point["compiled"] = r.provenance["compiled"];
        r.provenance = std::move(provenance_of_point);
        status = r.status;
        message = r.message;
        value = r.throughput_ips;
        unit = "img/s";
        probe_wall_s = r.wall_s;
        line = ToJsonLine(r);
      } else {
        ProbeRecord r = functions_.micro(p->probe, p->params, ctx);
        r.id = p->id;
        r.device = device;
        r.provenance = point_provenance;
        status = r.status;
        message = r.message;
        value = r.value;
        unit = r.unit;
        line = ToJsonLine(r);
      }
    } catch (const std::exception& e) {
      // A probe that throws (a bug, or a binding hwloc refused) is one failed point; the
      // sweep goes on with the next.
      status = PointStatus::error;
      message = e.what();
      line = SkippedLine(*p, device, point_provenance, status, message);
    }
    const double point_s = SecondsSince(point_start);
    out.Append(line);
    measured_wall_s += point_s;
    summary.measure_s += probe_wall_s > 0 ? probe_wall_s : point_s;
    ++measured;
    switch (status) {
      case PointStatus::ok:
        ++summary.ok;
        break;
      case PointStatus::oom:
        ++summary.oom;
        record_oom(p->batch);
        break;
      case PointStatus::skipped:
        ++summary.skipped;
        break;
      case PointStatus::timeout:
        ++summary.timeout;
        break;
      case PointStatus::error:
        ++summary.error;
        break;
    }
    log << " " << Outcome(status, message, value, unit) << " [" << FormatDuration(point_s) << "]\n";
  }
  if (signals.Stopped()) summary.interrupted = true;
  ReleaseCachedAotiRunner();  // the last compiled point's package: its weights and temp files
  summary.wall_s = SecondsSince(run_start);
  return summary;
}

}  // namespace vitperf::measure
