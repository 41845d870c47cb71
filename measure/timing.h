// Repeated timing until the measurement is stable: warm up, then repeat until the relative spread
// (p90 - p10) / median falls under a target after a minimum number of repeats and a minimum
// time, or a time cap hits.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "measure/device.h"
#include "model/measurement_record.h"

namespace vitperf::measure {

struct TimingOptions {
  int warmup = 3;               // untimed runs first (allocator, cuBLAS heuristics, caches)
  int min_repeats = 5;          // timed runs before the spread is looked at
  double target_spread = 0.05;  // stop when (p90 - p10) / median is under this
  // [s] wall-clock cap on the timed repeats. The warm-up runs before it starts: a first
  // sample that pays a process's one-time set-up (cuDNN, cuBLAS, lazy module loading; over a
  // second on the GPU hosts) used to spend the cap, leaving one timed sample, itself still warm.
  double time_cap_s = 10.0;
  // [s] keep repeating at least this long even when the spread is small: host-bound timings
  // (eager dispatch) shift between fast and slow states over tens of milliseconds, and five
  // quick repeats would record whichever state the point happened to start in.
  double min_time_s = 0.0;
  bool IsValid(std::string* why) const;
};

// Median, p10, p90, p99 of samples [ms] (linear interpolation between order statistics).
TimingStats Summarise(std::vector<double> samples_ms, const std::string& stop_reason);

// Calls `sample_ms` (one repetition, returning its time [ms]) warm-up times, then until stable.
// Returns the stats; stop_reason is "spread" or "time_cap". `samples_out`, when given, receives
// the timed samples in order.
TimingStats RepeatUntilStable(const std::function<double()>& sample_ms, const TimingOptions& o,
                              std::vector<double>* samples_out = nullptr);

// Times `fn` with device events around each call on the current stream (a host clock after
// synchronising on the CPU).
TimingStats TimeOnDevice(const Device& d, const std::function<void()>& fn, const TimingOptions& o);

}  // namespace vitperf::measure
