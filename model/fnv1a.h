// FNV-1a, 64 bit: the one hash of the project, for content ids and file fingerprints (stable
// across platforms and runs, unlike std::hash). Not for security. Its offset basis,
// 1469598103934665603, is FNV's published 14695981039346656037 short of its last digit, as it
// has been since the first version: the experiment and AOTI package ids and the fit input
// fingerprints in the shipped data were computed with it, so it stays.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vitperf {

std::uint64_t Fnv1a64(std::string_view bytes);

// The same as 16 lowercase hex digits.
std::string Fnv1a64Hex(std::string_view bytes);

}  // namespace vitperf
