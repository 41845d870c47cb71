// `vitperf measure`: runs an experiment's probes and sweeps on a device and appends JSONL
// records; `vitperf topo`: the NUMA layout and each GPU's local node as hwloc sees it.
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/run_meta.h"
#include "measure/aoti_package.h"
#include "measure/device.h"
#include "measure/experiment.h"
#include "measure/numa_topology.h"
#include "measure/shard_merge.h"
#include "measure/sweep_runner.h"
#include "predict/text_table.h"

namespace vitperf::cli {
namespace {

// What a run interrupted by SIGINT/SIGTERM exits with (128 + SIGINT, as shells do).
constexpr int kExitInterrupted = 130;

struct MeasureArgs {
  std::string experiment;
  std::string device;
  std::string output;
  bool resume = false;
  std::string shard;
  std::optional<double> point_time_limit_s;
  bool dry_run = false;
  std::string topology_xml;
  std::string cupti = "detach";
  std::vector<std::string> overrides;
  std::size_t max_points = measure::kDefaultMaxPoints;
  bool json = false;
  std::string aoti_dir;
  bool aoti_prepare = false;
};

// --aoti-prepare: the weights and package requests of the experiment's compiled points, for
// scripts/aoti_compile.py; nothing is measured.
void PrepareAoti(const MeasureArgs& a, const std::vector<measure::PlannedPoint>& points,
                 const measure::Device& device) {
  if (a.aoti_dir.empty())
    throw std::invalid_argument("aoti-dir: --aoti-prepare needs the folder to write into");
  const auto requests = measure::AotiRequestsFor(points);
  if (requests.empty())
    throw std::invalid_argument(
        "aoti-prepare: experiment " + a.experiment +
        " has no compiled point (accepted: an experiment or override with execution=compiled)");
  const auto written = measure::WriteAotiRequests(
      requests, a.aoti_dir, device.cuda ? "cuda" : "cpu", measure::ProbeContext().seed);
  TextTable table({"model", "compile_mode", "batches", "request"});
  for (std::size_t i = 0; i < requests.size(); ++i) {
    std::string batches;
    for (int b : requests[i].batches) batches += (batches.empty() ? "" : ",") + std::to_string(b);
    table.AddRow(
        {requests[i].config.Label(), measure::AotiModeName(requests[i].mode), batches, written[i]});
  }
  std::cout << requests.size() << " AOTInductor package request"
            << (requests.size() == 1 ? "" : "s") << " in " << a.aoti_dir << ":\n";
  table.Print(std::cout);
  std::cout << "next: python3 scripts/aoti_compile.py " << a.aoti_dir
            << "   (where PyTorch >= 2.6 is installed)\n";
}

void PrintDryRun(const measure::ExperimentSpec& spec,
                 const std::vector<measure::PlannedPoint>& points,
                 const std::vector<const measure::PlannedPoint*>& shard, const std::string& device,
                 bool json) {
  if (json) {
    nlohmann::json out = JsonEnvelope("measure", 1);
    out["experiment"] = spec.name;
    out["device"] = device;
    out["dry_run"] = true;
    out["planned"] = points.size();
    out["points"] = nlohmann::json::array();
    for (const auto* p : shard)
      out["points"].push_back({{"id", p->id}, {"sweep", p->sweep}, {"label", p->Label()}});
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "experiment " << spec.name << " on " << device << ": " << shard.size() << " points";
  if (shard.size() != points.size()) std::cout << " (of " << points.size() << ")";
  std::cout << ", nothing measured (--dry-run)\n";
  TextTable table({"#", "id", "sweep", "point"});
  int index = 0;
  for (const auto* p : shard) {
    std::string label = p->Label();
    if (p->pow2_group >= 0) label += "  (pow2: stops at first OOM)";
    table.AddRow({std::to_string(++index), p->id, p->sweep, label});
  }
  table.Print(std::cout);
}

void RunMeasure(const MeasureArgs& a) {
  // Everything is parsed and validated before the output file is touched.
  const measure::Device device = measure::ParseDevice(a.device);
  const std::string device_name = device.ToString();
  measure::SweepOptions options;
  options.device = device_name;
  options.output = a.output;
  options.resume = a.resume;
  if (!a.shard.empty()) measure::ParseShard(a.shard, &options.shard_index, &options.shard_count);
  options.point_time_limit_s = a.point_time_limit_s;
  // Checked before --dry-run too: a dry run promises the real run would start.
  if (a.point_time_limit_s && !(*a.point_time_limit_s > 0 && std::isfinite(*a.point_time_limit_s)))
    throw std::invalid_argument(
        "point-time-limit: must be a finite positive number of seconds (e.g. 30)");
  if (a.max_points < 1) throw std::invalid_argument("max-points: must be at least 1");
  options.topology_xml = a.topology_xml;
  options.cupti = ParseEnumOrThrow<measure::CuptiBreakdown>(a.cupti);
  options.argv = MetaBlock()["argv"].get<std::vector<std::string>>();

  measure::ExperimentSpec spec = measure::LoadExperiment(a.experiment);
  std::vector<measure::Override> overrides;
  for (const auto& text : a.overrides) overrides.push_back(measure::ParseOverride(text));
  measure::ApplyOverrides(overrides, !device.cuda, &spec);
  std::vector<measure::PlannedPoint> points =
      measure::ExpandExperiment(spec, device_name, a.max_points);

  if (a.aoti_prepare) {
    PrepareAoti(a, points, device);
    return;
  }
  options.aoti_dir = a.aoti_dir;
  if (a.dry_run) {
    measure::SweepRunner runner(spec, points, options, {});
    PrintDryRun(spec, points, runner.ShardPoints(), device_name, a.json);
    return;
  }
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);

  measure::SweepRunner runner(std::move(spec), std::move(points), options,
                              measure::LibTorchProbeFunctions());
  const measure::SweepSummary summary = runner.Run();
  std::cerr << "vitperf measure: " << summary.Brief() << "; records in " << a.output << "\n";
  if (a.json) {
    nlohmann::json out = JsonEnvelope("measure", 1);
    out["experiment"] = a.experiment;
    out["device"] = device_name;
    out["output"] = a.output;
    out["summary"] = summary;
    std::cout << out.dump(2) << "\n";
  }
  if (summary.interrupted) {
    std::cerr << "vitperf measure: interrupted; run again with --resume to finish\n";
    throw ExitStatus{kExitInterrupted};
  }
}

void RunTopo(bool json, const std::string& xml, const std::string& device_text) {
  const measure::NumaTopology topology = measure::NumaTopology::Load(xml);
  // The CUDA device's bus id, when one is named, to show its plans.
  std::string bus_id;
  if (!device_text.empty()) {
    const measure::Device device = measure::ParseDevice(device_text);
    if (!device.cuda) throw std::invalid_argument("device: topo needs a CUDA device (cuda:N)");
    bus_id = measure::DeviceInfo(device).value("pci_bus_id", "");
  } else if (!topology.PciGpus().empty()) {
    bus_id = topology.PciGpus().front().pci_bus_id;
  }
  std::vector<measure::BindingPlan> plans;
  if (!bus_id.empty())
    for (const char* request : {"local", "remote"}) plans.push_back(topology.Plan(request, bus_id));

  if (json) {
    nlohmann::json out = JsonEnvelope("topology", measure::kTopologySchemaVersion);
    const nlohmann::json summary = topology.Summary();
    out["source"] = summary["source"];
    out["nodes"] = summary["nodes"];
    out["gpus"] = summary["gpus"];
    out["plans_for"] = bus_id.empty() ? nlohmann::json() : nlohmann::json(bus_id);
    out["plans"] = plans;
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "NUMA topology of " << topology.Source() << ": " << topology.Nodes().size()
            << (topology.Nodes().size() == 1 ? " node" : " nodes") << "\n";
  TextTable nodes({"node", "cores", "PUs", "memory", "cpus"});
  for (const auto& n : topology.Nodes())
    nodes.AddRow({std::to_string(n.os_index), std::to_string(n.cores), std::to_string(n.pus),
                  Bytes(static_cast<double>(n.memory_bytes)), n.cpuset});
  nodes.Print(std::cout);
  std::cout << "\n";
  if (topology.PciGpus().empty()) {
    std::cout << "no PCI GPU in the topology\n";
  } else {
    TextTable gpus({"PCI bus id", "vendor:device", "local node", "name"});
    for (const auto& g : topology.PciGpus())
      gpus.AddRow({g.pci_bus_id, g.vendor_device,
                   g.local_node ? std::to_string(*g.local_node) : "none (no affinity)", g.name});
    gpus.Print(std::cout);
  }
  if (!plans.empty()) {
    std::cout << "\nbinding plans for the GPU at " << bus_id << ":\n";
    TextTable table({"binding", "node", "cpus", "note"});
    for (const auto& p : plans)
      table.AddRow({p.request, p.node ? std::to_string(*p.node) : "-",
                    p.cpuset.empty() ? "-" : p.cpuset, p.applicable ? "" : p.reason});
    table.Print(std::cout);
  }
}

struct MergeArgs {
  std::string experiment;
  std::string device = "cpu";
  std::string output;
  std::vector<std::string> shards;
  std::vector<std::string> overrides;
  bool json = false;
};

// The points the shards should hold: the experiment expanded as `measure` expands it.
void RunMerge(const MergeArgs& a) {
  const measure::Device device = measure::ParseDevice(a.device);
  measure::ExperimentSpec spec = measure::LoadExperiment(a.experiment);
  std::vector<measure::Override> overrides;
  for (const auto& text : a.overrides) overrides.push_back(measure::ParseOverride(text));
  measure::ApplyOverrides(overrides, !device.cuda, &spec);
  const std::vector<measure::PlannedPoint> points =
      measure::ExpandExperiment(spec, device.ToString());
  const measure::MergeSummary summary =
      measure::MergeShards(spec, points, device.ToString(), a.shards, a.output);
  if (a.json) {
    nlohmann::json out = JsonEnvelope("merge", 1);
    out["experiment"] = spec.name;
    out["device"] = device.ToString();
    out["output"] = summary.Complete() ? nlohmann::json(a.output) : nlohmann::json();
    out["shards"] = summary.shards;
    out["planned"] = summary.planned;
    out["records"] = summary.records;
    out["complete"] = summary.Complete();
    out["missing"] = summary.missing;
    out["duplicated"] = summary.duplicated;
    out["unplanned"] = summary.unplanned;
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "merge " << spec.name << " on " << device.ToString() << ": " << summary.Brief()
              << (summary.Complete() ? "; written to " + a.output : "; nothing written") << "\n";
  }
  if (!summary.Complete()) throw ExitStatus{kExitCheckFailed};
}

}  // namespace

void AddMeasureCommands(CLI::App& app) {
  auto args = std::make_shared<MeasureArgs>();
  args->device = measure::BuildHasCuda() ? "cuda:0" : "cpu";
  CLI::App* measure = app.add_subcommand(
      "measure",
      "Measure an experiment's micro-probes and pipeline points on a device; one JSONL record "
      "per point, appended as it is measured.");
  measure
      ->add_option("-e,--experiment", args->experiment,
                   "shipped experiment name (quick_test, calibration, ...) or a .json file")
      ->required();
  measure->add_option("--device", args->device, "cpu, cuda or cuda:N")->capture_default_str();
  measure->add_option("-o,--output", args->output, "JSONL file the records are appended to");
  measure->add_flag("--resume", args->resume,
                    "continue OUT: skip points it already holds as measured (ok, oom, error), "
                    "try skipped ones again, and cut off a torn last line");
  measure->add_option("--shard", args->shard,
                      "i/n: run only points whose index % n == i (split a sweep over hosts)");
  measure->add_option("--point-time-limit", args->point_time_limit_s,
                      "[s] time cap per timed quantity of a point (the probe reports timeout)");
  measure
      ->add_option("--cupti", args->cupti,
                   "kernel breakdown of pipeline points: detach (trace, then detach CUPTI so later "
                   "points dispatch at full speed), keep-attached (the old, slower behaviour), off")
      ->capture_default_str();
  measure->add_flag("--dry-run", args->dry_run, "list the points with their ids; measure nothing");
  measure
      ->add_option("--max-points", args->max_points,
                   "refuse an experiment that expands to more points than this")
      ->capture_default_str();
  measure->add_flag("--json", args->json,
                    "print the run's summary (or the dry run's points) as JSON (schema "
                    "vitperf.measure); progress stays on stderr");
  measure->add_option("--topology-xml", args->topology_xml,
                      "hwloc XML topology instead of this machine's (also $VITPERF_HWLOC_XML)");
  measure->add_option("--aoti-dir", args->aoti_dir,
                      "folder of the AOTInductor packages compiled points run "
                      "(scripts/aoti_compile.py builds them)");
  measure->add_flag("--aoti-prepare", args->aoti_prepare,
                    "write the weights and package requests of the compiled points into "
                    "--aoti-dir for scripts/aoti_compile.py; measure nothing");
  measure->add_option(
      "overrides", args->overrides,
      "key=value or key=v1,v2 (a sweep): any ViT or pipeline field, model, res, "
      "batch (list, pow2, pow2:MAX), sweep=NAMES (none: the probes alone), probes=none");
  measure->footer(
      "Examples:\n"
      "  vitperf measure -e quick_test --device cuda -o quick.jsonl\n"
      "  vitperf measure -e scaling_study -o scaling.jsonl --shard 0/2 depth=6,12\n"
      "  vitperf measure -e ci_cpu --device cpu -o ci.jsonl --resume\n"
      "  vitperf measure -e calibration --dry-run\n"
      "  vitperf measure -e rq3_compiled --aoti-dir aoti --aoti-prepare   (then "
      "scripts/aoti_compile.py aoti)");
  measure->callback([args] { RunMeasure(*args); });

  auto merge_args = std::make_shared<MergeArgs>();
  CLI::App* merge = app.add_subcommand(
      "merge",
      "Merge the shard files of one experiment (measure --shard i/n) into one, after checking "
      "that every planned point is present exactly once (exit 1 and nothing written if not)");
  merge->add_option("-e,--experiment", merge_args->experiment, "the experiment the shards ran")
      ->required();
  merge->add_option("--device", merge_args->device, "the device they ran on: cpu or cuda:N")
      ->capture_default_str();
  merge->add_option("-o,--output", merge_args->output, "the merged JSONL file (must not exist)")
      ->required();
  merge->add_option("--shards", merge_args->shards, "the shards' JSONL files")->required();
  merge->add_option("overrides", merge_args->overrides,
                    "the key=value overrides the shards ran with, if any");
  merge->add_flag("--json", merge_args->json, "JSON summary (schema vitperf.merge)");
  merge->footer(
      "Example:\n"
      "  vitperf merge -e ci_cpu --device cpu -o ci.jsonl --shards shard-0.jsonl shard-1.jsonl");
  merge->callback([merge_args] { RunMerge(*merge_args); });

  auto json = std::make_shared<bool>(false);
  auto xml = std::make_shared<std::string>();
  auto device = std::make_shared<std::string>();
  CLI::App* topo = app.add_subcommand(
      "topo",
      "NUMA nodes, cores, memory and each GPU's local node (hwloc), with the binding "
      "plans the NUMA probes use.");
  topo->add_flag("--json", *json, "JSON output (schema vitperf.topology)");
  topo->add_option("--topology-xml", *xml,
                   "hwloc XML topology instead of this machine's (also $VITPERF_HWLOC_XML)");
  topo->add_option("--device", *device, "cuda:N whose binding plans to show (default: first GPU)");
  topo->callback([json, xml, device] { RunTopo(*json, *xml, *device); });
}

}  // namespace vitperf::cli
