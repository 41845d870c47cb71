// An experiment: micro-probes plus named sweeps whose axes (any ViTConfig or PipelineOptions
// field, a model preset, the resolution, the batch) multiply out into measurement points.
// Parsed from data/experiments/<name>.json, amended by command-line overrides (key=v1,v2), then
// expanded and validated point by point before anything is measured.
//
// File format (schema "vitperf.experiment", version 1):
//   {"schema": "vitperf.experiment", "schema_version": 1, "name": "...", "description": "...",
//    "timing": {"warmup": 3, "min_repeats": 5, "target_spread": 0.05, "time_cap_s": 10,
//               "min_time_s": 0.25},
//    "probes": [{"probe": "h2d", "params": {"bytes": [1048576, 268435456], "numa": "local"},
//                "devices": ["cuda"]},
//               {"probe": "matmul", "params": {"m": 8192, "n": 8192, "k": 8192},
//                "cpu": {"params": {"m": 512, "n": 512, "k": 512}}}],
//    "sweeps": [{"name": "...", "fixed": {"precision": "bf16"},
//                "axes": {"model": ["vit_s16", "vit_b16"], "batch": "pow2"},
//                "cpu": {"fixed": {...}, "axes": {...}}}]}
// A list in probe params sweeps that parameter. "devices" limits a probe to device kinds (cpu,
// cuda); elsewhere it is recorded as skipped. A probe's or a sweep's "cpu" block replaces
// same-named keys when the device is the CPU, so one file serves the GPU host and CI. Axes multiply
// in file order, first outermost; the batch is always innermost so "pow2" can stop at the first
// OOM.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/pipeline_options.h"
#include "model/vit_config.h"

namespace vitperf::measure {

inline constexpr const char* kExperimentSchema = "vitperf.experiment";
inline constexpr int kExperimentSchemaVersion = 1;
// Points an experiment may expand to unless --max-points raises it: the largest shipped
// campaign has a few thousand; beyond this a typo in an axis is more likely than intent.
inline constexpr std::size_t kDefaultMaxPoints = 100000;
// "pow2" without a bound stops here when no OOM comes first (the CPU never reports one).
inline constexpr int kPow2DefaultMaxBatch = 4096;

// One sweep axis or fixed setting: a key and its values as text (JSON scalars are converted),
// parsed per key when the experiment is expanded.
struct Axis {
  std::string key;
  std::vector<std::string> values;
};

struct ProbeSpec {
  std::string probe;  // matmul, device_copy, h2d, d2h, staging, launch
  nlohmann::json params = nlohmann::json::object();      // a list value sweeps that parameter
  std::vector<std::string> devices;                      // empty: every device kind
  nlohmann::json cpu_params = nlohmann::json::object();  // replace same-named params on the CPU
};

// Repeated-timing settings for every point of the experiment; unset fields keep the probes'
// defaults. --point-time-limit overrides time_cap_s.
struct ExperimentTiming {
  std::optional<int> warmup;
  std::optional<int> min_repeats;
  std::optional<double> target_spread;
  std::optional<double> time_cap_s;  // [s]
  std::optional<double> min_time_s;  // [s]
};

struct SweepSpec {
  std::string name;
  std::vector<Axis> axes;      // fixed settings are one-value axes, in file order
  std::vector<Axis> cpu_axes;  // replace same-named axes on the CPU
};

struct ExperimentSpec {
  std::string name;
  std::string description;
  std::string source;  // the file it came from
  ExperimentTiming timing;
  std::vector<ProbeSpec> probes;
  std::vector<SweepSpec> sweeps;
};

// A command-line override "key=value" or "key=v1,v2,..." (a sweep over the values).
struct Override {
  std::string key;
  std::vector<std::string> values;
};

// One measurement to take, in run order.
struct PlannedPoint {
  enum class Kind { probe, pipeline };
  Kind kind = Kind::pipeline;
  std::string id;     // stable key (hash of kind, device and settings) used by --resume
  std::string sweep;  // sweep name, or "probes"
  // kind == pipeline
  ViTConfig config;
  int batch = 0;
  PipelineOptions options;
  int pow2_group = -1;  // >= 0: batches of one config+options that stop at the first OOM
  // kind == probe
  std::string probe;
  nlohmann::json params;
  std::vector<std::string> devices;

  // "vit_b16 224px bf16 b=64 eager" or "probe h2d bytes=268435456 numa=local".
  std::string Label() const;
};

// The keys an axis, fixed setting or override may name.
const std::vector<std::string>& AcceptedKeys();

// Resolves NAME (data/experiments/NAME.json) or a path to a JSON file, parses and checks it.
// Throws std::invalid_argument with one line naming the file and the problem.
ExperimentSpec LoadExperiment(const std::string& name_or_path);
ExperimentSpec ParseExperiment(const std::string& json_text, const std::string& source);
// Names of the shipped experiments (data/experiments/*.json), sorted.
std::vector<std::string> ShippedExperiments();

// Parses "key=v1,v2". Throws std::invalid_argument for a missing '=', an unknown key (naming
// the accepted keys and the closest one) or an empty value list.
Override ParseOverride(const std::string& text);
// Overrides replace that key in every sweep (or add it as a new axis), after the CPU block.
// "sweep=a,b" keeps only the named sweeps, "sweep=none" none of them (the micro-probes alone)
// and "probes=none" drops the micro-probes.
void ApplyOverrides(const std::vector<Override>& overrides, bool cpu_device, ExperimentSpec* spec);

// Multiplies out every sweep for `device` ("cpu", "cuda:0") and validates every point. Throws
// std::invalid_argument naming the sweep, the point and the field at the first invalid one,
// or when a sweep yields no points, or when the experiment would expand to more than
// `max_points` (counted before expanding, so nothing large is built).
std::vector<PlannedPoint> ExpandExperiment(const ExperimentSpec& spec, const std::string& device,
                                           std::size_t max_points = kDefaultMaxPoints);

// The stable id of a point on a device.
std::string PointId(const PlannedPoint& point, const std::string& device);

}  // namespace vitperf::measure
