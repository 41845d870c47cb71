// Reads a JSON object field by field, naming the field in every error and rejecting keys
// that nobody asked for, so a typo in a spec file is an error instead of a silent default.
#pragma once

#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace vitperf {

class StrictObject {
 public:
  StrictObject(const nlohmann::json& j, std::string context) : j_(j), context_(std::move(context)) {
    if (!j_.is_object()) throw std::invalid_argument(context_ + ": expected a JSON object");
  }

  // Leaves `out` unchanged when the key is absent.
  template <typename T>
  StrictObject& Optional(const char* key, T& out) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it != j_.end()) Convert(*it, key, out);
    return *this;
  }

  template <typename T>
  StrictObject& Required(const char* key, T& out) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) throw std::invalid_argument(Path(key) + ": missing");
    Convert(*it, key, out);
    return *this;
  }

  // Throws on keys that no Optional/Required call named.
  void RejectUnknownKeys() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (seen_.count(it.key())) continue;
      std::string accepted;
      for (const auto& k : seen_) accepted += (accepted.empty() ? "" : ", ") + k;
      throw std::invalid_argument(Path(it.key()) + ": unknown key (accepted: " + accepted + ")");
    }
  }

  std::string Path(const std::string& key) const { return context_ + "." + key; }

 private:
  template <typename T>
  void Convert(const nlohmann::json& value, const char* key, T& out) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // nlohmann would truncate 768.5 to 768 and wrap 1e20: an integer field takes integers
      // that fit.
      if (value.is_number() && !value.is_number_integer())
        throw std::invalid_argument(Path(key) + ": " + value.dump() + " is not an integer");
      if (value.is_number_integer() && !FitsIn<T>(value))
        throw std::invalid_argument(Path(key) + ": " + value.dump() + " is outside " +
                                    std::to_string(std::numeric_limits<T>::min()) + ".." +
                                    std::to_string(std::numeric_limits<T>::max()));
    }
    try {
      out = value.get<T>();
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(Path(key) + ": wrong type (" + value.type_name() + ")");
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(Path(key) + ": " + e.what());
    }
  }

  template <typename T>
  static bool FitsIn(const nlohmann::json& value) {
    using U = unsigned long long;
    const U max = static_cast<U>(std::numeric_limits<T>::max());
    if (value.is_number_unsigned()) return value.get<U>() <= max;
    const long long v = value.get<long long>();
    if (v < 0)
      return std::is_signed_v<T> && v >= static_cast<long long>(std::numeric_limits<T>::min());
    return static_cast<U>(v) <= max;
  }

  const nlohmann::json& j_;
  std::string context_;
  std::set<std::string> seen_;
};

}  // namespace vitperf
