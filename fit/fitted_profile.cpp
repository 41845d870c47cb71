#include "fit/fitted_profile.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "fit/compile_time_summary.h"
#include "model/build_info.h"
#include "model/calibration.h"
#include "model/fnv1a.h"
#include "model/input_file.h"
#include "model/output_file.h"
#include "model/profile_transfer.h"
#include "model/readable_json.h"

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

std::vector<FitInput> ReadInputs(const std::vector<std::string>& paths, MeasurementSet* data) {
  std::vector<FitInput> inputs;
  for (const auto& path : paths) {
    const size_t before = data->pipeline.size() + data->probes.size();
    // Read once: the hash is of the very bytes the fit used.
    const std::string text = ReadInputFile(path, "data", kMaxDataFileBytes);
    ReadMeasurementsText(text, path, data);
    FitInput in;
    in.path = path;
    in.fnv1a64 = Fnv1a64Hex(text);
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
  // Dropped points counted by reason (a reason's first line; an out-of-memory message carries
  // the sizes of one allocation, so reasons are cut at the first ':' after 'status').
  std::map<std::string, int> dropped;
  for (const auto& d : r.observations.dropped) {
    std::string reason = d.reason;
    if (reason.rfind("status ", 0) == 0) reason = reason.substr(0, reason.find(':'));
    ++dropped[reason];
  }
  j["points_dropped"] = dropped;
  j["loss"] = ToString(options.loss);
  j["loss_scale"] = options.loss_scale;
  j["prior_weight"] = options.prior_weight;
  j["final_cost"] = r.final_cost;
  j["iterations"] = r.iterations;
  j["converged"] = r.converged;
  j["rank_deficient"] = r.rank_deficient;
  j["degrees_of_freedom"] = r.degrees_of_freedom;
  j["residual_scale"] = r.residual_scale;
  j["mape"] = r.mape;
  j["median_ape"] = r.median_ape;
  nlohmann::json by_kind = nlohmann::json::object();
  for (const KindError& k : r.error_by_kind)
    by_kind[ToString(k.kind)] = {
        {"observations", k.observations}, {"mape", k.mape}, {"median_ape", k.median_ape}};
  j["error_by_kind"] = by_kind;
  j["warnings"] = r.warnings.size();
  j["vitperf_version"] = VersionString();
  j["git_revision"] = GitRevision();
  j["time"] = UtcNow();
  return j;
}

HardwareProfile MakeFittedProfile(const HardwareProfile& base, const FitResult& result,
                                  const std::vector<FitInput>& inputs, const FitOptions& options,
                                  const std::vector<ProbeRecord>& probes,
                                  const std::vector<PipelineRecord>& pipeline) {
  HardwareProfile p = base;
  p.coefficients = result.coefficients;
  p.coefficient_errors = result.errors;
  for (const CoefficientFit& f : result.per_coefficient) {
    p.coefficient_priors[f.coefficient] = f.prior;
    p.coefficient_informed[static_cast<int>(f.coefficient)] = f.informed;
  }
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
  const nlohmann::json compile_s = CompileTimeSummary(pipeline);
  if (!compile_s.empty()) p.fit["compile_s"] = compile_s;
  return p;
}

void WriteCalibrationFile(const HardwareProfile& fitted, const std::string& path) {
  namespace fs = std::filesystem;
  // A shipped datasheet is named; any other by its absolute path, so the file loads from anywhere.
  const fs::path shipped = fs::path(DataDir()) / "hardware" / (fitted.name + ".json");
  std::error_code ec;
  const bool is_shipped =
      !fitted.datasheet_path.empty() && fs::equivalent(fitted.datasheet_path, shipped, ec);
  const std::string gpu = is_shipped || fitted.datasheet_path.empty()
                              ? fitted.name
                              : fs::absolute(fitted.datasheet_path).lexically_normal().string();
  WriteOutputFile(path, ReadableJson(CalibrationJson(fitted, gpu)), "output");
}

}  // namespace vitperf
