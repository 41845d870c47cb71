// How finely validation knows the host's speed. Every eager pipeline point records the host's
// launch cost around it (host_launch_us), so it follows the host's drift within a run; a user
// who probes the host once knows its speed during that run, not its drift. Giving every point its
// run's median separates the two (two runs of one GPU: a run's points range over 4.9-8.9 us around
// a median of 6.5-6.8 us; one run's launch probe, at its campaign's start, read 5.5 us).
#pragma once

#include <vector>

#include "model/enum_names.h"
#include "model/measurement_record.h"

namespace vitperf {

enum class HostStateScope {
  point,  // each point's own host_launch_us: the host's drift taken out
  run,    // its run's median: the host's speed during the run known, its drift not
};

template <>
struct EnumNames<HostStateScope> {
  static constexpr const char* kField = "host-state-scope";
  static constexpr std::array<std::pair<HostStateScope, const char*>, 2> kNames{{
      {HostStateScope::point, "point"},
      {HostStateScope::run, "run"},
  }};
};

// Sets every record's host_launch_us that is measured (> 0) to the median over the ok records
// of its run (RunKey) that measured it; records without one keep 0. Apply before pooling
// repeated points, which mixes runs; a refit of the data (validate --kfold) then refers its
// dispatch to the same run states. Returns the number of runs seen with a host state.
int UseRunMedianHostLaunch(std::vector<PipelineRecord>* records);

}  // namespace vitperf
