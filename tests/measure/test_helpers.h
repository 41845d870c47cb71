// Helpers shared by the measure tests.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "measure/probe_context.h"

namespace vitperf::measure::testing {

// Probes on the CPU with short timing, so a test takes a fraction of a second.
inline ProbeContext FastCpu(double time_cap_s = 0.4) {
  ProbeContext ctx;
  ctx.device = "cpu";
  ctx.warmup = 1;
  ctx.min_repeats = 3;
  ctx.time_cap_s = time_cap_s;
  ctx.provenance = {{"test", true}};
  return ctx;
}

// The message of the std::invalid_argument `fn` throws, or "(no error)".
inline std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace vitperf::measure::testing
