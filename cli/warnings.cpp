#include "cli/warnings.h"

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

}  // namespace vitperf::cli
