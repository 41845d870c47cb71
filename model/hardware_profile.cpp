#include "model/hardware_profile.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "model/build_info.h"
#include "model/calibration.h"
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

// The tensor precision whose published GEMM ceiling sets matmul_efficiency: the first of these
// the profile has (bf16 and fp16 share the tensor cores' rate where both exist).
constexpr Precision kCeilingPrecisions[] = {Precision::bf16, Precision::fp16, Precision::tf32,
                                            Precision::fp32};

double ClampTo(double v, Coef c) { return std::min(std::max(v, Info(c).lower), Info(c).upper); }

}  // namespace

double HardwareProfile::ClockRatio() const {
  if (boost_clock_mhz > 0 && sustained_clock_mhz > 0) return sustained_clock_mhz / boost_clock_mhz;
  return architecture.sustained_clock_ratio;
}

CoefficientValues<double> HardwareProfile::DatasheetCoefficients() const {
  CoefficientValues<double> c = architecture.StartingCoefficients();
  c[Coef::h2d_pinned_gbs] = kPinnedLinkFraction * link_h2d_gbs;
  c[Coef::d2h_pinned_gbs] = kPinnedLinkFraction * link_d2h_gbs;
  c[Coef::h2d_pageable_gbs] = kPageableH2dFraction * link_h2d_gbs;
  c[Coef::d2h_pageable_gbs] = kPageableD2hFraction * link_d2h_gbs;
  // A published large-GEMM rate is what the GPU sustains, its clock included: the efficiency
  // is that rate over the clock-scaled peak the model multiplies it with.
  for (Precision p : kCeilingPrecisions) {
    const double achieved = achieved_matrix_tflops[static_cast<int>(p)];
    if (achieved > 0 && MatrixTflops(p) > 0) {
      c[Coef::matmul_efficiency] =
          ClampTo(achieved / (MatrixTflops(p) * ClockFactor()), Coef::matmul_efficiency);
      break;
    }
  }
  if (achieved_memory_bandwidth_gbs > 0)
    c[Coef::memory_efficiency] =
        ClampTo(achieved_memory_bandwidth_gbs / memory_bandwidth_gbs, Coef::memory_efficiency);
  return c;
}

std::vector<std::string> HardwareProfile::DatasheetBasis() const {
  std::vector<std::string> basis = {architecture.priors_measured_on == architecture_name
                                        ? architecture_name + " priors"
                                        : architecture_name + " rules with " +
                                              architecture.priors_measured_on + " priors"};
  if (boost_clock_mhz > 0 && sustained_clock_mhz > 0)
    basis.push_back("published sustained clock");
  else
    basis.push_back("the architecture's typical sustained clock");
  for (Precision p : kCeilingPrecisions)
    if (achieved_matrix_tflops[static_cast<int>(p)] > 0) {
      basis.push_back("published " + ToString(p) + " GEMM ceiling");
      break;
    }
  if (achieved_memory_bandwidth_gbs > 0) basis.push_back("published bandwidth ceiling");
  return basis;
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
                     {"architecture", p.architecture_name},
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
                     {"matmul_tile", {p.tile_m, p.tile_n}}};
  if (p.host_memcpy_nontemporal_bytes > 0)
    j["host"] = {{"memcpy_nontemporal_bytes", p.host_memcpy_nontemporal_bytes}};
  if (p.boost_clock_mhz > 0) j["clocks_mhz"]["boost"] = p.boost_clock_mhz;
  if (p.sustained_clock_mhz > 0) j["clocks_mhz"]["sustained"] = p.sustained_clock_mhz;
  for (const auto& [precision, name] : EnumNames<Precision>::kNames)
    if (p.achieved_matrix_tflops[static_cast<int>(precision)] > 0)
      j["achieved"]["matrix_tflops"][name] = p.achieved_matrix_tflops[static_cast<int>(precision)];
  if (p.achieved_memory_bandwidth_gbs > 0)
    j["achieved"]["memory_bandwidth_gbs"] = p.achieved_memory_bandwidth_gbs;
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
  nlohmann::json matrix, vector, link, host, tile, clocks, achieved;
  std::optional<double> price;
  o.Required("name", p.name)
      .Optional("aliases", p.aliases)
      .Optional("display_name", p.display_name)
      .Optional("kind", p.kind)
      .Required("architecture", p.architecture_name)
      .Optional("sources", p.sources)
      .Optional("clocks_mhz", clocks)
      .Optional("achieved", achieved)
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
  p.architecture = LoadArchitecture(p.architecture_name);
  if (!clocks.is_null()) {
    StrictObject k(clocks, "profile.clocks_mhz");
    k.Required("boost", p.boost_clock_mhz).Optional("sustained", p.sustained_clock_mhz);
    k.RejectUnknownKeys();
    if (!(p.boost_clock_mhz > 0) || !(p.sustained_clock_mhz >= 0) ||
        p.sustained_clock_mhz > p.boost_clock_mhz)
      throw std::invalid_argument(
          "profile.clocks_mhz: boost must be positive, sustained in [0, boost]");
  }
  if (!achieved.is_null()) {
    StrictObject a(achieved, "profile.achieved");
    nlohmann::json rates;
    a.Optional("matrix_tflops", rates)
        .Optional("memory_bandwidth_gbs", p.achieved_memory_bandwidth_gbs);
    a.RejectUnknownKeys();
    if (!rates.is_null()) {
      StrictObject r(rates, "profile.achieved.matrix_tflops");
      for (const auto& [precision, name] : EnumNames<Precision>::kNames)
        r.Optional(name, p.achieved_matrix_tflops[static_cast<int>(precision)]);
      r.RejectUnknownKeys();
    }
    for (double v : p.achieved_matrix_tflops)
      if (!(v >= 0))
        throw std::invalid_argument("profile.achieved.matrix_tflops: must be positive");
    if (!(p.achieved_memory_bandwidth_gbs >= 0))
      throw std::invalid_argument("profile.achieved.memory_bandwidth_gbs: must be positive");
  }
  if (!tile.is_null()) {
    if (!tile.is_array() || tile.size() != 2 || !tile[0].is_number_integer() ||
        !tile[1].is_number_integer())
      throw std::invalid_argument("profile.matmul_tile: expected [rows, columns]");
    p.tile_m = tile[0].get<int>();
    p.tile_n = tile[1].get<int>();
  }
  p.calibrated = false;
  p.coefficients = p.DatasheetCoefficients();
  p.coefficient_priors = p.coefficients;
  p.coefficient_errors = CoefficientValues<double>{};
  std::string why;
  if (!p.IsValid(&why)) throw std::invalid_argument("profile." + why);
}

namespace {

nlohmann::json ReadProfileJson(const std::string& path) {
  return ParseStrictJson(ReadInputFile(path, "profile", kMaxSpecFileBytes), "profile " + path);
}

HardwareProfile ReadDatasheet(const nlohmann::json& j, const std::string& path) {
  try {
    HardwareProfile p = j.get<HardwareProfile>();
    p.datasheet_path = path;
    return p;
  } catch (const std::exception& e) {
    throw std::invalid_argument("profile " + path + ": " + e.what());
  }
}

std::filesystem::path DataPath(const char* folder) {
  return std::filesystem::path(DataDir()) / folder;
}

// The shipped datasheets, uncalibrated, sorted by name.
std::vector<HardwareProfile> ShippedDatasheets() {
  namespace fs = std::filesystem;
  std::vector<HardwareProfile> out;
  const fs::path dir = DataPath("hardware");
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".json")
      out.push_back(ReadDatasheet(ReadProfileJson(entry.path().string()), entry.path().string()));
  if (ec) throw std::runtime_error(dir.string() + ": cannot list profiles (" + ec.message() + ")");
  std::sort(out.begin(), out.end(),
            [](const HardwareProfile& a, const HardwareProfile& b) { return a.name < b.name; });
  return out;
}

bool Names(const HardwareProfile& p, const std::string& name) {
  return p.name == name || std::find(p.aliases.begin(), p.aliases.end(), name) != p.aliases.end();
}

// A shipped datasheet by name or alias, or a datasheet file by path.
HardwareProfile FindDatasheet(const std::string& name_or_path, bool* shipped) {
  namespace fs = std::filesystem;
  *shipped = false;
  if (name_or_path == "-" || name_or_path.find('/') != std::string::npos ||
      fs::path(name_or_path).extension() == ".json")
    return ReadDatasheet(ReadProfileJson(name_or_path), name_or_path);
  std::vector<std::string> names;
  for (auto& p : ShippedDatasheets()) {
    if (Names(p, name_or_path)) {
      *shipped = true;
      return p;
    }
    names.push_back(p.name);
    names.insert(names.end(), p.aliases.begin(), p.aliases.end());
  }
  throw std::invalid_argument("gpu: unknown GPU '" + name_or_path + "' (closest: " +
                              ClosestNames(name_or_path, names) + "; see `vitperf gpus`)");
}

// Applies data/calibration/<name>.json where it is shipped.
void ApplyShippedCalibration(HardwareProfile* p) {
  const std::filesystem::path path = DataPath("calibration") / (p->name + ".json");
  if (!std::filesystem::is_regular_file(path)) return;
  ApplyCalibration(ReadProfileJson(path.string()), "calibration " + path.string(), p);
}

}  // namespace

HardwareProfile LoadProfileFile(const std::string& path) {
  const nlohmann::json j = ReadProfileJson(path);
  if (!IsCalibrationJson(j)) return ReadDatasheet(j, path);
  bool shipped = false;
  HardwareProfile p = FindDatasheet(CalibrationDatasheet(j, path), &shipped);
  ApplyCalibration(j, "calibration " + path, &p);
  return p;
}

std::vector<HardwareProfile> ShippedProfiles() {
  std::vector<HardwareProfile> out = ShippedDatasheets();
  for (HardwareProfile& p : out) ApplyShippedCalibration(&p);
  return out;
}

HardwareProfile LoadProfile(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  if (name_or_path == "-" || name_or_path.find('/') != std::string::npos ||
      fs::path(name_or_path).extension() == ".json")
    return LoadProfileFile(name_or_path);
  bool shipped = false;
  HardwareProfile p = FindDatasheet(name_or_path, &shipped);
  if (shipped) ApplyShippedCalibration(&p);
  return p;
}

}  // namespace vitperf
