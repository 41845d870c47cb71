#include "measure/timing.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace vitperf::measure {

bool TimingOptions::IsValid(std::string* why) const {
  auto fail = [&](const std::string& m) {
    if (why) *why = m;
    return false;
  };
  if (warmup < 0) return fail("warmup: must not be negative");
  if (min_repeats < 1) return fail("min_repeats: must be at least 1");
  if (!(target_spread > 0)) return fail("target_spread: must be positive");
  if (!(time_cap_s > 0)) return fail("time_cap_s: must be positive");
  if (!(min_time_s >= 0)) return fail("min_time_s: must not be negative");
  return true;
}

namespace {
double Quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}
}  // namespace

TimingStats Summarise(std::vector<double> samples_ms, const std::string& stop_reason) {
  TimingStats t;
  t.stop_reason = stop_reason;
  t.repeats = static_cast<int>(samples_ms.size());
  if (samples_ms.empty()) return t;
  std::sort(samples_ms.begin(), samples_ms.end());
  t.median_ms = Quantile(samples_ms, 0.5);
  t.p10_ms = Quantile(samples_ms, 0.1);
  t.p90_ms = Quantile(samples_ms, 0.9);
  t.p99_ms = Quantile(samples_ms, 0.99);
  return t;
}

TimingStats RepeatUntilStable(const std::function<double()>& sample_ms, const TimingOptions& o,
                              std::vector<double>* samples_out) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  for (int i = 0; i < o.warmup; ++i) {
    const auto warm_start = Clock::now();
    sample_ms();
    // One repetition longer than the cap: the point is long, more warm-up only costs time.
    if (seconds_since(warm_start) >= o.time_cap_s) break;
  }
  const auto timed_start = Clock::now();
  auto over_cap = [&] { return seconds_since(timed_start) >= o.time_cap_s; };
  auto long_enough = [&] { return seconds_since(timed_start) >= o.min_time_s; };

  std::vector<double> samples;
  std::string reason;
  size_t next_check = static_cast<size_t>(o.min_repeats);
  while (true) {
    samples.push_back(sample_ms());
    if (samples.size() >= next_check && long_enough()) {
      // Sorting every repeat would cost O(n^2 log n) for fast kernels; check every ~3% instead.
      next_check = samples.size() + std::max<size_t>(1, samples.size() / 32);
      if (Summarise(samples, "").RelativeSpread() < o.target_spread) {
        reason = "spread";
        break;
      }
    }
    if (over_cap()) {
      reason = "time_cap";
      break;
    }
  }
  if (samples_out) *samples_out = samples;
  return Summarise(std::move(samples), reason);
}

TimingStats TimeOnDevice(const Device& d, const std::function<void()>& fn, const TimingOptions& o) {
  DeviceTimer timer(d);
  Synchronize(d);  // earlier queued work must not land in the first sample
  return RepeatUntilStable(
      [&] {
        timer.Start();
        fn();
        return timer.StopMs();
      },
      o);
}

}  // namespace vitperf::measure
