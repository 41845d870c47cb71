// Share of a repeatedly streamed working set that misses a cache of a given size. Streaming the
// same buffer over and over through an LRU-like cache hits on every byte while the buffer fits
// and on almost none once it does not: a cliff around the cache size. The cliff is smoothed (a
// logistic in log size) so the fit can move the cache size by gradient.
#pragma once

#include <cmath>

namespace vitperf {

// Width of the cliff in ln(size): misses go from 10% to 90% over a factor exp(4.4 * w) = 1.55
// in size, about what a measured host shows between 12.6 MB (cached) and 19.3 MB (streaming).
inline constexpr double kCacheCliffWidthLn = 0.1;

template <typename T>
T CacheMissShare(const T& working_set_mb, const T& cache_mb) {
  using std::exp;
  using std::log;
  const T x = log(working_set_mb / cache_mb) / T(kCacheCliffWidthLn);
  return T(1.0) / (T(1.0) + exp(-x));
}

}  // namespace vitperf
