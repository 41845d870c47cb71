// The pipeline probe: one (ViT config, batch, pipeline options) point measured end to end on the
// device - host preprocessing, H2D, normalise + forward, D2H - sequentially or overlapped on
// streams, eager or as a CUDA graph - plus the forward pass alone on device-resident input.
//
// What the stages are on a CPU device (no second memory): "h2d" and "d2h" are host copies into
// and out of the tensors the forward pass reads and writes (small, but not zero); pinned memory
// does not exist without CUDA, so host buffers are pageable and the record's message says so.
//
// Overlapped points (measure/batch_ring.h): producers split each batch's host staging copy
// between them and fill a ring of queue_depth host buffers; H2D, compute and D2H are each queued
// by a thread of their own on a stream of their own, ordered by events; the calling thread
// completes batches in order. The input stage normalises (uint8) or casts (float32) on the
// device after its copy, so an overlapped point's compute stage is the model alone, as the
// compute-only timing; a sequential point's compute stage includes the normalisation.
// options.start=pinned: the images start in the ring's pinned buffers, so no staging copy is
// made (the other start state of the Python side by side).
//
// Threads: producer threads (options.producer_threads) call ctx.bind_thread first. The calling
// thread is not re-bound: bind it before calling (the sweep runner does) if it should live on a
// NUMA node; the stage-issuing threads inherit its binding (Linux threads start with their
// creator's CPU set and memory policy). Host buffers come from ctx.host_alloc /
// host_free when set.
#pragma once

#include <string>

#include "measure/probe_context.h"
#include "model/measurement_record.h"
#include "model/pipeline_options.h"
#include "model/vit_config.h"

namespace vitperf::measure {

// Measures one point. Never throws for out-of-memory or runtime failures: the record then has
// status oom or error and the message. Throws std::invalid_argument, before measuring, for an
// invalid config, options, batch, timing settings or device string, and for config.autocast
// where AutocastUnsupportedReason (measure/autocast_scope.h) says why not. Points that cannot run
// here (graph on a CPU; compiled on LibTorch < 2.6, or without its package in ctx.aoti_dir) come
// back with status skipped and the reason.
//
// Compiled points (execution=compiled) run the AOTInductor package of their config and
// compile_mode (measure/aoti_package.h) where eager points run the module, in every runner, on
// the same inputs; before timing, its output is checked against the eager module's (error past
// AgreementTolerance). provenance.compiled holds the package's sidecar (compile times, versions)
// and that agreement.
//
// The record: throughput [images/s] end to end (compute_only: batch / forward median); latency
// per batch (sequential: one batch through all stages; overlapped: from the start of its
// preprocessing to its D2H completion, in steady state); per-stage medians [ms]; `compute`: the
// forward pass alone on a device-resident random input in the point's execution mode; peak
// device memory [bytes] (0 on the CPU: not measured); CUPTI breakdown of one untimed iteration
// or null; the context's provenance.
PipelineRecord RunPipelinePoint(const ViTConfig& config, int batch, const PipelineOptions& options,
                                const ProbeContext& ctx);

// Stable key of a point: config, batch, options and device ("vit_b16|224x224|p16|d768x12|...");
// "|autocast" follows the precision only when it is on, so other ids are unchanged.
std::string PipelinePointId(const ViTConfig& config, int batch, const PipelineOptions& options,
                            const std::string& device);

}  // namespace vitperf::measure
