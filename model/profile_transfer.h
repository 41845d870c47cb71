// Moves fitted coefficients from a calibrated profile to another GPU's datasheet profile: the
// cross-GPU question (RQ6) "how well does a model calibrated on one GPU predict another?".
#pragma once

#include <string>
#include <vector>

#include "model/hardware_profile.h"
#include "model/measurement_record.h"

namespace vitperf {

// `target` with `source`'s fitted coefficients. Efficiencies, overheads and host-side rates are
// taken as they are; the host-link bandwidths are scaled by the ratio of the two profiles'
// nominal link figures (datasheet ratios only). The result is marked uncalibrated and records
// where its coefficients came from in `fit`.
HardwareProfile TransferCoefficients(const HardwareProfile& source, const HardwareProfile& target);

// Medians of a dataset's host-side micro-probes; 0 where the data hold none. Several runs hold
// several of each; copies count only at their largest size (small copies are latency-bound).
struct HostProbeMedians {
  double launch_eager_us = 0;   // [us] per kernel, eager launch probe
  double h2d_pageable_gbs = 0;  // [GB/s]
  double d2h_pageable_gbs = 0;  // [GB/s]
};
HostProbeMedians MedianHostProbes(const std::vector<ProbeRecord>& probes);

// [us] the eager launch probe of the host a calibrated profile was fitted on
// (fit.host_reference.launch_eager_us), or 0 for a profile without one. With key
// "point_launch_us": the median per-point host_launch_us its fitted dispatch refers to.
double ReferenceLaunchUs(const HardwareProfile& profile, const char* key = "launch_eager_us");

// Sets the host-side coefficients that micro-probes measure directly, from probes taken on the
// host that runs the work: the pageable copy rates from the largest pageable H2D / D2H probes,
// and eager dispatch per call. Dispatch is a property of the CPU, not of the GPU (two runs on
// hosts of the same GPU kind measured 6.9 and 8.8 us per launch, another GPU's host 4.95 us). With
// a reference launch probe (a fitted profile's host) the fitted dispatch is scaled by the ratio of
// the two launch probes, keeping what the fit learned about framework calls against bare launches,
// and the other host CPU costs (kHostTimeCoefficients) by the same ratio. When the profile also
// records its points' median host_launch_us (fit.host_reference.point_launch_us) and
// `point_launch_us` gives the same median for the data (MedianHostLaunchUs), their ratio is used
// instead: taken around every point, it is the host's state while the work ran (it helps where
// every run has per-point probes, and hurts where some lack them, since the pooled points' state
// then leans to the runs that have them; docs/accuracy.md). Without a reference, dispatch is
// the launch probe itself. Returns "name=value" for each coefficient set (none: no such probe). The
// fitted costs that are host CPU time [us]: framework dispatch, graph launch, the per-batch
// synchronisation and bookkeeping, the per-batch preprocessing floor.
inline constexpr Coef kHostTimeCoefficients[] = {
    Coef::dispatch_us,        Coef::graph_launch_us, Coef::compiled_extern_us,
    Coef::compiled_launch_us, Coef::sync_us,         Coef::host_batch_us};

// The host costs paid per kernel (eager dispatch, compiled code's calls and launches): what a
// point's own host state (DispatchScale) scales, in the fit and in validate --host-state-from-data.
inline constexpr Coef kPerKernelHostCoefficients[] = {Coef::dispatch_us, Coef::compiled_extern_us,
                                                      Coef::compiled_launch_us};

std::vector<std::string> ApplyHostProbes(const std::vector<ProbeRecord>& probes,
                                         HardwareProfile* profile, double point_launch_us = 0);

}  // namespace vitperf
