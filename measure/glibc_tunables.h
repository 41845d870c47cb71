// The host C library's memcpy thresholds, which set how the uint8 pipeline's staging copy runs:
// from x86_non_temporal_threshold bytes on, glibc's memcpy writes with streaming stores (about
// 1.6x faster from DRAM on the GPU hosts; model/host_staging.h).
#pragma once

#include <optional>
#include <string>

namespace vitperf::measure {

// [bytes] glibc.cpu.x86_non_temporal_threshold as `ld.so --list-tunables` (glibc >= 2.33)
// prints it; nullopt where there is no such loader or line (other C libraries, other CPUs).
std::optional<double> GlibcNontemporalThresholdBytes();

// Parses one line of `ld.so --list-tunables` output; nullopt unless it is the threshold's line.
std::optional<double> ParseNontemporalThresholdLine(const std::string& line);

}  // namespace vitperf::measure
