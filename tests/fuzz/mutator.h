// A seeded mutator for the property-based reader fuzzing (issue 25): byte-level damage
// (flips, inserts, deletions, duplicated ranges, truncation, JSON tokens) and structural damage
// (a value somewhere in the document replaced by a hostile one). Deterministic for a seed, so a
// failure names the case that reproduces it.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace vitperf::fuzz {

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  std::string Mutate(const std::string& seed_text) {
    std::string text = seed_text;
    if (Pick(3) == 0) text = MutateStructure(text);
    const int ops = 1 + static_cast<int>(Pick(4));
    for (int i = 0; i < ops && Pick(2) == 0; ++i) text = MutateBytes(text);
    return text;
  }

  std::uint64_t Pick(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }

 private:
  static const std::vector<std::string>& Tokens() {
    static const std::vector<std::string> tokens = {"{",
                                                    "}",
                                                    "[",
                                                    "]",
                                                    ",",
                                                    ":",
                                                    "\"",
                                                    "null",
                                                    "true",
                                                    "false",
                                                    "-1",
                                                    "0",
                                                    "1e308",
                                                    "-1e308",
                                                    "1.5",
                                                    "40.5",
                                                    "2147483648",
                                                    "-2147483649",
                                                    "18446744073709551616",
                                                    "1e-300",
                                                    "NaN",
                                                    "\"\"",
                                                    "\"memory_gib\"",
                                                    "\"id\"",
                                                    "\"batch\"",
                                                    "\"kind\"",
                                                    "\"pipeline\"",
                                                    "\\u0000",
                                                    "\"\\ud800\"",
                                                    "\n",
                                                    "    "};
    return tokens;
  }

  nlohmann::json HostileValue() {
    switch (Pick(14)) {
      case 0:
        return nullptr;
      case 1:
        return true;
      case 2:
        return -1;
      case 3:
        return 0;
      case 4:
        return 40.5;
      case 5:
        return 1e308;
      case 6:
        return -1e308;
      case 7:
        return 1e-300;
      case 8:
        return std::uint64_t{18446744073709551615ULL};
      case 9:
        return std::int64_t{-9223372036854775807LL};
      case 10:
        return "";
      case 11:
        return nlohmann::json::array({1, "x"});
      case 12:
        return nlohmann::json::object({{"x", 1}});
      default:
        return "not a number";
    }
  }

  // Replaces, deletes or adds one value somewhere in the document.
  std::string MutateStructure(const std::string& text) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return text;
    std::vector<nlohmann::json*> nodes;
    Collect(j, &nodes);
    nlohmann::json* target = nodes[Pick(nodes.size())];
    const auto action = Pick(4);
    if (action == 0 && target->is_object() && !target->empty()) {
      auto it = target->begin();
      std::advance(it, static_cast<long>(Pick(target->size())));
      target->erase(it.key());
    } else if (action == 1 && target->is_object()) {
      (*target)["unexpected"] = HostileValue();
    } else {
      *target = HostileValue();
    }
    return j.dump();
  }

  static void Collect(nlohmann::json& j, std::vector<nlohmann::json*>* out) {
    out->push_back(&j);
    if (j.is_structured())
      for (auto& child : j) Collect(child, out);
  }

  std::string MutateBytes(std::string text) {
    const std::size_t size = text.size();
    const std::size_t at = size ? Pick(size) : 0;
    switch (Pick(6)) {
      case 0:
        if (size) text[at] = static_cast<char>(text[at] ^ (1 << Pick(8)));
        break;
      case 1:
        text.insert(at, 1, static_cast<char>(Pick(256)));
        break;
      case 2:
        if (size) text.erase(at, 1 + Pick(std::min<std::size_t>(64, size - at)));
        break;
      case 3:
        if (size) {
          const std::string piece = text.substr(at, 1 + Pick(256));
          text.insert(Pick(size), piece);
        }
        break;
      case 4:
        text.resize(at);
        break;
      default:
        text.insert(at, Tokens()[Pick(Tokens().size())]);
    }
    return text;
  }

  std::mt19937_64 rng_;
};

// Runs `one` on mutations of the seeds until `max_cases` or `seconds` pass, whichever is
// first; returns the number of cases run.
template <typename F>
int FuzzFor(const std::vector<std::string>& seeds, std::uint64_t seed, int max_cases,
            double seconds, F one) {
  Mutator m(seed);
  const auto start = std::chrono::steady_clock::now();
  int n = 0;
  for (; n < max_cases; ++n) {
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > seconds)
      break;
    const std::string& base = seeds[m.Pick(seeds.size())];
    one(m.Mutate(base), n);
  }
  return n;
}

}  // namespace vitperf::fuzz
