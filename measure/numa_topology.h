// The host's NUMA layout as hwloc sees it (the machine, or an XML file for tests and for planning
// on another host), each GPU's local NUMA node from its PCI bus id, and the binding planner that
// turns a request (none, local, remote, or a node number) into a node for host threads and
// buffers. Binding and node-local allocation are real hwloc calls, refused on a topology that is
// not this machine's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

// hwloc's opaque handle; the header stays free of <hwloc.h>.
struct hwloc_topology;

namespace vitperf::measure {

inline constexpr const char* kTopologySchema = "vitperf.topology";
inline constexpr int kTopologySchemaVersion = 1;
// Environment variable naming an hwloc XML topology to load instead of the machine's.
inline constexpr const char* kHwlocXmlEnv = "VITPERF_HWLOC_XML";

struct NumaNodeInfo {
  int os_index = 0;                // the kernel's node number (what numactl calls the node)
  int cores = 0;                   // physical cores whose PUs all lie in this node
  int pus = 0;                     // hardware threads
  std::uint64_t memory_bytes = 0;  // [bytes] local memory
  std::string cpuset;              // hwloc list syntax, e.g. "0-15,32-47"
};

struct PciGpuInfo {
  std::string pci_bus_id;     // "0000:17:00.0", lower case
  std::string vendor_device;  // "10de:2330"
  std::string name;           // PCIDevice info when present
  // Local NUMA node (os index); empty when the device's ancestor spans several nodes (no affinity).
  std::optional<int> local_node;
};

// What a binding request resolved to for one GPU.
struct BindingPlan {
  std::string request;  // "none", "local", "remote" or a node number
  bool applicable = true;
  std::string reason;  // why not applicable; empty otherwise
  // Node (os index) for host threads and host buffers; empty for "none" (the OS decides).
  std::optional<int> node;
  std::string cpuset;  // the node's cpuset in list syntax; empty without a node
  std::optional<int> gpu_local_node;
};
void to_json(nlohmann::json& j, const BindingPlan& p);

// Host memory on one NUMA node, freed with hwloc when the owner goes away.
class NodeBuffer {
 public:
  NodeBuffer() = default;
  NodeBuffer(void* data, std::size_t bytes, std::function<void(void*, std::size_t)> release)
      : data_(data), bytes_(bytes), release_(std::move(release)) {}
  NodeBuffer(const NodeBuffer&) = delete;
  NodeBuffer& operator=(const NodeBuffer&) = delete;
  NodeBuffer(NodeBuffer&& o) noexcept { *this = std::move(o); }
  NodeBuffer& operator=(NodeBuffer&& o) noexcept;
  ~NodeBuffer() { Reset(); }

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  void Reset();

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  std::function<void(void*, std::size_t)> release_;
};

class NumaTopology {
 public:
  // xml_path empty: $VITPERF_HWLOC_XML when set, else this machine. Throws std::runtime_error
  // when hwloc cannot load it (the message names the file).
  static NumaTopology Load(const std::string& xml_path = "");

  // Where it came from: "this machine" or the XML path.
  const std::string& Source() const { return source_; }
  // True when the topology describes the machine we run on, so binding calls act on it.
  bool IsThisSystem() const;

  const std::vector<NumaNodeInfo>& Nodes() const { return nodes_; }
  const std::vector<PciGpuInfo>& PciGpus() const { return gpus_; }

  // Local node of the PCI device with this bus id ("0000:17:00.0" or "17:00.0"). Empty when the
  // device is not in the topology or has no single local node.
  std::optional<int> GpuLocalNode(const std::string& pci_bus_id) const;

  // Resolves a binding request for the GPU at pci_bus_id (empty for CPU-only runs). Never
  // throws for a request that cannot apply on this machine: the plan says why instead.
  // Throws std::invalid_argument for a request that is not none/local/remote/<node number>.
  BindingPlan Plan(const std::string& request, const std::string& pci_bus_id) const;

  // Binds the calling thread to the plan's node (HWLOC_CPUBIND_THREAD). A plan without a node
  // leaves the thread as it is. Throws std::runtime_error when hwloc refuses or the topology
  // is not this machine's.
  void BindCurrentThread(const BindingPlan& plan) const;

  // Allocates bytes bound to the plan's node (hwloc_alloc_membind, BIND policy); without a
  // node, plain hwloc_alloc. Throws std::runtime_error on failure.
  NodeBuffer AllocateOn(const BindingPlan& plan, std::size_t bytes) const;

  // The same allocation as a raw pointer for hooks that manage lifetime themselves (the probes'
  // host_alloc / host_free); release it with Free. Page aligned.
  void* AllocateRaw(const BindingPlan& plan, std::size_t bytes) const;
  void Free(void* data, std::size_t bytes) const;

  // {source, nodes: [{node, cores, pus, memory_bytes, cpuset}],
  //  gpus: [{pci_bus_id, vendor_device, name, local_node}]}.
  nlohmann::json Summary() const;

 private:
  friend class ScopedThreadBinding;
  NumaTopology() = default;
  void Discover();
  // The node farthest from `local` (os indices): by the latency matrix when the firmware gives
  // one, else a node in another package, else any other node.
  int RemoteNodeFor(int local) const;

  std::shared_ptr<hwloc_topology> topology_;
  std::string source_;
  std::vector<NumaNodeInfo> nodes_;
  std::vector<PciGpuInfo> gpus_;
};

// Binds the calling thread to a plan's node for the guard's lifetime and restores the thread's
// previous binding afterwards, so a "none" point after a "remote" one is really unbound. A plan
// without a node does nothing.
class ScopedThreadBinding {
 public:
  ScopedThreadBinding(const NumaTopology& topology, const BindingPlan& plan);
  ScopedThreadBinding(const ScopedThreadBinding&) = delete;
  ScopedThreadBinding& operator=(const ScopedThreadBinding&) = delete;
  ~ScopedThreadBinding();

 private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

// Normalises a PCI bus id to hwloc's "dddd:bb:dd.f" lower-case form; "" when it does not parse.
std::string NormalizePciBusId(const std::string& id);

}  // namespace vitperf::measure
