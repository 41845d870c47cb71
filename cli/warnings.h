// Warnings a command collects while it reads its input (records skipped, data of another
// device), printed once it is done: each on its own line after a success, or folded into the
// one error line when the command fails, so that a refusal stays one line and still says why
// (e.g. "no usable points" because every line was garbage).
#pragma once

#include <string>
#include <vector>

namespace vitperf::cli {

void Warn(const std::string& text);
// The warnings collected so far, emptied.
std::vector<std::string> TakeWarnings();

}  // namespace vitperf::cli
