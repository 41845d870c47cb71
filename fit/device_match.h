// Whether a measurement was taken on the device a hardware profile describes. The fit refuses
// points from another device (unless told otherwise): fitting an H200's numbers into an H100
// profile gives coefficients that describe neither.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/hardware_profile.h"

namespace vitperf {

// The device's marketing name in a record's provenance ("NVIDIA H100 80GB HBM3", a CPU model),
// looked up at provenance.name, provenance.device_info.name or provenance.device.name; empty
// when none is recorded.
std::string MeasuredDeviceName(const nlohmann::json& provenance);

// The matching rule:
//  1. the kinds agree: a record's device "cpu..." needs a profile of kind cpu, "cuda..." kind gpu
//     (an empty device string skips this check);
//  2. a profile whose name ends in "-generic" stands for any device of its kind;
//  3. otherwise the measured name must contain every word (lower-cased run of letters and
//     digits) of the profile's name, of one of its aliases, or of its display name - so
//     "NVIDIA H100 80GB HBM3" matches alias "h100" but "NVIDIA H200" does not;
//  4. a record without a device name matches on the kind alone.
// On a mismatch *why says which rule failed.
bool DeviceMatchesProfile(const std::string& device, const std::string& measured_name,
                          const HardwareProfile& profile, std::string* why);

}  // namespace vitperf
