#include "cli/warnings.h"

#include <iostream>
#include <utility>

namespace vitperf::cli {
namespace {
std::vector<std::string>& Pending() {
  static std::vector<std::string> pending;
  return pending;
}
}  // namespace

void Warn(const std::string& text) { Pending().push_back(text); }

std::vector<std::string> TakeWarnings() { return std::exchange(Pending(), {}); }

void Report(const RunMessages& messages) {
  for (const std::string& note : messages.notes) std::cerr << note << "\n";
  for (const std::string& warning : messages.warnings) Warn(warning);
}

}  // namespace vitperf::cli
