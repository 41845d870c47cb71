#include "measure/glibc_tunables.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace vitperf::measure {

std::optional<double> ParseNontemporalThresholdLine(const std::string& line) {
  static const std::string kKey = "glibc.cpu.x86_non_temporal_threshold:";
  const auto at = line.find(kKey);
  if (at == std::string::npos) return std::nullopt;
  const char* begin = line.c_str() + at + kKey.size();
  char* end = nullptr;
  const unsigned long long value = std::strtoull(begin, &end, 0);  // "0x9700000 (min: ...)"
  if (end == begin || value == 0) return std::nullopt;
  return static_cast<double>(value);
}

std::optional<double> GlibcNontemporalThresholdBytes() {
#if defined(__x86_64__) && defined(__GLIBC__)
  // The loader is the only public reader of the tunables; it prints them and exits.
  for (const char* loader :
       {"/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"}) {
    const std::string command = std::string(loader) + " --list-tunables 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) continue;
    std::array<char, 512> buffer{};
    std::optional<double> found;
    while (std::fgets(buffer.data(), buffer.size(), pipe.get()))
      if (!found) found = ParseNontemporalThresholdLine(buffer.data());
    if (found) return found;
  }
#endif
  return std::nullopt;
}

}  // namespace vitperf::measure
