// The uint8 pipeline's host stage: one memcpy per producer thread from the decoded batch into
// the pinned staging buffer. Templated like roofline.h so the fit can differentiate it.
#pragma once

#include "model/cache_cliff.h"
#include "model/coefficients.h"

namespace vitperf {

// [s] staging `staged_bytes` split over `threads` producers. `idle_s` is how long the producer
// slept since it last copied the same source (the batch before it copying and computing, in a
// sequential pipeline); negative: no wait (overlapped pipelines, back-to-back probes).
// `nontemporal_bytes` is the host's glibc threshold from which one memcpy uses streaming
// stores; 0 when unknown, and then never.
template <typename T>
T HostStagingSeconds(double staged_bytes, int threads, T idle_s, double nontemporal_bytes,
                     CoefficientView<T> c) {
  // Nothing staged (images decoded straight into the pinned ring): no copy, and no cache term,
  // whose logarithm has no derivative at zero.
  if (!(staged_bytes > 0)) return T(0.0);
  const T staged_gb = T(staged_bytes * 1e-9);
  const T producers = T(threads);
  if (nontemporal_bytes > 0 && staged_bytes / threads >= nontemporal_bytes) {
    // Streaming stores write the staging buffer without first reading it into the cache: two
    // DRAM trips per byte instead of three, whatever the cache held (staging probe, a measured
    // host, glibc 2.39 threshold 158.3 MB: 5.5-6.5 GB/s up to 134 MB, 8.7-9.9 GB/s from 168 MB).
    return staged_gb / (c[Coef::host_nt_copy_gbs] * producers);
  }
  // Repeated over the same source each batch: while the batch fits in the host's last-level
  // cache every byte copies at the cached rate; past it an LRU cache keeps nothing that is
  // reused, so the whole batch streams through DRAM (a cliff, not a spill: a measured host, 12.6 MB
  // staged 11 GB/s, 19.3 MB 6.2 GB/s, 100 MB 6.0 GB/s).
  T hit = T(1.0) - CacheMissShare(staged_gb * 1e3, c[Coef::host_cache_mb]);
  if (idle_s >= T(0.0)) {
    // While the producer waits, what it left in the cache decays: a plateau, then a fall
    // (a measured host, 3.2 MB staged: 10.2 GB/s after 1.6 ms of idle, 8.3 after 5-6, 6.5-7.7 after
    // 10-13; the idle probe, docs/probes/staging_idle_probe.py, 12.6 MB: 11 GB/s after 1-3 ms, 8.8
    // after 10, 6.1 after 30, whether the thread sleeps or spins).
    const T idle = idle_s / (c[Coef::host_cache_decay_ms] * 1e-3);
    hit = hit / (T(1.0) + idle * idle);
  }
  return staged_gb * (hit / c[Coef::host_copy_gbs] + (T(1.0) - hit) / c[Coef::host_dram_copy_gbs]) /
         producers;
}

}  // namespace vitperf
