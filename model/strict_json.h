// Reads a JSON object field by field, naming the field in every error and rejecting keys
// that nobody asked for, so a typo in a spec file is an error instead of a silent default.
#pragma once

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace vitperf {

// Deeper nesting than any spec or record needs; a hostile file cannot recurse the readers deep.
inline constexpr int kMaxJsonDepth = 64;

// Parses JSON text as nlohmann would, but rejects a key given twice in one object (nlohmann
// keeps the last one silently, so a profile with two "memory_gib" would mean the second) and
// nesting deeper than kMaxJsonDepth. Throws std::invalid_argument starting with `context`.
template <typename Json = nlohmann::json>
Json ParseStrictJson(const std::string& text, const std::string& context) {
  std::vector<std::set<std::string>> keys;
  std::string problem;
  auto check = [&](int depth, typename Json::parse_event_t event, Json& parsed) {
    using E = typename Json::parse_event_t;
    // `depth` counts the enclosing values: 64 for the 65th nested one.
    if (depth >= kMaxJsonDepth && problem.empty())
      problem = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    if (event == E::object_start) keys.emplace_back();
    if (event == E::object_end && !keys.empty()) keys.pop_back();
    if (event == E::key && !keys.empty() &&
        !keys.back().insert(parsed.template get<std::string>()).second && problem.empty())
      problem = "duplicate key '" + parsed.template get<std::string>() + "'";
    return problem.empty();
  };
  Json j;
  try {
    j = Json::parse(text, check, /*allow_exceptions=*/true);
  } catch (const nlohmann::json::exception& e) {
    // A parse error, or a number too large for a double (out_of_range 406, "1e309"): both are
    // malformed input. e.what() starts with "[json.exception.parse_error.101] ".
    if (!problem.empty()) throw std::invalid_argument(context + ": " + problem);
    std::string what = e.what();
    const auto close = what.find("] ");
    throw std::invalid_argument(context + ": malformed JSON: " +
                                (close == std::string::npos ? what : what.substr(close + 2)));
  }
  if (!problem.empty()) throw std::invalid_argument(context + ": " + problem);
  return j;
}

template <typename T>
struct IsVector : std::false_type {};
template <typename U>
struct IsVector<std::vector<U>> : std::true_type {};

// Converts a JSON value to T without nlohmann's silent coercions: a boolean is not a number,
// 40.5 is not an integer, and an integer must fit T; a std::vector reads an array element by
// element under the same rules. Throws std::invalid_argument (no context).
template <typename T, typename Json>
T StrictGet(const Json& value) {
  if constexpr (IsVector<T>::value) {
    if (!value.is_array())
      throw std::invalid_argument(std::string("expected an array, got ") + value.type_name());
    T out;
    for (const auto& element : value) out.push_back(StrictGet<typename T::value_type>(element));
    return out;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) throw std::invalid_argument("expected true or false");
    return value.template get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (value.is_number_float()) {
      const double v = value.template get<double>();
      if (std::floor(v) != v)
        throw std::invalid_argument("expected an integer, got " + value.dump());
    } else if (!value.is_number()) {
      throw std::invalid_argument(std::string("expected an integer, got ") + value.type_name());
    }
    const long double v =
        value.is_number_unsigned()  ? static_cast<long double>(value.template get<std::uint64_t>())
        : value.is_number_integer() ? static_cast<long double>(value.template get<std::int64_t>())
                                    : static_cast<long double>(value.template get<double>());
    if (v < static_cast<long double>(std::numeric_limits<T>::min()) ||
        v > static_cast<long double>(std::numeric_limits<T>::max()))
      throw std::invalid_argument(value.dump() + " is outside [" +
                                  std::to_string(std::numeric_limits<T>::min()) + ", " +
                                  std::to_string(std::numeric_limits<T>::max()) + "]");
    return static_cast<T>(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!value.is_number())
      throw std::invalid_argument(std::string("expected a number, got ") + value.type_name());
    return value.template get<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!value.is_string())
      throw std::invalid_argument(std::string("expected a string, got ") + value.type_name());
    return value.template get<std::string>();
  } else {
    return value.template get<T>();
  }
}

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
    try {
      out = StrictGet<T>(value);
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(Path(key) + ": wrong type (" + value.type_name() + ")");
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(Path(key) + ": " + e.what());
    }
  }

  const nlohmann::json& j_;
  std::string context_;
  std::set<std::string> seen_;
};

}  // namespace vitperf
