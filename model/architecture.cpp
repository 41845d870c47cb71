#include "model/architecture.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "model/build_info.h"
#include "model/closest_names.h"
#include "model/input_file.h"
#include "model/strict_json.h"

namespace vitperf {
namespace {

// Chains of constants_from / priors_from longer than this are refused (a cycle, most likely).
constexpr int kMaxInheritanceDepth = 4;

nlohmann::json ReadJsonFile(const std::string& path, const std::string& what) {
  return ParseStrictJson(ReadInputFile(path, what, kMaxSpecFileBytes), what + " " + path);
}

std::string ArchitecturePath(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  if (name_or_path.find('/') != std::string::npos || fs::path(name_or_path).extension() == ".json")
    return name_or_path;
  const std::string path = (fs::path(DataDir()) / "arch" / (name_or_path + ".json")).string();
  if (!fs::is_regular_file(path)) {
    const std::vector<std::string> names = ShippedArchitectureNames();
    throw std::invalid_argument("architecture: unknown architecture '" + name_or_path +
                                "' (closest: " + ClosestNames(name_or_path, names) + ")");
  }
  return path;
}

template <typename E>
std::array<E, 4> ReadPerPrecisionEnum(const nlohmann::json& j, const std::string& field) {
  std::array<E, 4> out{};
  StrictObject o(j, field);
  for (const auto& [p, name] : EnumNames<Precision>::kNames) {
    std::string value;
    o.Required(name, value);
    out[static_cast<int>(p)] = ParseEnumOrThrow<E>(value, field + "." + name);
  }
  o.RejectUnknownKeys();
  return out;
}

std::vector<PatchConvRule> ReadPatchConvRules(const nlohmann::json& j) {
  if (!j.is_array()) throw std::invalid_argument("architecture.patch_conv: expected an array");
  std::vector<PatchConvRule> rules;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string field = "architecture.patch_conv[" + std::to_string(i) + "]";
    StrictObject o(j[i], field);
    PatchConvRule r;
    std::vector<std::string> precisions;
    std::string path;
    auto optional_bound = [&](const char* key, auto* out) {
      typename std::remove_pointer_t<decltype(out)>::value_type value{};
      o.Optional(key, value);
      if (j[i].contains(key)) *out = value;
    };
    o.Optional("precisions", precisions).Required("path", path);
    optional_bound("image_side_above", &r.image_side_above);
    optional_bound("image_side_at_most", &r.image_side_at_most);
    optional_bound("width_at_least", &r.width_at_least);
    optional_bound("patch_at_least", &r.patch_at_least);
    optional_bound("input_elements_above", &r.input_elements_above);
    o.RejectUnknownKeys();
    for (const std::string& p : precisions)
      r.precisions.push_back(ParseEnumOrThrow<Precision>(p, field + ".precisions"));
    r.path = ParseEnumOrThrow<ConvPath>(path, field + ".path");
    rules.push_back(r);
  }
  return rules;
}

// Reads a {coefficient: value} map of one kind (architecture constants or fitted priors).
void ReadCoefficientMap(const nlohmann::json& j, const std::string& field, bool constants,
                        CoefficientValues<double>* into, std::set<Coef>* seen) {
  if (!j.is_object()) throw std::invalid_argument(field + ": expected a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto c = CoefficientByName(it.key());
    if (!c) {
      std::vector<std::string> names;
      for (const auto& info : CoefficientTable()) names.push_back(info.name);
      throw std::invalid_argument(field + "." + it.key() + ": unknown coefficient (closest: " +
                                  ClosestNames(it.key(), names) + ")");
    }
    const CoefficientInfo& info = Info(*c);
    if (info.fitted() == constants)
      throw std::invalid_argument(field + "." + it.key() + ": " +
                                  (constants ? "is fitted per GPU; give it under priors"
                                             : "is an architecture constant; give it under "
                                               "constants"));
    if (!it->is_number() || !(it->get<double>() >= info.lower && it->get<double>() <= info.upper))
      throw std::invalid_argument(field + "." + it.key() + ": expected a number in [" +
                                  std::to_string(info.lower) + ", " + std::to_string(info.upper) +
                                  "]");
    (*into)[*c] = it->get<double>();
    seen->insert(*c);
  }
}

Architecture LoadArchitectureAt(const std::string& name_or_path, int depth) {
  if (depth > kMaxInheritanceDepth)
    throw std::invalid_argument("architecture " + name_or_path +
                                ": constants_from / priors_from nest too deep (a cycle?)");
  const std::string path = ArchitecturePath(name_or_path);
  const nlohmann::json j = ReadJsonFile(path, "architecture");
  Architecture a;
  try {
    StrictObject o(j, "architecture");
    std::string schema, constants_from, priors_from;
    int version = 0;
    nlohmann::json units, attention, misaligned, patch_conv, constants, priors;
    o.Required("schema", schema)
        .Required("schema_version", version)
        .Required("name", a.name)
        .Optional("display_name", a.display_name)
        .Required("vendor", a.vendor)
        .Required("matrix_units", units)
        .Required("attention_backend", attention)
        .Required("fp32_lanes_per_sm", a.fp32_lanes_per_sm)
        .Required("exp_per_clock_per_sm", a.exp_per_clock_per_sm)
        .Required("gemm_alignment_bytes", a.gemm_alignment_bytes)
        .Optional("misaligned_gemm", misaligned)
        .Optional("patch_conv", patch_conv)
        .Optional("sustained_clock_ratio", a.sustained_clock_ratio)
        .Optional("constants", constants)
        .Optional("constants_from", constants_from)
        .Optional("priors", priors)
        .Optional("priors_from", priors_from)
        .Required("sources", a.sources);
    o.RejectUnknownKeys();
    if (schema != kArchitectureSchema)
      throw std::invalid_argument("architecture.schema: expected '" +
                                  std::string(kArchitectureSchema) + "'");
    if (version != kArchitectureSchemaVersion)
      throw std::invalid_argument("architecture.schema_version: " + std::to_string(version) +
                                  " is not supported (this vitperf reads 1)");
    a.matrix_units = ReadPerPrecisionEnum<MatrixUnit>(units, "architecture.matrix_units");
    a.attention_backend =
        ReadPerPrecisionEnum<AttentionBackend>(attention, "architecture.attention_backend");
    if (a.fp32_lanes_per_sm < 1 || a.exp_per_clock_per_sm < 1)
      throw std::invalid_argument(
          "architecture.fp32_lanes_per_sm, exp_per_clock_per_sm: must be at least 1");
    if (a.gemm_alignment_bytes < 1)
      throw std::invalid_argument("architecture.gemm_alignment_bytes: must be at least 1");
    if (!(a.sustained_clock_ratio > 0 && a.sustained_clock_ratio <= 1))
      throw std::invalid_argument("architecture.sustained_clock_ratio: must be in (0, 1]");
    if (!misaligned.is_null()) {
      StrictObject m(misaligned, "architecture.misaligned_gemm");
      MisalignedGemmRule rule;
      std::vector<double> window;
      m.Required("simt_above_output_elements", rule.simt_above_output_elements)
          .Optional("tensor_core_window", window);
      m.RejectUnknownKeys();
      if (!(rule.simt_above_output_elements > 0))
        throw std::invalid_argument(
            "architecture.misaligned_gemm.simt_above_output_elements: must be positive");
      if (!window.empty()) {
        if (window.size() != 2 || !(window[0] < window[1]))
          throw std::invalid_argument(
              "architecture.misaligned_gemm.tensor_core_window: expected [low, high], low < high");
        rule.tensor_core_window_low = window[0];
        rule.tensor_core_window_high = window[1];
      }
      a.misaligned_gemm = rule;
    }
    if (!patch_conv.is_null()) a.patch_conv = ReadPatchConvRules(patch_conv);

    // Constants: every architecture-stage coefficient, here or inherited.
    std::set<Coef> constant_seen, prior_seen;
    a.constants = DefaultCoefficients();
    a.priors = DefaultCoefficients();
    if (!constants_from.empty()) {
      a.constants = LoadArchitectureAt(constants_from, depth + 1).constants;
      for (int i = 0; i < kNumCoefficients; ++i)
        if (!CoefficientTable()[i].fitted()) constant_seen.insert(static_cast<Coef>(i));
    }
    a.priors_clock_ratio = a.sustained_clock_ratio;
    a.priors_measured_on = a.name;
    if (!priors_from.empty()) {
      const Architecture from = LoadArchitectureAt(priors_from, depth + 1);
      a.priors = from.priors;
      a.priors_clock_ratio = from.priors_clock_ratio;
      a.priors_measured_on = from.priors_measured_on;
      for (Coef c : FittedCoefficients()) prior_seen.insert(c);
    }
    if (!constants.is_null())
      ReadCoefficientMap(constants, "architecture.constants", true, &a.constants, &constant_seen);
    if (!priors.is_null())
      ReadCoefficientMap(priors, "architecture.priors", false, &a.priors, &prior_seen);
    for (int i = 0; i < kNumCoefficients; ++i) {
      const CoefficientInfo& info = CoefficientTable()[i];
      if (!info.fitted() && !constant_seen.count(static_cast<Coef>(i)))
        throw std::invalid_argument(std::string("architecture.constants.") + info.name +
                                    ": missing (every architecture constant needs a value, or "
                                    "constants_from)");
    }
    // Every fact names its source.
    std::vector<std::string> facts = {"matrix_units", "attention_backend", "fp32_lanes_per_sm",
                                      "exp_per_clock_per_sm", "gemm_alignment_bytes"};
    if (!misaligned.is_null()) facts.push_back("misaligned_gemm");
    if (!patch_conv.is_null()) facts.push_back("patch_conv");
    if (j.contains("sustained_clock_ratio")) facts.push_back("sustained_clock_ratio");
    if (!constants_from.empty()) facts.push_back("constants_from");
    if (!priors_from.empty()) facts.push_back("priors_from");
    if (!constants.is_null())
      for (auto it = constants.begin(); it != constants.end(); ++it) facts.push_back(it.key());
    if (!priors.is_null())
      for (auto it = priors.begin(); it != priors.end(); ++it) facts.push_back(it.key());
    for (const std::string& f : facts)
      if (!a.sources.count(f) || a.sources.at(f).empty())
        throw std::invalid_argument("architecture.sources." + f + ": missing (every fact names " +
                                    "its source)");
    for (const auto& [key, text] : a.sources)
      if (std::find(facts.begin(), facts.end(), key) == facts.end())
        throw std::invalid_argument("architecture.sources." + key +
                                    ": names no field or coefficient of this file");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    if (what.rfind("architecture ", 0) == 0) throw;  // already names a file
    throw std::invalid_argument("architecture " + path + ": " + what);
  }
  return a;
}

}  // namespace

ConvPath Architecture::PatchConvPathFor(Precision p, int longer_image_side, int width, int patch,
                                        double input_elements) const {
  for (const PatchConvRule& r : patch_conv) {
    if (!r.precisions.empty() &&
        std::find(r.precisions.begin(), r.precisions.end(), p) == r.precisions.end())
      continue;
    if (r.image_side_above && !(longer_image_side > *r.image_side_above)) continue;
    if (r.image_side_at_most && !(longer_image_side <= *r.image_side_at_most)) continue;
    if (r.width_at_least && !(width >= *r.width_at_least)) continue;
    if (r.patch_at_least && !(patch >= *r.patch_at_least)) continue;
    if (r.input_elements_above && !(input_elements > *r.input_elements_above)) continue;
    return r.path;
  }
  return ConvPath::simt;
}

bool Architecture::MisalignedGemmRunsOnSimt(double output_elements) const {
  if (!misaligned_gemm) return false;
  const double share = output_elements / misaligned_gemm->simt_above_output_elements;
  return share > 1 && !(share >= misaligned_gemm->tensor_core_window_low &&
                        share <= misaligned_gemm->tensor_core_window_high);
}

CoefficientValues<double> Architecture::StartingCoefficients() const {
  CoefficientValues<double> c;
  for (int i = 0; i < kNumCoefficients; ++i)
    c.v[i] = CoefficientTable()[i].fitted() ? priors.v[i] : constants.v[i];
  return c;
}

std::vector<std::string> ShippedArchitectureNames() {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(DataDir()) / "arch", ec))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

Architecture LoadArchitecture(const std::string& name_or_path) {
  return LoadArchitectureAt(name_or_path, 0);
}

}  // namespace vitperf
