// Reads a file named on the command line or in a spec: a regular file only (or "-", standard
// input), up to a size cap, so that /dev/zero, a FIFO or a directory is one clear error instead
// of a hang, an exhausted memory or a misleading "no such file".
#pragma once

#include <cstdint>
#include <string>

namespace vitperf {

// Profiles, configs, experiments: the shipped ones are a few KiB.
inline constexpr std::uintmax_t kMaxSpecFileBytes = std::uintmax_t{16} << 20;
// Measurement datasets (JSONL): the shipped ones are a few MiB.
inline constexpr std::uintmax_t kMaxDataFileBytes = std::uintmax_t{512} << 20;

// The whole content of `path` ("-": standard input). Throws std::invalid_argument naming
// `field` and the path: no such file, a directory, not a regular file, unreadable, or larger
// than `max_bytes`.
std::string ReadInputFile(const std::string& path, const std::string& field,
                          std::uintmax_t max_bytes);

}  // namespace vitperf
