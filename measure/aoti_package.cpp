#include "measure/aoti_package.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "measure/tensor_archive.h"
#include "measure/vit_module.h"
#include "model/build_info.h"
#include "model/fnv1a.h"
#include "model/input_file.h"
#include "model/output_file.h"
#include "model/strict_json.h"

namespace vitperf::measure {
namespace {

namespace fs = std::filesystem;

std::string Join(const std::string& dir, const std::string& name) {
  return (fs::path(dir) / name).string();
}

// The commands that build a missing package, for the skip message.
std::string BuildHint(const std::string& dir) {
  return "build it with `vitperf measure -e EXPERIMENT --aoti-dir " + dir +
         " --aoti-prepare` then `python3 scripts/aoti_compile.py " + dir + "`";
}

// Canonical config JSON: through ViTConfig, so that the same config compares equal whoever
// wrote it (Python writes 4.0 where nlohmann may write 4.0 or 4).
nlohmann::json CanonicalConfig(const nlohmann::json& j) {
  ViTConfig c;
  from_json(j, c);
  return nlohmann::json(c);
}

// "" when the sidecar describes the point; else the field that does not.
std::string SidecarMismatch(const nlohmann::json& s, const ViTConfig& config, CompileMode mode,
                            std::uint64_t seed, const std::string& device_kind) {
  if (!s.is_object() || s.value("schema", "") != std::string(kAotiSidecarSchema) ||
      s.value("schema_version", 0) != kAotiSchemaVersion)
    return "schema: expected " + std::string(kAotiSidecarSchema) + " version " +
           std::to_string(kAotiSchemaVersion);
  try {
    if (!s.contains("config") || CanonicalConfig(s["config"]) != nlohmann::json(config))
      return "config: not this point's model";
  } catch (const std::exception& e) {
    return std::string("config: ") + e.what();
  }
  if (s.value("compile_mode", "") != AotiModeName(mode))
    return "compile_mode: '" + s.value("compile_mode", "") + "', the point asks for " +
           AotiModeName(mode);
  if (!s.contains("seed") || !s["seed"].is_number_unsigned() ||
      s["seed"].get<std::uint64_t>() != seed)
    return "seed: the weights are not the ones the point's eager model draws (seed " +
           std::to_string(seed) + ")";
  if (s.value("device", "") != device_kind)
    return "device: built for '" + s.value("device", "") + "', the point runs on " + device_kind;
  return "";
}

std::optional<nlohmann::json> ReadSidecar(const std::string& path, std::string* why) {
  try {
    return ParseStrictJson(ReadInputFile(path, "sidecar", kMaxSpecFileBytes), path);
  } catch (const std::exception& e) {
    *why = e.what();
    return std::nullopt;
  }
}

}  // namespace

std::string AotiModelStem(const ViTConfig& config) {
  std::string name = config.name;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-') ch = '_';
  char hash[16];
  std::snprintf(hash, sizeof hash, "%08llx",
                static_cast<unsigned long long>(Fnv1a64(nlohmann::json(config).dump()) >> 32));
  return name + "-" + std::to_string(config.image_height) + "x" +
         std::to_string(config.image_width) + "-" + ToString(config.precision) + "-" +
         ToString(config.attention) + "-" + hash;
}

std::string AotiModeName(CompileMode mode) { return ToString(mode); }

std::string AotiFiles::StaticPackage(int batch) const {
  return package.substr(0, package.size() - 4) + ".b" + std::to_string(batch) + ".pt2";
}
std::string AotiFiles::StaticSidecar(int batch) const { return StaticPackage(batch) + ".json"; }

AotiFiles AotiFilesFor(const std::string& dir, const ViTConfig& config, CompileMode mode) {
  const std::string stem = AotiModelStem(config);
  const std::string with_mode = stem + "." + AotiModeName(mode);
  AotiFiles f;
  f.weights_index = Join(dir, stem + ".weights.json");
  f.weights_data = Join(dir, stem + ".weights.bin");
  f.request = Join(dir, with_mode + ".request.json");
  f.package = Join(dir, with_mode + ".pt2");
  f.sidecar = f.package + ".json";
  return f;
}

std::vector<AotiRequest> AotiRequestsFor(const std::vector<PlannedPoint>& points) {
  std::vector<AotiRequest> requests;
  std::map<std::string, std::size_t> index;  // config JSON + mode -> request
  for (const auto& p : points) {
    if (p.kind != PlannedPoint::Kind::pipeline || p.options.execution != ExecutionMode::compiled)
      continue;
    const std::string key =
        nlohmann::json(p.config).dump() + "|" + AotiModeName(p.options.compile_mode);
    auto [it, added] = index.emplace(key, requests.size());
    if (added) requests.push_back({p.config, p.options.compile_mode, {}});
    auto& batches = requests[it->second].batches;
    if (std::find(batches.begin(), batches.end(), p.batch) == batches.end())
      batches.push_back(p.batch);
  }
  for (auto& r : requests) std::sort(r.batches.begin(), r.batches.end());
  return requests;
}

std::vector<std::string> WriteAotiRequests(const std::vector<AotiRequest>& requests,
                                           const std::string& dir, const std::string& device_kind,
                                           std::uint64_t seed) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("aoti-dir: cannot create '" + dir + "' (" + ec.message() + ")");
  std::vector<std::string> written;
  std::set<std::string> weights_written;
  for (const auto& r : requests) {
    const AotiFiles f = AotiFilesFor(dir, r.config, r.mode);
    if (weights_written.insert(f.weights_index).second) {
      // Built on the CPU in float32 exactly as a probe builds it before moving it to the device
      // and casting it: the package gets the eager model's weights bit for bit.
      const VitModule module(r.config, seed);
      WriteTensorArchive(ModuleState(*module), f.weights_index, f.weights_data);
    }
    const nlohmann::json request = {
        {"schema", kAotiRequestSchema},
        {"schema_version", kAotiSchemaVersion},
        {"config", r.config},
        {"compile_mode", AotiModeName(r.mode)},
        {"device", device_kind},
        {"seed", seed},
        {"batches", r.batches},
        {"weights", fs::path(f.weights_index).filename().string()},
        {"package", fs::path(f.package).filename().string()},
        {"static_packages", AotiModelStem(r.config) + "." + AotiModeName(r.mode) + ".b{batch}.pt2"},
        {"vitperf_revision", GitRevision()}};
    WriteOutputFile(f.request, request.dump(1) + "\n", "aoti request");
    written.push_back(f.request);
  }
  return written;
}

std::optional<AotiPackage> FindAotiPackage(const std::string& dir, const ViTConfig& config,
                                           CompileMode mode, int batch, std::uint64_t seed,
                                           const std::string& device_kind, std::string* why) {
  if (dir.empty()) {
    *why = "no package folder: pass --aoti-dir DIR (" + BuildHint("DIR") + ")";
    return std::nullopt;
  }
  const AotiFiles f = AotiFilesFor(dir, config, mode);
  std::error_code ec;
  // The dynamic-batch package first; when it does not cover this batch (export could not keep
  // batch 1, or the batch dynamic at all), the package built for this batch alone.
  std::string uncovered;
  for (const bool dynamic : {true, false}) {
    const std::string package = dynamic ? f.package : f.StaticPackage(batch);
    const std::string sidecar = dynamic ? f.sidecar : f.StaticSidecar(batch);
    if (!fs::is_regular_file(package, ec) || !fs::is_regular_file(sidecar, ec)) continue;
    std::string problem;
    const auto s = ReadSidecar(sidecar, &problem);
    if (!s) {
      *why = "AOTInductor sidecar unreadable: " + problem;
      return std::nullopt;
    }
    try {
      problem = SidecarMismatch(*s, config, mode, seed, device_kind);
      if (problem.empty() && dynamic) {
        const int lo = s->value("batch_min", 0), hi = s->value("batch_max", 0);
        if (!s->value("dynamic_batch", false) || batch < lo || batch > hi) {
          uncovered =
              "; " + package + " covers batch " + std::to_string(lo) + ".." + std::to_string(hi);
          continue;
        }
      }
      if (problem.empty() && !dynamic && s->value("batch", 0) != batch)
        problem = "batch: built for " + std::to_string(s->value("batch", 0)) + ", not " +
                  std::to_string(batch);
    } catch (const nlohmann::json::exception& e) {
      problem = std::string("a field has the wrong type (") + e.what() + ")";
    }
    if (!problem.empty()) {
      *why = "AOTInductor package " + package + " does not fit the point: " + problem + "; " +
             BuildHint(dir) + " again";
      return std::nullopt;
    }
    return AotiPackage{package, sidecar, *s, dynamic};
  }
  *why = "no AOTInductor package " + f.package + " for batch " + std::to_string(batch) + " (nor " +
         fs::path(f.StaticPackage(batch)).filename().string() + ")" + uncovered + "; " +
         BuildHint(dir);
  return std::nullopt;
}

double AgreementTolerance(Precision precision) {
  switch (precision) {
    case Precision::bf16:
      return 0.08;
    case Precision::fp16:
    case Precision::tf32:
      return 0.02;
    case Precision::fp32:
      return 1e-3;
  }
  return 0.08;
}

}  // namespace vitperf::measure
