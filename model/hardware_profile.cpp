#include "model/hardware_profile.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "model/build_info.h"
#include "model/closest_names.h"
#include "model/input_file.h"
#include "model/strict_json.h"

namespace vitperf {
namespace {

// Fractions of the nominal link a copy engine achieves. Pinned copies reach about 80-85% of a
// PCIe link's nominal rate; pageable copies go through a driver staging buffer and a CPU memcpy.
constexpr double kPinnedLinkFraction = 0.82;
constexpr double kPageableH2dFraction = 0.3;
constexpr double kPageableD2hFraction = 0.2;

std::array<double, 4> ReadPerPrecision(const nlohmann::json& j, const std::string& field) {
  std::array<double, 4> out{};
  StrictObject o(j, field);
  for (const auto& [p, name] : EnumNames<Precision>::kNames)
    o.Required(name, out[static_cast<int>(p)]);
  o.RejectUnknownKeys();
  return out;
}

nlohmann::json WritePerPrecision(const std::array<double, 4>& values) {
  nlohmann::json j;
  for (const auto& [p, name] : EnumNames<Precision>::kNames) j[name] = values[static_cast<int>(p)];
  return j;
}

nlohmann::json WriteCoefficients(const CoefficientValues<double>& c) {
  nlohmann::json j;
  for (int i = 0; i < kNumCoefficients; ++i) j[CoefficientTable()[i].name] = c.v[i];
  return j;
}

void ReadCoefficients(const nlohmann::json& j, const std::string& field,
                      CoefficientValues<double>* into) {
  if (!j.is_object()) throw std::invalid_argument(field + ": expected a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    auto c = CoefficientByName(it.key());
    if (!c) {
      std::vector<std::string> names;
      for (const auto& info : CoefficientTable()) names.push_back(info.name);
      throw std::invalid_argument(field + "." + it.key() + ": unknown coefficient (closest: " +
                                  ClosestNames(it.key(), names) + ")");
    }
    if (!it->is_number())
      throw std::invalid_argument(field + "." + it.key() + ": expected a number");
    (*into)[*c] = it->get<double>();
  }
}

}  // namespace

CoefficientValues<double> HardwareProfile::DatasheetCoefficients() const {
  CoefficientValues<double> c = DefaultCoefficients();
  c[Coef::h2d_pinned_gbs] = kPinnedLinkFraction * link_h2d_gbs;
  c[Coef::d2h_pinned_gbs] = kPinnedLinkFraction * link_d2h_gbs;
  c[Coef::h2d_pageable_gbs] = kPageableH2dFraction * link_h2d_gbs;
  c[Coef::d2h_pageable_gbs] = kPageableD2hFraction * link_d2h_gbs;
  return c;
}

bool HardwareProfile::IsValid(std::string* why) const {
  auto fail = [&](const std::string& msg) {
    if (why) *why = msg;
    return false;
  };
  if (name.empty()) return fail("name: must not be empty");
  if (kind != "gpu" && kind != "cpu") return fail("kind: '" + kind + "' is not one of gpu, cpu");
  if (multiprocessors <= 0) return fail("multiprocessors: must be positive");
  if (!(memory_reserved_gib >= 0 && std::isfinite(memory_reserved_gib)))
    return fail("memory_reserved_gib: must be 0 or more");
  if (!(workspace_mib >= 0 && std::isfinite(workspace_mib)))
    return fail("workspace_mib: must be 0 or more");
  if (!(l2_mib >= 0 && std::isfinite(l2_mib))) return fail("l2_mib: must be 0 or more");
  if (!(memory_gib > memory_reserved_gib && memory_gib <= 1 << 20))
    return fail("memory_gib: must exceed memory_reserved_gib, up to 1048576 (1 PiB)");
  if (!(memory_gib * 1024 > memory_reserved_gib * 1024 + workspace_mib))
    return fail("workspace_mib: must fit in memory_gib - memory_reserved_gib");
  if (!(memory_bandwidth_gbs > 0)) return fail("memory_bandwidth_gbs: must be positive");
  for (const auto& [p, n] : EnumNames<Precision>::kNames) {
    if (!(matrix_tflops[static_cast<int>(p)] > 0))
      return fail(std::string("matrix_tflops.") + n + ": must be positive");
    if (!(vector_tflops[static_cast<int>(p)] > 0))
      return fail(std::string("vector_tflops.") + n + ": must be positive");
  }
  if (!(link_h2d_gbs > 0) || !(link_d2h_gbs > 0))
    return fail("host_link: h2d_gbs and d2h_gbs must be positive");
  if (copy_engines < 1) return fail("host_link.copy_engines: must be at least 1");
  if (!(host_memcpy_nontemporal_bytes >= 0))
    return fail("host.memcpy_nontemporal_bytes: must be 0 (unknown) or positive");
  if (tile_m <= 0 || tile_n <= 0) return fail("matmul_tile: both sides must be positive");
  for (int i = 0; i < kNumCoefficients; ++i) {
    const auto& info = CoefficientTable()[i];
    const double v = coefficients.v[i];
    if (!(v >= info.lower && v <= info.upper))
      return fail(std::string("coefficients.") + info.name + ": " + std::to_string(v) +
                  " is outside [" + std::to_string(info.lower) + ", " + std::to_string(info.upper) +
                  "]");
  }
  return true;
}

void to_json(nlohmann::json& j, const HardwareProfile& p) {
  j = nlohmann::json{{"schema", kHardwareSchema},
                     {"schema_version", kHardwareSchemaVersion},
                     {"name", p.name},
                     {"aliases", p.aliases},
                     {"display_name", p.display_name},
                     {"kind", p.kind},
                     {"sources", p.sources},
                     {"multiprocessors", p.multiprocessors},
                     {"l2_mib", p.l2_mib},
                     {"memory_gib", p.memory_gib},
                     {"memory_bandwidth_gbs", p.memory_bandwidth_gbs},
                     {"matrix_tflops", WritePerPrecision(p.matrix_tflops)},
                     {"vector_tflops", WritePerPrecision(p.vector_tflops)},
                     {"host_link",
                      {{"name", p.host_link},
                       {"h2d_gbs", p.link_h2d_gbs},
                       {"d2h_gbs", p.link_d2h_gbs},
                       {"copy_engines", p.copy_engines}}},
                     {"memory_reserved_gib", p.memory_reserved_gib},
                     {"workspace_mib", p.workspace_mib},
                     {"matmul_tile", {p.tile_m, p.tile_n}},
                     {"calibrated", p.calibrated},
                     {"coefficients", WriteCoefficients(p.coefficients)},
                     {"coefficient_errors", WriteCoefficients(p.coefficient_errors)},
                     {"fit", p.fit}};
  if (p.host_memcpy_nontemporal_bytes > 0)
    j["host"] = {{"memcpy_nontemporal_bytes", p.host_memcpy_nontemporal_bytes}};
  if (p.price_per_hour_usd) {
    j["price_per_hour_usd"] = *p.price_per_hour_usd;
    j["price_source"] = p.price_source;
  }
}

void from_json(const nlohmann::json& j, HardwareProfile& p) {
  StrictObject o(j, "profile");
  std::string schema;
  int version = 0;
  o.Required("schema", schema).Required("schema_version", version);
  if (schema != kHardwareSchema)
    throw std::invalid_argument("profile.schema: expected '" + std::string(kHardwareSchema) + "'");
  if (version < 1 || version > kHardwareSchemaVersion)
    throw std::invalid_argument("profile.schema_version: " + std::to_string(version) +
                                " is not supported (this vitperf reads 1.." +
                                std::to_string(kHardwareSchemaVersion) + ")");
  nlohmann::json matrix, vector, link, host, tile, coefficients, errors;
  std::optional<double> price;
  o.Required("name", p.name)
      .Optional("aliases", p.aliases)
      .Optional("display_name", p.display_name)
      .Optional("kind", p.kind)
      .Optional("sources", p.sources)
      .Required("multiprocessors", p.multiprocessors)
      .Optional("l2_mib", p.l2_mib)
      .Required("memory_gib", p.memory_gib)
      .Required("memory_bandwidth_gbs", p.memory_bandwidth_gbs)
      .Required("matrix_tflops", matrix)
      .Required("vector_tflops", vector)
      .Required("host_link", link)
      .Optional("host", host)
      .Optional("memory_reserved_gib", p.memory_reserved_gib)
      .Optional("workspace_mib", p.workspace_mib)
      .Optional("matmul_tile", tile)
      .Optional("calibrated", p.calibrated)
      .Optional("coefficients", coefficients)
      .Optional("coefficient_errors", errors)
      .Optional("fit", p.fit)
      .Optional("price_source", p.price_source);
  if (j.contains("price_per_hour_usd")) {
    double v = 0;
    o.Optional("price_per_hour_usd", v);
    if (!(v > 0)) throw std::invalid_argument("profile.price_per_hour_usd: must be positive");
    p.price_per_hour_usd = v;
  }
  o.RejectUnknownKeys();
  p.matrix_tflops = ReadPerPrecision(matrix, "profile.matrix_tflops");
  p.vector_tflops = ReadPerPrecision(vector, "profile.vector_tflops");
  StrictObject l(link, "profile.host_link");
  l.Optional("name", p.host_link)
      .Required("h2d_gbs", p.link_h2d_gbs)
      .Required("d2h_gbs", p.link_d2h_gbs)
      .Optional("copy_engines", p.copy_engines);
  l.RejectUnknownKeys();
  if (!host.is_null()) {
    StrictObject h(host, "profile.host");
    h.Optional("memcpy_nontemporal_bytes", p.host_memcpy_nontemporal_bytes);
    h.RejectUnknownKeys();
  }
  if (!tile.is_null()) {
    if (!tile.is_array() || tile.size() != 2 || !tile[0].is_number_integer() ||
        !tile[1].is_number_integer())
      throw std::invalid_argument("profile.matmul_tile: expected [rows, columns]");
    p.tile_m = tile[0].get<int>();
    p.tile_n = tile[1].get<int>();
  }
  // A calibrated profile without its fit would print datasheet guesses as measured (+-1sd 0%).
  if (p.calibrated && (coefficients.is_null() || errors.is_null()))
    throw std::invalid_argument(
        "profile.calibrated: true needs coefficients and coefficient_errors (accepted: false "
        "without them)");
  p.coefficients = p.DatasheetCoefficients();
  if (!coefficients.is_null())
    ReadCoefficients(coefficients, "profile.coefficients", &p.coefficients);
  p.coefficient_errors = CoefficientValues<double>{};
  if (!errors.is_null())
    ReadCoefficients(errors, "profile.coefficient_errors", &p.coefficient_errors);
  std::string why;
  if (!p.IsValid(&why)) throw std::invalid_argument("profile." + why);
}

HardwareProfile LoadProfileFile(const std::string& path) {
  const nlohmann::json j =
      ParseStrictJson(ReadInputFile(path, "profile", kMaxSpecFileBytes), "profile " + path);
  try {
    return j.get<HardwareProfile>();
  } catch (const std::exception& e) {
    throw std::invalid_argument("profile " + path + ": " + e.what());
  }
}

std::vector<HardwareProfile> ShippedProfiles() {
  namespace fs = std::filesystem;
  std::vector<HardwareProfile> out;
  const fs::path dir = fs::path(DataDir()) / "hardware";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".json") out.push_back(LoadProfileFile(entry.path().string()));
  if (ec) throw std::runtime_error(dir.string() + ": cannot list profiles (" + ec.message() + ")");
  std::sort(out.begin(), out.end(),
            [](const HardwareProfile& a, const HardwareProfile& b) { return a.name < b.name; });
  return out;
}

HardwareProfile LoadProfile(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  if (name_or_path == "-" || name_or_path.find('/') != std::string::npos ||
      fs::path(name_or_path).extension() == ".json")
    return LoadProfileFile(name_or_path);
  std::vector<std::string> names;
  for (auto& p : ShippedProfiles()) {
    if (p.name == name_or_path ||
        std::find(p.aliases.begin(), p.aliases.end(), name_or_path) != p.aliases.end())
      return p;
    names.push_back(p.name);
    names.insert(names.end(), p.aliases.begin(), p.aliases.end());
  }
  throw std::invalid_argument("gpu: unknown GPU '" + name_or_path + "' (closest: " +
                              ClosestNames(name_or_path, names) + "; see `vitperf gpus`)");
}

}  // namespace vitperf
