// What every probe needs besides its own parameters: the device, the stopping rule for repeated
// timing, the provenance to embed in records, and the NUMA hooks supplied by the sweep runner.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "measure/cupti_tracer.h"
#include "measure/timing.h"
#include "model/pipeline_options.h"

namespace vitperf::measure {

struct ProbeContext {
  std::string device = "cpu";   // "cpu", "cuda", "cuda:N"
  double target_spread = 0.05;  // stop repeating when (p90 - p10) / median is under this
  int min_repeats = 5;
  int warmup = 3;
  double time_cap_s = 10.0;   // [s] per timed quantity of a point (a point times several)
  double min_time_s = 0.0;    // [s] least time spent repeating one timed quantity
  nlohmann::json provenance;  // embedded verbatim in every record
  std::uint64_t seed = 0;     // model weights and inputs

  // NUMA. `numa` is what the records say was asked for; `numa_node` the node it resolved to
  // (-1: none). The sweep runner fills the hooks from its hwloc binding plan; empty hooks mean
  // "let the OS decide".
  NumaBinding numa = NumaBinding::none;
  int numa_node = -1;
  // Called first by every host thread a probe starts (producer threads), so it runs on the node.
  std::function<void()> bind_thread;
  // Allocates / frees host buffers (inputs and outputs that cross PCIe) on the node. Pinned
  // buffers are allocated with host_alloc then page-locked with cudaHostRegister. Both or
  // neither must be set. Memory from host_alloc must be aligned to at least 64 bytes.
  std::function<void*(std::size_t bytes)> host_alloc;
  std::function<void(void* data, std::size_t bytes)> host_free;

  // The CUPTI kernel breakdown of pipeline points (when the build has CUPTI).
  CuptiBreakdown cupti = CuptiBreakdown::detach;

  // Folder of the AOTInductor packages compiled points run (measure/aoti_package.h); "" = none.
  std::string aoti_dir;

  TimingOptions Timing() const {
    TimingOptions o;
    o.warmup = warmup;
    o.min_repeats = min_repeats;
    o.target_spread = target_spread;
    o.time_cap_s = time_cap_s;
    o.min_time_s = std::min(min_time_s, time_cap_s);
    return o;
  }
};

}  // namespace vitperf::measure
