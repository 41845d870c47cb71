// Moves a profile to another host's staging speed: the host-staging coefficients (cached and
// DRAM copy rates, cache size and decay, the streaming-store rate) refitted to that host's
// "staging" probes, everything else kept. Used when one GPU's coefficients are carried to
// another GPU whose host was measured (vitperf validate --host-probes-from-data): the hosts'
// caches differ (H100 host: 28 MB effective, H200 host: 62 MB), and a batch one host stages
// from cache the other streams from DRAM.
#pragma once

#include <string>
#include <vector>

#include "model/hardware_profile.h"
#include "model/measurement_record.h"

namespace vitperf {

// The coefficients the staging probes inform.
const std::vector<Coef>& HostStagingCoefficients();

// Fits HostStagingCoefficients() to the ok "staging" probes among `probes` and writes those
// the probes inform into `profile`; returns "name=value" for each one set (empty when there
// are no usable staging probes).
std::vector<std::string> FitHostStaging(const std::vector<ProbeRecord>& probes,
                                        HardwareProfile* profile);

// The data's host threshold for streaming-store memcpy (device_info.host_memcpy_nontemporal_bytes,
// recorded by `vitperf measure` since commit ee205d2) written into `profile` when every run that
// recorded it agrees; a datasheet profile does not know the host its GPU sits in. Returns a
// note for the user when the profile's value changed, or a warning when runs disagree (the
// profile is then left alone); empty otherwise.
std::string AdoptDataHostThreshold(const MeasurementSet& data, HardwareProfile* profile);

}  // namespace vitperf
