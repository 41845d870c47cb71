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

// Sets the host-side coefficients that micro-probes measure directly, from probes taken on the
// host that runs the work: eager dispatch per call from the eager launch probe [us per kernel],
// and the pageable copy rates from the largest pageable H2D / D2H probes. Eager dispatch is a
// property of the CPU, not of the GPU: two leases of the same GPU kind measured 6.9 and 8.8 us,
// the H200's host 4.95 us. Returns "name=value" for each coefficient set (none: no such probe).
std::vector<std::string> ApplyHostProbes(const std::vector<ProbeRecord>& probes,
                                         HardwareProfile* profile);

}  // namespace vitperf
