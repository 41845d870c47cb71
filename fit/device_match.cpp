#include "fit/device_match.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace vitperf {
namespace {

std::set<std::string> Words(const std::string& text) {
  std::set<std::string> out;
  std::string word;
  for (char ch : text) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else if (!word.empty()) {
      out.insert(word);
      word.clear();
    }
  }
  if (!word.empty()) out.insert(word);
  return out;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string NameAt(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_object()) {
    auto name = it->find("name");
    return name != it->end() && name->is_string() ? name->get<std::string>() : "";
  }
  return key == std::string("name") && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string MeasuredDeviceName(const nlohmann::json& provenance) {
  if (!provenance.is_object()) return "";
  for (const char* key : {"name", "device_info", "device"}) {
    std::string name = NameAt(provenance, key);
    if (!name.empty()) return name;
  }
  return "";
}

bool DeviceMatchesProfile(const std::string& device, const std::string& measured_name,
                          const HardwareProfile& profile, std::string* why) {
  auto fail = [&](const std::string& message) {
    if (why) *why = message;
    return false;
  };
  if (!device.empty()) {
    const std::string kind = device.rfind("cpu", 0) == 0 ? "cpu" : "gpu";
    if (kind != profile.kind)
      return fail("a " + kind + " measurement cannot calibrate a " + profile.kind + " profile");
  }
  if (EndsWith(profile.name, "-generic") || measured_name.empty()) return true;
  const std::set<std::string> measured = Words(measured_name);
  std::vector<std::string> candidates = profile.aliases;
  candidates.push_back(profile.name);
  candidates.push_back(profile.display_name);
  for (const auto& candidate : candidates) {
    const std::set<std::string> words = Words(candidate);
    if (!words.empty() &&
        std::includes(measured.begin(), measured.end(), words.begin(), words.end()))
      return true;
  }
  return fail("the name '" + measured_name + "' contains none of the profile's names (" +
              profile.name + ", its aliases, '" + profile.display_name + "')");
}

}  // namespace vitperf
