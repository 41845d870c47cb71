// The measured quantities the fit compares with the model, extracted from a measurement set:
// one observation per usable timing, with every unusable record dropped with its reason.
#pragma once

#include <string>
#include <vector>

#include "model/hardware_profile.h"
#include "model/measurement_record.h"

namespace vitperf {

enum class ObservationKind {
  period,       // pipeline: seconds per batch in steady state (batch / throughput)
  compute,      // pipeline: forward pass on device-resident input [s], compute.median_ms
  latency_p90,  // pipeline: p90 / p50 latency [ratio]
  latency_p99,  // pipeline: p99 / p50 latency [ratio]
  peak_memory,  // pipeline: device allocator peak [bytes]
  preprocess,   // pipeline: host preprocessing stage of one batch [s], stage_ms.preprocess
  kernel_time,  // pipeline: CUPTI summed kernel durations of one iteration [s], no gaps
  patch_conv,   // pipeline: CUPTI time of the patch embedding's conv and layout kernels [s]
  attention,    // pipeline: CUPTI time of the fused attention kernels [s]
  matmul,       // probe: one GEMM [TFLOP/s]
  device_copy,  // probe: device-to-device copy [GB/s], bytes read + written
  h2d,          // probe: host-to-device copy [GB/s]
  d2h,          // probe: device-to-host copy [GB/s]
  staging,      // probe: host memcpy into the staging buffer [GB/s]
  launch,       // probe: per-kernel launch cost of tiny kernels [us]
};
const char* ToString(ObservationKind kind);

struct Observation {
  ObservationKind kind = ObservationKind::period;
  std::string id;       // the record's id
  double measured = 0;  // in the kind's unit above; always positive and finite
  // Pipeline observations.
  ViTConfig config;
  int batch = 1;
  PipelineOptions options;
  // Probe observations.
  double m = 0, n = 0, k = 0;  // matmul
  Precision precision = Precision::bf16;
  double bytes = 0;                                // device_copy (bytes copied), h2d, d2h, staging
  double idle_ms = 0;                              // staging: sleep before each copy
  bool staging_h2d = false;                        // staging: each copy followed by its H2D
  ExecutionMode execution = ExecutionMode::eager;  // launch
  double kernels = 0;                              // launch: kernels per timed sample
  // Pipeline observations: eager dispatch relative to the reference host state (see
  // ObservationOptions::host_launch_reference_us); 1 without one.
  double dispatch_scale = 1;
  // How many measurements it stands for: a pipeline point pooled from n runs counts as n
  // observations, as the same probe measured in n runs does.
  int runs = 1;
};

struct DroppedPoint {
  std::string id;
  std::string reason;
};

struct ObservationOptions {
  bool allow_device_mismatch = false;
  bool latency_ratios = true;    // p90/p50 and p99/p50 inform the latency factors
  bool peak_memory = true;       // allocator peaks inform activation_memory_factor
  bool preprocess_stage = true;  // host staging times inform the host copy rates and cache size
  // CUPTI kernel times inform the device-side coefficients apart from the host's speed.
  bool kernel_times = true;
  // [us] When positive, each eager point's dispatch cost is scaled by its record's
  // host_launch_us over this reference (MedianHostLaunchUs of the data), so the fitted
  // dispatch_us is the cost at the reference host state, not an average over the host's drift.
  double host_launch_reference_us = 0;
};

// Kernels per sample assumed for a launch probe that does not record params.kernels.
inline constexpr double kDefaultLaunchKernels = 100;

struct ObservationSet {
  std::vector<Observation> observations;
  std::vector<DroppedPoint> dropped;
  int records_used = 0;               // records that gave at least one observation
  std::vector<std::string> warnings;  // device mismatches allowed, names not recorded, ...
  int peak_memory_before_fix =
      0;  // records whose peak memory was left out (kPeakMemoryPerPointSince)
};

// Throws std::invalid_argument when a record comes from a device other than the profile's
// (see DeviceMatchesProfile) and options.allow_device_mismatch is off.
ObservationSet CollectObservations(const MeasurementSet& data, const HardwareProfile& profile,
                                   const ObservationOptions& options);

}  // namespace vitperf
