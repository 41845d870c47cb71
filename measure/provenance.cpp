#include "measure/provenance.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>

#include "model/build_info.h"

namespace vitperf::measure {
namespace {

nlohmann::json ValueOrNull(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? nlohmann::json() : *it;
}

}  // namespace

std::string UtcTimeIso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// One stint on the GPU host is one boot: records measured by several processes of it (a
// campaign resumed in a second call) share it, and so the host state of that stint.
std::string HostBootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// The run the records belong to (data/measurements/README.md): VITPERF_RUN_ID when set (the
// campaign script gives its experiments one, "<gpu>-<UTC date>-<HHMM>"), else this process,
// "<hostname>-<UTC date>-<HHMM>" of its start.
namespace {
std::string RunId(const std::string& host, const std::string& time_utc) {
  if (const char* env = std::getenv("VITPERF_RUN_ID"); env != nullptr && *env != '\0') return env;
  // time_utc is YYYY-MM-DDTHH:MM:SSZ.
  return host + "-" + time_utc.substr(0, 10) + "-" + time_utc.substr(11, 2) +
         time_utc.substr(14, 2);
}
}  // namespace

std::string HostName() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

nlohmann::json MakeProvenance(const ProvenanceInputs& in, const NumaTopology& topology) {
  const nlohmann::json& d = in.device_info;
  nlohmann::json p;
  p["device"] = ValueOrNull(d, "device");
  p["device_name"] = ValueOrNull(d, "name");
  p["device_info"] = d;
  p["libtorch_version"] = ValueOrNull(d, "libtorch_version");
  p["cuda_runtime_version"] = ValueOrNull(d, "cuda_runtime_version");
  // The CUDA driver API version the installed driver supports (e.g. "13.0" for driver 580).
  p["cuda_driver_version"] = ValueOrNull(d, "cuda_driver_api_version");
  p["host_cpu"] = ValueOrNull(d, "cpu_model");
  p["hostname"] = HostName();
  const std::string boot_id = HostBootId();
  p["host_boot_id"] = boot_id.empty() ? nlohmann::json() : nlohmann::json(boot_id);

  nlohmann::json cores = nlohmann::json::array();
  for (const auto& n : topology.Nodes()) cores.push_back(n.cores);
  nlohmann::json numa = {
      {"source", topology.Source()}, {"nodes", topology.Nodes().size()}, {"cores_per_node", cores}};
  const std::string bus_id = d.value("pci_bus_id", "");
  numa["gpu_pci_bus_id"] = bus_id.empty() ? nlohmann::json() : nlohmann::json(bus_id);
  const auto local = bus_id.empty() ? std::nullopt : topology.GpuLocalNode(bus_id);
  numa["gpu_local_node"] = local ? nlohmann::json(*local) : nlohmann::json();
  numa["nodes_detail"] = topology.Summary()["nodes"];
  p["numa"] = numa;
  p["binding"] = {{"request", "none"}, {"node", nullptr}};

  p["git_revision"] = GitRevision();
  p["vitperf_version"] = VersionString();
  p["time_utc"] = UtcTimeIso8601();
  p["run_id"] = RunId(p["hostname"].get<std::string>(), p["time_utc"].get<std::string>());
  p["argv"] = in.argv;
  p["experiment"] = in.experiment;
  p["shard"] = in.shard.empty() ? nlohmann::json() : nlohmann::json(in.shard);
  return p;
}

nlohmann::json WithBinding(nlohmann::json provenance, const BindingPlan& plan) {
  provenance["binding"] = plan;
  return provenance;
}

}  // namespace vitperf::measure
