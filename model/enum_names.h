// String names for the model's enums, written once: printing, parsing, JSON, and the
// "accepted values" list that every error message about a bad enum value shows.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace vitperf {

// Specialise EnumNames<E> with `static constexpr std::array<std::pair<E, const char*>, K> kNames`
// and `static constexpr const char* kField` (the name used in error messages).
template <typename E>
struct EnumNames;

template <typename E>
std::string ToString(E value) {
  for (const auto& [v, name] : EnumNames<E>::kNames)
    if (v == value) return name;
  return "?";
}

template <typename E>
std::optional<E> ParseEnum(std::string_view text) {
  for (const auto& [v, name] : EnumNames<E>::kNames)
    if (text == name) return v;
  return std::nullopt;
}

template <typename E>
std::string AcceptedValues() {
  std::string out;
  for (const auto& [v, name] : EnumNames<E>::kNames) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Parses or throws std::invalid_argument("<field>: 'x' is not one of a, b, c").
template <typename E>
E ParseEnumOrThrow(std::string_view text, std::string_view field = EnumNames<E>::kField) {
  if (auto v = ParseEnum<E>(text)) return *v;
  throw std::invalid_argument(std::string(field) + ": '" + std::string(text) + "' is not one of " +
                              AcceptedValues<E>());
}

}  // namespace vitperf

// JSON hooks for an enum with EnumNames, found by ADL; use inside namespace vitperf.
#define VITPERF_ENUM_JSON(E)                                                             \
  inline void to_json(nlohmann::json& j, E value) { j = ToString(value); }               \
  inline void from_json(const nlohmann::json& j, E& value) {                             \
    if (!j.is_string())                                                                  \
      throw std::invalid_argument(std::string(EnumNames<E>::kField) +                    \
                                  ": expected a string, one of " + AcceptedValues<E>()); \
    value = ParseEnumOrThrow<E>(j.get<std::string>());                                   \
  }
