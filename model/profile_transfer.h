// Moves fitted coefficients from a calibrated profile to another GPU's datasheet profile: the
// cross-GPU question (RQ6) "how well does a model calibrated on one GPU predict another?".
#pragma once

#include "model/hardware_profile.h"

namespace vitperf {

// `target` with `source`'s fitted coefficients. Efficiencies, overheads and host-side rates are
// taken as they are; the host-link bandwidths are scaled by the ratio of the two profiles'
// nominal link figures (datasheet ratios only). The result is marked uncalibrated and records
// where its coefficients came from in `fit`.
HardwareProfile TransferCoefficients(const HardwareProfile& source, const HardwareProfile& target);

}  // namespace vitperf
