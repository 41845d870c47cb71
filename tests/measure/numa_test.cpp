// NUMA topology and binding planner on hand-made hwloc XML topologies (tests/data/topologies/).
#include <gtest/gtest.h>
#include <sched.h>

#include <cstdlib>

#include "measure/numa_topology.h"

namespace vitperf::measure {
namespace {

std::string Topology(const std::string& file) {
  return std::string(VITPERF_SOURCE_DIR) + "/tests/data/topologies/" + file;
}

TEST(NumaTopology, TwoSocketServerListsNodesAndGpuLocality) {
  const NumaTopology t = NumaTopology::Load(Topology("two_socket_2gpu.xml"));
  ASSERT_EQ(t.Nodes().size(), 2u);
  EXPECT_EQ(t.Nodes()[0].os_index, 0);
  EXPECT_EQ(t.Nodes()[0].cores, 4);
  EXPECT_EQ(t.Nodes()[0].cpuset, "0-3");
  EXPECT_EQ(t.Nodes()[1].cpuset, "4-7");
  EXPECT_EQ(t.Nodes()[1].memory_bytes, 64ull << 30);
  ASSERT_EQ(t.PciGpus().size(), 2u);
  EXPECT_EQ(t.PciGpus()[0].pci_bus_id, "0000:17:00.0");
  EXPECT_EQ(t.PciGpus()[0].vendor_device, "10de:2330");
  EXPECT_EQ(t.PciGpus()[0].local_node, 0);
  EXPECT_EQ(t.PciGpus()[1].local_node, 1);
  EXPECT_FALSE(t.IsThisSystem());
}

TEST(NumaTopology, AcceptsCudaStyleBusIds) {
  const NumaTopology t = NumaTopology::Load(Topology("two_socket_2gpu.xml"));
  // CUDA's cudaDeviceGetPCIBusId writes an 8-digit domain in upper case.
  EXPECT_EQ(t.GpuLocalNode("00000000:CA:00.0"), 1);
  EXPECT_EQ(t.GpuLocalNode("17:00.0"), 0);
  EXPECT_FALSE(t.GpuLocalNode("0000:99:00.0").has_value());
  EXPECT_FALSE(t.GpuLocalNode("not a bus id").has_value());
}

TEST(NumaTopology, PlannerPicksLocalAndRemoteNodes) {
  const NumaTopology t = NumaTopology::Load(Topology("two_socket_2gpu.xml"));
  const BindingPlan local0 = t.Plan("local", "0000:17:00.0");
  ASSERT_TRUE(local0.applicable);
  EXPECT_EQ(local0.node, 0);
  EXPECT_EQ(local0.cpuset, "0-3");
  const BindingPlan remote0 = t.Plan("remote", "0000:17:00.0");
  ASSERT_TRUE(remote0.applicable);
  EXPECT_EQ(remote0.node, 1);
  EXPECT_EQ(remote0.cpuset, "4-7");
  EXPECT_EQ(t.Plan("local", "0000:ca:00.0").node, 1);
  EXPECT_EQ(t.Plan("remote", "0000:ca:00.0").node, 0);
  const BindingPlan none = t.Plan("none", "0000:ca:00.0");
  EXPECT_TRUE(none.applicable);
  EXPECT_FALSE(none.node.has_value());
  EXPECT_EQ(t.Plan("1", "").node, 1);
}

TEST(NumaTopology, RemoteOnOneNodeMachineIsNotApplicable) {
  const NumaTopology t = NumaTopology::Load(Topology("one_node_1gpu.xml"));
  ASSERT_EQ(t.Nodes().size(), 1u);
  EXPECT_EQ(t.Nodes()[0].cores, 8);
  ASSERT_EQ(t.PciGpus().size(), 1u);
  // The GPU hangs off the machine (no NUMA affinity), as on the project's H100 host.
  EXPECT_EQ(t.PciGpus()[0].local_node, 0);
  const BindingPlan remote = t.Plan("remote", "0000:01:00.0");
  EXPECT_FALSE(remote.applicable);
  EXPECT_EQ(remote.reason, "one NUMA node: remote binding not applicable");
  EXPECT_FALSE(remote.node.has_value());
  EXPECT_EQ(t.Plan("local", "0000:01:00.0").node, 0);
}

TEST(NumaTopology, BadRequestsAndMissingNodes) {
  const NumaTopology t = NumaTopology::Load(Topology("two_socket_2gpu.xml"));
  EXPECT_THROW(t.Plan("near", "0000:17:00.0"), std::invalid_argument);
  EXPECT_FALSE(t.Plan("7", "").applicable);
  EXPECT_FALSE(t.Plan("local", "").applicable);  // CPU run: no GPU to be local to
  EXPECT_FALSE(t.Plan("local", "0000:99:00.0").applicable);
}

TEST(NumaTopology, EightGpuServerSplitsGpusAcrossSockets) {
  const NumaTopology t = NumaTopology::Load(Topology("two_socket_8gpu.xml"));
  ASSERT_EQ(t.Nodes().size(), 2u);
  EXPECT_EQ(t.Nodes()[0].cores, 16);
  ASSERT_EQ(t.PciGpus().size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(t.PciGpus()[i].local_node, i < 4 ? 0 : 1) << i;
  EXPECT_EQ(t.Plan("remote", "0000:db:00.0").node, 0);
}

TEST(NumaTopology, BindingIsRefusedOnAForeignTopology) {
  const NumaTopology t = NumaTopology::Load(Topology("two_socket_2gpu.xml"));
  const BindingPlan plan = t.Plan("local", "0000:17:00.0");
  EXPECT_THROW(t.BindCurrentThread(plan), std::runtime_error);
  EXPECT_THROW(t.AllocateOn(plan, 4096), std::runtime_error);
}

TEST(NumaTopology, ThisMachineBindsAndAllocatesOnItsFirstNode) {
  const NumaTopology t = NumaTopology::Load();
  ASSERT_GE(t.Nodes().size(), 1u);
  ASSERT_TRUE(t.IsThisSystem());
  const BindingPlan plan = t.Plan(std::to_string(t.Nodes()[0].os_index), "");
  ASSERT_TRUE(plan.applicable);
  EXPECT_NO_THROW(t.BindCurrentThread(plan));
  NodeBuffer buffer = t.AllocateOn(plan, 1 << 20);
  ASSERT_NE(buffer.data(), nullptr);
  static_cast<char*>(buffer.data())[0] = 1;  // the memory is usable
  EXPECT_EQ(buffer.bytes(), 1u << 20);
  void* raw = t.AllocateRaw(plan, 4096);
  ASSERT_NE(raw, nullptr);
  t.Free(raw, 4096);
}

TEST(NumaTopology, ScopedBindingRestoresThePreviousBinding) {
  const NumaTopology t = NumaTopology::Load();
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
  { ScopedThreadBinding bind(t, t.Plan(std::to_string(t.Nodes()[0].os_index), "")); }
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
}

TEST(NumaTopology, EnvironmentVariableSelectsAnXmlTopology) {
  ::setenv(kHwlocXmlEnv, Topology("two_socket_8gpu.xml").c_str(), 1);
  const NumaTopology t = NumaTopology::Load();
  ::unsetenv(kHwlocXmlEnv);
  EXPECT_EQ(t.PciGpus().size(), 8u);
  // A missing file is bad input (exit 2), like every other input file.
  EXPECT_THROW(NumaTopology::Load("/nonexistent/topology.xml"), std::invalid_argument);
}

}  // namespace
}  // namespace vitperf::measure
