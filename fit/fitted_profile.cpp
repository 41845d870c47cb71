#include "fit/fitted_profile.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "model/build_info.h"
#include "model/input_file.h"
#include "model/profile_transfer.h"

namespace vitperf {
namespace {

std::string UtcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

std::string HashFnv1a64(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::vector<FitInput> ReadInputs(const std::vector<std::string>& paths, MeasurementSet* data) {
  std::vector<FitInput> inputs;
  for (const auto& path : paths) {
    const size_t before = data->pipeline.size() + data->probes.size();
    // Read once: the hash is of the very bytes the fit used.
    const std::string text = ReadInputFile(path, "data", kMaxDataFileBytes);
    ReadMeasurementsText(text, path, data);
    FitInput in;
    in.path = path;
    in.fnv1a64 = HashFnv1a64(text);
    in.records = static_cast<int>(data->pipeline.size() + data->probes.size() - before);
    inputs.push_back(in);
  }
  return inputs;
}

void CheckFitUsable(const FitResult& r, const std::string& output) {
  const std::string unwritten = "; " + output + " not written";
  if (!std::isfinite(r.final_cost) || !std::isfinite(r.initial_cost))
    throw std::runtime_error("fit: the cost is not finite (" + r.termination + ")" + unwritten);
  if (!r.converged)
    throw std::runtime_error("fit: the solver did not converge (" + r.termination + ")" +
                             unwritten);
  for (int i = 0; i < kNumCoefficients; ++i)
    if (!std::isfinite(r.coefficients.v[i]) || !std::isfinite(r.errors.v[i]))
      throw std::runtime_error(std::string("fit: coefficient ") + CoefficientTable()[i].name +
                               " is not finite" + unwritten);
}

nlohmann::json FitProvenance(const FitResult& r, const std::vector<FitInput>& inputs,
                             const FitOptions& options) {
  nlohmann::json j;
  j["inputs"] = nlohmann::json::array();
  for (const auto& in : inputs)
    j["inputs"].push_back({{"path", in.path}, {"fnv1a64", in.fnv1a64}, {"records", in.records}});
  j["points_used"] = r.observations.records_used;
  j["observations"] = r.observations.observations.size();
  j["points_dropped"] = nlohmann::json::array();
  for (const auto& d : r.observations.dropped)
    j["points_dropped"].push_back({{"id", d.id}, {"reason", d.reason}});
  j["loss"] = ToString(options.loss);
  j["loss_scale"] = options.loss_scale;
  j["prior_weight"] = options.prior_weight;
  j["initial_cost"] = r.initial_cost;
  j["final_cost"] = r.final_cost;
  j["iterations"] = r.iterations;
  j["termination"] = r.termination;
  j["converged"] = r.converged;
  j["rank_deficient"] = r.rank_deficient;
  j["degrees_of_freedom"] = r.degrees_of_freedom;
  j["residual_scale"] = r.residual_scale;
  nlohmann::json coefficients = nlohmann::json::object();
  for (const auto& f : r.per_coefficient)
    coefficients[Info(f.coefficient).name] = {{"value", f.value},
                                              {"error", f.error},
                                              {"prior", f.prior},
                                              {"informed", f.informed},
                                              {"determined", f.determined}};
  j["coefficients"] = coefficients;
  j["mape"] = r.mape;
  j["median_ape"] = r.median_ape;
  nlohmann::json by_kind = nlohmann::json::array();
  for (const KindError& k : r.error_by_kind)
    by_kind.push_back({{"kind", ToString(k.kind)},
                       {"observations", k.observations},
                       {"mape", k.mape},
                       {"median_ape", k.median_ape}});
  j["error_by_kind"] = by_kind;
  j["warnings"] = r.warnings;
  j["vitperf_version"] = VersionString();
  j["git_revision"] = GitRevision();
  j["time"] = UtcNow();
  return j;
}

HardwareProfile MakeFittedProfile(const HardwareProfile& base, const FitResult& result,
                                  const std::vector<FitInput>& inputs, const FitOptions& options,
                                  const std::vector<ProbeRecord>& probes) {
  HardwareProfile p = base;
  p.coefficients = result.coefficients;
  p.coefficient_errors = result.errors;
  p.calibrated = true;
  p.fit = FitProvenance(result, inputs, options);
  const HostProbeMedians host = MedianHostProbes(probes);
  nlohmann::json reference = nlohmann::json::object();
  if (host.launch_eager_us > 0)
    reference = {{"launch_eager_us", host.launch_eager_us},
                 {"h2d_pageable_gbs", host.h2d_pageable_gbs},
                 {"d2h_pageable_gbs", host.d2h_pageable_gbs}};
  if (options.observations.host_launch_reference_us > 0)
    reference["point_launch_us"] = options.observations.host_launch_reference_us;
  if (!reference.empty()) p.fit["host_reference"] = reference;
  return p;
}

}  // namespace vitperf
