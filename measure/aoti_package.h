// AOTInductor packages of the ViT for compiled execution: which ones an experiment needs, where
// they live, and how a compiled point finds the one it runs. Free of torch headers (the CLI
// includes it); loading a package is measure/aoti_runner.h.
//
// The flow (scripts/gpu_rq3.sh runs it):
//   1. `vitperf measure -e EXP --aoti-dir DIR --aoti-prepare` writes, for every model a compiled
//      point of EXP runs, the module's weights (the values VitModule draws from the seed, so the
//      compiled model and the eager one are the same network) and a request per compile mode.
//   2. `python3 scripts/aoti_compile.py DIR` exports each requested model with torch.export and
//      compiles it with AOTInductor into a .pt2 package, then writes a sidecar beside it
//      (export and compile times, torch and triton versions, dynamic or static batch).
//   3. `vitperf measure -e EXP --aoti-dir DIR` loads the package of each compiled point.
//
// Files in DIR for one model (config) and compile mode:
//   <stem>.weights.json, <stem>.weights.bin  the weights (measure/tensor_archive.h), both modes
//   <stem>.<mode>.request.json              what to build
//   <stem>.<mode>.pt2, <stem>.<mode>.pt2.json  the package with a dynamic batch, its sidecar
//   <stem>.<mode>.b<N>.pt2 (+ .json)        a package for batch N alone, built for the batches
//                                           the dynamic one does not cover (export could not
//                                           keep batch 1, or the batch, dynamic)
// A package without its sidecar is unfinished (the script writes the sidecar last).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "measure/experiment.h"
#include "model/pipeline_options.h"
#include "model/vit_config.h"

namespace vitperf::measure {

inline constexpr const char* kAotiRequestSchema = "vitperf.aoti_request";
inline constexpr const char* kAotiSidecarSchema = "vitperf.aoti_package";
inline constexpr int kAotiSchemaVersion = 1;

// True when this build can load AOTInductor packages (LibTorch >= 2.6 with the loader header).
bool AotiAvailable();
// The one line a compiled point carries when it cannot: "compiled execution needs LibTorch ≥ 2.6
// with AOTInductor; this build has 1.13".
std::string AotiUnavailableMessage();

// "vit_b16-224x224-bf16-fused-3f2a9c1e": the config's name (characters other than letters,
// digits, '_' and '-' replaced), resolution, precision, attention and a hash of its whole JSON,
// so that two configs differing in any field (a variant, the classes) never share a package.
std::string AotiModelStem(const ViTConfig& config);
// The file name part of a compile mode: "default" or "max-autotune".
std::string AotiModeName(CompileMode mode);

struct AotiFiles {
  std::string weights_index, weights_data, request, package, sidecar;
  // Package and sidecar for batch `batch` alone.
  std::string StaticPackage(int batch) const;
  std::string StaticSidecar(int batch) const;
};
AotiFiles AotiFilesFor(const std::string& dir, const ViTConfig& config, CompileMode mode);

// One package to build: a model, a compile mode and the batches its points run.
struct AotiRequest {
  ViTConfig config;
  CompileMode mode = CompileMode::standard;
  std::vector<int> batches;  // ascending
};
// The requests of an expanded experiment: one per (config, compile mode) of its compiled
// pipeline points, batches merged, in first-seen order. Empty when it has no compiled point.
std::vector<AotiRequest> AotiRequestsFor(const std::vector<PlannedPoint>& points);

// Writes each request's weights (once per model) and request file into `dir`, created when
// missing. `device_kind`: "cuda" or "cpu", where the package will run. `seed`: the weights'
// seed, the one the probes use (ProbeContext::seed). Returns the request files written. Throws
// std::runtime_error naming the path when a write fails.
std::vector<std::string> WriteAotiRequests(const std::vector<AotiRequest>& requests,
                                           const std::string& dir, const std::string& device_kind,
                                           std::uint64_t seed);

// A built package for a point, with what its sidecar says.
struct AotiPackage {
  std::string path;
  std::string sidecar_path;
  nlohmann::json sidecar;
  bool dynamic_batch = true;
};
// The package of a compiled point: the dynamic-batch one when it covers `batch`, else the one
// built for `batch`. nullopt with *why - one line naming the missing file and the commands that
// build it, or the sidecar field that does not match the point (config, mode, seed, device,
// batch range).
std::optional<AotiPackage> FindAotiPackage(const std::string& dir, const ViTConfig& config,
                                           CompileMode mode, int batch, std::uint64_t seed,
                                           const std::string& device_kind, std::string* why);

// The largest difference between the compiled and the eager output a compiled point accepts,
// as a fraction of the eager output's largest magnitude: both run the same weights, but fused
// kernels round once where eager rounds after every operator, and the differences grow with
// depth. bf16 keeps 8 significant bits (0.4% per rounding).
double AgreementTolerance(Precision precision);

}  // namespace vitperf::measure
