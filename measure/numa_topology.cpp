#include "measure/numa_topology.h"

#include <hwloc.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "model/input_file.h"

namespace vitperf::measure {
namespace {

std::string CpusetList(hwloc_const_bitmap_t set) {
  char* text = nullptr;
  if (hwloc_bitmap_list_asprintf(&text, set) < 0 || !text) return "";
  std::string out(text);
  std::free(text);
  return out;
}

// GPUs are PCI class 0x0302 (3D controller: data-centre GPUs) or 0x0300 (VGA) from a GPU
// vendor; the VGA function of a server's BMC (ASPEED and the like) is not one.
bool IsGpu(const hwloc_obj_t pci) {
  const unsigned cls = pci->attr->pcidev.class_id;
  const unsigned vendor = pci->attr->pcidev.vendor_id;
  const bool gpu_vendor = vendor == 0x10de || vendor == 0x1002;  // NVIDIA, AMD
  return cls == 0x0302 || (cls == 0x0300 && gpu_vendor);
}

std::string BusIdOf(const hwloc_obj_t pci) {
  char text[32];
  std::snprintf(text, sizeof text, "%04x:%02x:%02x.%01x", pci->attr->pcidev.domain,
                pci->attr->pcidev.bus, pci->attr->pcidev.dev, pci->attr->pcidev.func);
  return text;
}

hwloc_obj_t NumaByOsIndex(hwloc_topology_t topo, int os_index) {
  hwloc_obj_t node = nullptr;
  while ((node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node)))
    if (static_cast<int>(node->os_index) == os_index) return node;
  return nullptr;
}

}  // namespace

void to_json(nlohmann::json& j, const BindingPlan& p) {
  j = nlohmann::json{{"request", p.request}, {"applicable", p.applicable}};
  if (!p.reason.empty()) j["reason"] = p.reason;
  j["node"] = p.node ? nlohmann::json(*p.node) : nlohmann::json();
  if (!p.cpuset.empty()) j["cpuset"] = p.cpuset;
  j["gpu_local_node"] = p.gpu_local_node ? nlohmann::json(*p.gpu_local_node) : nlohmann::json();
}

NodeBuffer& NodeBuffer::operator=(NodeBuffer&& o) noexcept {
  if (this != &o) {
    Reset();
    data_ = o.data_;
    bytes_ = o.bytes_;
    release_ = std::move(o.release_);
    o.data_ = nullptr;
    o.bytes_ = 0;
  }
  return *this;
}

void NodeBuffer::Reset() {
  if (data_ && release_) release_(data_, bytes_);
  data_ = nullptr;
  bytes_ = 0;
}

std::string NormalizePciBusId(const std::string& id) {
  unsigned domain = 0, bus = 0, dev = 0, func = 0;
  char tail = 0;
  // CUDA reports "00000000:17:00.0" (8-digit domain); hwloc and sysfs use 4 digits.
  if (std::sscanf(id.c_str(), "%x:%x:%x.%x%c", &domain, &bus, &dev, &func, &tail) != 4) {
    domain = 0;
    if (std::sscanf(id.c_str(), "%x:%x.%x%c", &bus, &dev, &func, &tail) != 3) return "";
  }
  if (domain > 0xffff || bus > 0xff || dev > 0x1f || func > 7) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%04x:%02x:%02x.%01x", domain, bus, dev, func);
  return text;
}

NumaTopology NumaTopology::Load(const std::string& xml_path) {
  std::string path = xml_path;
  if (path.empty()) {
    const char* env = std::getenv(kHwlocXmlEnv);
    if (env && *env) path = env;
  }
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw std::runtime_error("hwloc: cannot initialise");
  NumaTopology t;
  t.topology_ = std::shared_ptr<hwloc_topology>(raw, hwloc_topology_destroy);
  // PCI devices are filtered out by default; GPUs and the bridges above them are "important".
  hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  // Read here, not by hwloc: a regular file under the size cap (hwloc would read /dev/zero
  // forever), and a bad file is bad input (exit 2), not a failure.
  std::string xml;
  if (!path.empty()) {
    xml = ReadInputFile(path, "topology-xml", kMaxSpecFileBytes);
    if (hwloc_topology_set_xmlbuffer(raw, xml.c_str(), static_cast<int>(xml.size()) + 1) != 0)
      throw std::invalid_argument("topology-xml: '" + path + "' is not an hwloc XML topology");
    t.source_ = path;
  } else {
    t.source_ = "this machine";
  }
  if (hwloc_topology_load(raw) != 0) {
    if (!path.empty())
      throw std::invalid_argument("topology-xml: '" + path + "' is not an hwloc XML topology");
    throw std::runtime_error("hwloc: cannot load the topology of " + t.source_);
  }
  t.Discover();
  return t;
}

bool NumaTopology::IsThisSystem() const {
  return hwloc_topology_is_thissystem(topology_.get()) == 1;
}

void NumaTopology::Discover() {
  hwloc_topology_t topo = topology_.get();
  hwloc_obj_t node = nullptr;
  while ((node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node))) {
    NumaNodeInfo info;
    info.os_index = static_cast<int>(node->os_index);
    info.cores = hwloc_get_nbobjs_inside_cpuset_by_type(topo, node->cpuset, HWLOC_OBJ_CORE);
    info.pus = hwloc_get_nbobjs_inside_cpuset_by_type(topo, node->cpuset, HWLOC_OBJ_PU);
    info.memory_bytes = node->attr->numanode.local_memory;
    info.cpuset = CpusetList(node->cpuset);
    nodes_.push_back(info);
  }
  hwloc_obj_t pci = nullptr;
  while ((pci = hwloc_get_next_pcidev(topo, pci))) {
    if (!IsGpu(pci)) continue;
    PciGpuInfo gpu;
    gpu.pci_bus_id = BusIdOf(pci);
    char vd[16];
    std::snprintf(vd, sizeof vd, "%04x:%04x", pci->attr->pcidev.vendor_id,
                  pci->attr->pcidev.device_id);
    gpu.vendor_device = vd;
    if (const char* name = hwloc_obj_get_info_by_name(pci, "PCIDevice")) gpu.name = name;
    gpu.local_node = GpuLocalNode(gpu.pci_bus_id);
    gpus_.push_back(gpu);
  }
}

std::optional<int> NumaTopology::GpuLocalNode(const std::string& pci_bus_id) const {
  const std::string id = NormalizePciBusId(pci_bus_id);
  if (id.empty()) return std::nullopt;
  hwloc_topology_t topo = topology_.get();
  hwloc_obj_t pci = hwloc_get_pcidev_by_busidstring(topo, id.c_str());
  if (!pci) return std::nullopt;
  // With one node every device is local to it, even when the firmware reports no affinity.
  if (nodes_.size() == 1) return nodes_.front().os_index;
  hwloc_obj_t ancestor = hwloc_get_non_io_ancestor_obj(topo, pci);
  if (!ancestor || hwloc_bitmap_weight(ancestor->nodeset) != 1) return std::nullopt;
  return hwloc_bitmap_first(ancestor->nodeset);
}

BindingPlan NumaTopology::Plan(const std::string& request, const std::string& pci_bus_id) const {
  BindingPlan plan;
  plan.request = request;
  if (!pci_bus_id.empty()) plan.gpu_local_node = GpuLocalNode(pci_bus_id);
  auto not_applicable = [&](const std::string& why) {
    plan.applicable = false;
    plan.reason = why;
    return plan;
  };
  auto use = [&](int os_index) {
    plan.node = os_index;
    for (const auto& n : nodes_)
      if (n.os_index == os_index) plan.cpuset = n.cpuset;
    return plan;
  };

  if (request == "none") return plan;
  if (request == "local" || request == "remote") {
    if (request == "remote" && nodes_.size() < 2)
      return not_applicable("one NUMA node: remote binding not applicable");
    if (pci_bus_id.empty())
      return not_applicable(request + " binding needs a GPU: the device has no PCI bus id");
    if (!plan.gpu_local_node)
      return not_applicable("GPU " + pci_bus_id +
                            " has no single local NUMA node in the topology of " + source_);
    const int local = *plan.gpu_local_node;
    if (request == "local") return use(local);
    return use(RemoteNodeFor(local));
  }
  // A node number.
  std::size_t used = 0;
  int os_index = -1;
  try {
    os_index = std::stoi(request, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != request.size() || os_index < 0)
    throw std::invalid_argument("numa: '" + request +
                                "' is not one of none, local, remote or a node number");
  for (const auto& n : nodes_)
    if (n.os_index == os_index) return use(os_index);
  return not_applicable("NUMA node " + request +
                        " does not exist (nodes: " + std::to_string(nodes_.size()) + ")");
}

int NumaTopology::RemoteNodeFor(int local) const {
  hwloc_topology_t topo = topology_.get();
  hwloc_obj_t local_obj = NumaByOsIndex(topo, local);
  // The farthest node by the firmware's latency matrix when there is one (SLIT).
  unsigned count = 1;
  hwloc_distances_s* distances = nullptr;
  if (local_obj &&
      hwloc_distances_get_by_type(topo, HWLOC_OBJ_NUMANODE, &count, &distances,
                                  HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0) == 0 &&
      count == 1) {
    int best = -1;
    hwloc_uint64_t best_latency = 0;
    for (unsigned i = 0; i < distances->nbobjs; ++i) {
      hwloc_obj_t other = distances->objs[i];
      if (other == local_obj) continue;
      hwloc_uint64_t from_local = 0, to_local = 0;
      if (hwloc_distances_obj_pair_values(distances, local_obj, other, &from_local, &to_local) ==
              0 &&
          (best < 0 || from_local > best_latency)) {
        best = static_cast<int>(other->os_index);
        best_latency = from_local;
      }
    }
    hwloc_distances_release(topo, distances);
    if (best >= 0) return best;
  }
  // Otherwise a node in another package (across the socket interconnect), else any other node.
  hwloc_obj_t local_package =
      local_obj ? hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, local_obj) : nullptr;
  int fallback = -1;
  for (const auto& n : nodes_) {
    if (n.os_index == local) continue;
    if (fallback < 0) fallback = n.os_index;
    hwloc_obj_t obj = NumaByOsIndex(topo, n.os_index);
    hwloc_obj_t package =
        obj ? hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, obj) : nullptr;
    if (package != local_package) return n.os_index;
  }
  return fallback;
}

void NumaTopology::BindCurrentThread(const BindingPlan& plan) const {
  if (!plan.node) return;
  if (!IsThisSystem())
    throw std::runtime_error("numa: cannot bind threads with the topology of " + source_ +
                             " (it does not describe this machine)");
  hwloc_topology_t topo = topology_.get();
  hwloc_obj_t node = NumaByOsIndex(topo, *plan.node);
  if (!node) throw std::runtime_error("numa: node " + std::to_string(*plan.node) + " not found");
  if (hwloc_set_cpubind(topo, node->cpuset, HWLOC_CPUBIND_THREAD) != 0)
    throw std::runtime_error("numa: hwloc_set_cpubind to node " + std::to_string(*plan.node) +
                             " (cpus " + plan.cpuset + ") failed");
}

NodeBuffer NumaTopology::AllocateOn(const BindingPlan& plan, std::size_t bytes) const {
  void* data = AllocateRaw(plan, bytes);
  // The buffer keeps the topology alive: hwloc_free needs it.
  std::shared_ptr<hwloc_topology> keep = topology_;
  return NodeBuffer(data, bytes, [keep](void* p, std::size_t n) { hwloc_free(keep.get(), p, n); });
}

void NumaTopology::Free(void* data, std::size_t bytes) const {
  if (data) hwloc_free(topology_.get(), data, bytes);
}

void* NumaTopology::AllocateRaw(const BindingPlan& plan, std::size_t bytes) const {
  hwloc_topology_t topo = topology_.get();
  void* data = nullptr;
  if (!plan.node) {
    data = hwloc_alloc(topo, bytes);
  } else {
    if (!IsThisSystem())
      throw std::runtime_error("numa: cannot allocate with the topology of " + source_ +
                               " (it does not describe this machine)");
    hwloc_obj_t node = NumaByOsIndex(topo, *plan.node);
    if (!node) throw std::runtime_error("numa: node " + std::to_string(*plan.node) + " not found");
    data = hwloc_alloc_membind(topo, bytes, node->nodeset, HWLOC_MEMBIND_BIND,
                               HWLOC_MEMBIND_BYNODESET);
  }
  if (!data)
    throw std::runtime_error("numa: cannot allocate " + std::to_string(bytes) +
                             " bytes of host memory" +
                             (plan.node ? " on node " + std::to_string(*plan.node) : ""));
  return data;
}

struct ScopedThreadBinding::Saved {
  std::shared_ptr<hwloc_topology> topology;
  hwloc_bitmap_t previous = nullptr;
};

ScopedThreadBinding::ScopedThreadBinding(const NumaTopology& topology, const BindingPlan& plan) {
  if (!plan.node) return;
  auto saved = std::make_unique<Saved>();
  saved->topology = topology.topology_;
  saved->previous = hwloc_bitmap_alloc();
  if (hwloc_get_cpubind(saved->topology.get(), saved->previous, HWLOC_CPUBIND_THREAD) != 0) {
    hwloc_bitmap_free(saved->previous);
    throw std::runtime_error("numa: cannot read the thread's current CPU binding");
  }
  try {
    topology.BindCurrentThread(plan);
  } catch (...) {
    hwloc_bitmap_free(saved->previous);
    throw;
  }
  saved_ = std::move(saved);
}

ScopedThreadBinding::~ScopedThreadBinding() {
  if (!saved_) return;
  // Best effort: a destructor cannot report, and this very set was in force before.
  hwloc_set_cpubind(saved_->topology.get(), saved_->previous, HWLOC_CPUBIND_THREAD);
  hwloc_bitmap_free(saved_->previous);
}

nlohmann::json NumaTopology::Summary() const {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : nodes_)
    nodes.push_back({{"node", n.os_index},
                     {"cores", n.cores},
                     {"pus", n.pus},
                     {"memory_bytes", n.memory_bytes},
                     {"cpuset", n.cpuset}});
  nlohmann::json gpus = nlohmann::json::array();
  for (const auto& g : gpus_)
    gpus.push_back(
        {{"pci_bus_id", g.pci_bus_id},
         {"vendor_device", g.vendor_device},
         {"name", g.name},
         {"local_node", g.local_node ? nlohmann::json(*g.local_node) : nlohmann::json()}});
  return {{"source", source_}, {"nodes", nodes}, {"gpus", gpus}};
}

}  // namespace vitperf::measure
