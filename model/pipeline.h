// End-to-end pipeline time: preprocessing, H2D, compute, D2H, run one batch at a time or
// overlapped on streams with a queue of batches in flight. Templated like roofline.h.
#pragma once

#include "model/host_staging.h"
#include "model/roofline.h"
#include "model/transfers.h"

namespace vitperf {

template <typename T>
struct PipelineTime {
  T preprocess_s{}, h2d_s{}, compute_s{}, d2h_s{};
  T period_s{};   // time between finished batches in steady state (1 / batch throughput)
  T latency_s{};  // one batch from host pixels to host results (p50)
  Regime regime = Regime::compute;
};

// [s] one copy of `bytes` over the host link at `gbs`, plus the copy's fixed cost.
template <typename T>
T HostLinkCopySeconds(double bytes, T gbs, CoefficientView<T> c) {
  return T(bytes * 1e-9) / gbs + c[Coef::copy_latency_us] * 1e-6;
}

template <typename T>
PipelineTime<T> TimePipeline(const ForwardTime<T>& forward, const TransferVolume& io,
                             const PipelineOptions& o, const HostSide& host, CoefficientView<T> c) {
  PipelineTime<T> p;
  // The fixed per-batch cost of a forward call's host side beyond its dispatched kernels, and
  // the wait (fitted on eager pipelines; a compiled package's runner pays it too: its
  // pipelines are otherwise predicted too fast). A replayed CUDA graph does not: sequential
  // graph pipelines at batch 1 take 17-22 us per batch more than their measured stages.
  const T sync_s = o.execution == ExecutionMode::graph ? T(0.0) : c[Coef::sync_us] * 1e-6;
  // Beside the next batch's copy and normalisation on other streams, an overlapped pipeline's
  // forward runs slower than alone: the architecture's constant is the in-pipeline forward over
  // the same record's forward alone, less what sequential pipelines show (their normalisation,
  // priced in the forward), read from measured records by scripts/overlapped_forward_slowdown.py.
  const T slowdown = o.pipeline == PipelineMode::overlapped && !o.compute_only
                         ? c[Coef::overlapped_forward_slowdown]
                         : T(0.0);
  p.compute_s = forward.total_s * (T(1.0) + slowdown) + sync_s;
  if (o.compute_only) {
    // Timed between two device events around the forward pass, the host waiting after the
    // second: no per-batch synchronisation. (Graph, vit_ti16..vit_h14 at batch 1 and 8: the
    // forward pass minus its CUPTI kernel time fits 0.70 us per kernel - 23 us, no constant.)
    p.period_s = p.latency_s = p.compute_s = forward.total_s;
    p.regime = ForwardRegime(forward);
    return p;
  }
  const bool pinned = o.host_memory == HostMemory::pinned;
  // Remote NUMA placement slows every host-side stream by the same fitted factor.
  const T numa = o.numa == NumaBinding::remote ? c[Coef::numa_remote_factor] : T(1.0);
  const T h2d_gbs = pinned ? c[Coef::h2d_pinned_gbs] : c[Coef::h2d_pageable_gbs];
  const T d2h_gbs = pinned ? c[Coef::d2h_pinned_gbs] : c[Coef::d2h_pageable_gbs];
  p.h2d_s = HostLinkCopySeconds(io.h2d_bytes, h2d_gbs * numa, c);
  p.d2h_s = HostLinkCopySeconds(io.d2h_bytes, d2h_gbs * numa, c);
  const T threads = T(o.producer_threads);
  if (io.host_normalizes) {
    // float32 conversion and normalisation: arithmetic-bound on the host at any size.
    p.preprocess_s =
        T(io.host_staged_bytes * 1e-9) / (c[Coef::host_normalize_gbs] * numa * threads);
  } else {
    // uint8 staging copy; a sequential producer sleeps while the batch before it copies and
    // computes.
    const T idle_s =
        o.pipeline == PipelineMode::sequential ? p.h2d_s + p.compute_s + p.d2h_s : T(-1.0);
    p.preprocess_s = HostStagingSeconds(io.host_staged_bytes, o.producer_threads, idle_s,
                                        host.memcpy_nontemporal_bytes, c) /
                     numa;
  }
  // Per batch, whatever its size: taking a staging buffer, waking the producer (measured
  // ~40-60 us for a 150 kB batch on a measured host).
  p.preprocess_s += c[Coef::host_batch_us] * 1e-6;

  const T sum = p.preprocess_s + p.h2d_s + p.compute_s + p.d2h_s;
  // The bounding stage; with one copy engine H2D and D2H queue on the same hardware.
  T transfer = host.copy_engines >= 2 ? MaxOf(p.h2d_s, p.d2h_s) : p.h2d_s + p.d2h_s;
  if (o.pipeline == PipelineMode::sequential) transfer = p.h2d_s + p.d2h_s;
  T bottleneck = p.compute_s;
  p.regime = ForwardRegime(forward);
  if (transfer > bottleneck) {
    bottleneck = transfer;
    p.regime = Regime::transfer;
  }
  if (o.pipeline == PipelineMode::overlapped && !pinned && !o.stage_threads) {
    // A copy from or to pageable memory returns to its host thread only once the copy is
    // done, and the D2H cannot start before the forward pass it copies has finished. One
    // thread that queues H2D, forward pass and D2H therefore cannot queue batch j+1's H2D
    // until batch j's D2H is back: the three device-side stages run back to back, and only
    // the producer threads' preprocessing overlaps them (vit_b16 b64 float32, queue 2:
    // period 13.2 ms = H2D 6.5 + compute 6.6 + D2H 0.05 [ms], preprocessing 7.1 ms hidden).
    // With a thread per stage a blocking copy holds up only its own stage (a measured host,
    // vit_b16 b256 float32 pageable, q4: 9.8k img/s, within 10% of its compute-only throughput).
    bottleneck = p.h2d_s + p.compute_s + p.d2h_s;
    if (p.h2d_s + p.d2h_s > p.compute_s) p.regime = Regime::transfer;
  }
  if (p.preprocess_s > bottleneck) {
    bottleneck = p.preprocess_s;
    p.regime = Regime::preprocess;
  }
  if (o.pipeline == PipelineMode::sequential) {
    p.period_s = p.latency_s = sum;
    return p;
  }
  // Imperfect overlap leaves a share of the other stages exposed; and with Q batches in
  // flight no batch can finish faster than one full pass per Q slots (Little's law).
  const T q = T(o.queue_depth);
  p.period_s = bottleneck + (T(1.0) - c[Coef::overlap_efficiency]) * (sum - bottleneck);
  p.period_s = MaxOf(p.period_s, sum / q);
  p.latency_s = MaxOf(sum, q * p.period_s);
  return p;
}

}  // namespace vitperf
