// FNV-1a, 64 bit: the one hash of the project, for content ids and file fingerprints (stable
// across platforms and runs, unlike std::hash). Not for security.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vitperf {

std::uint64_t Fnv1a64(std::string_view bytes);

// The same as 16 lowercase hex digits.
std::string Fnv1a64Hex(std::string_view bytes);

}  // namespace vitperf
