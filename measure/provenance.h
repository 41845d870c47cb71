// Where a measurement came from: device, driver, LibTorch and CUDA versions, host CPU, NUMA
// layout and binding, git revision, time, host and command line. Written as the run's
// provenance line and embedded in every record of the run (model/measurement_record.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "measure/numa_topology.h"

namespace vitperf::measure {

struct ProvenanceInputs {
  nlohmann::json device_info;  // measure::DeviceInfo(device)
  std::string experiment;
  std::vector<std::string> argv;
  std::string shard;  // "i/n", or empty for the whole experiment
};

// The run's provenance. Keys: device, device_name, libtorch_version, cuda_runtime_version,
// cuda_driver_version, host_cpu, hostname, numa {source, nodes, cores_per_node, gpu_pci_bus_id,
// gpu_local_node, nodes_detail}, binding (the run's default, "none"; each record carries its
// own), git_revision, vitperf_version, time_utc, argv, experiment, shard.
nlohmann::json MakeProvenance(const ProvenanceInputs& in, const NumaTopology& topology);

// A record's copy of the run provenance with the binding its point used.
nlohmann::json WithBinding(nlohmann::json provenance, const BindingPlan& plan);

// "2026-11-03T14:05:09Z".
std::string UtcTimeIso8601();
std::string HostName();
// The kernel's boot id (/proc/sys/kernel/random/boot_id); empty where there is none.
std::string HostBootId();

}  // namespace vitperf::measure
