// A device's datasheet figures plus its fitted coefficients, read from data/hardware/*.json
// (schema "vitperf.hardware"). Uncalibrated profiles carry default coefficients.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/coefficients.h"
#include "model/precision.h"

namespace vitperf {

inline constexpr const char* kHardwareSchema = "vitperf.hardware";
inline constexpr int kHardwareSchemaVersion = 1;

struct HardwareProfile {
  std::string name;  // key used on the command line, e.g. "h100-sxm"
  std::vector<std::string> aliases;
  std::string display_name;
  std::string kind = "gpu";  // "gpu" or "cpu"
  std::vector<std::string> sources;

  int multiprocessors = 1;  // SMs (CPU: cores); matrix tiles are spread over these
  double l2_mib = 0;
  double memory_gib = 0;                      // device memory capacity
  double memory_bandwidth_gbs = 0;            // datasheet
  std::array<double, 4> matrix_tflops{};      // dense, indexed by Precision
  std::array<double, 4> vector_tflops{};      // non-tensor-core rate, indexed by Precision
  std::string host_link = "PCIe";             // description
  double link_h2d_gbs = 0, link_d2h_gbs = 0;  // nominal per direction
  int copy_engines = 2;                       // 1: H2D and D2H share one engine
  // [bytes] on the GPU's host, a memcpy this size or larger uses streaming stores (glibc's
  // x86_non_temporal_threshold tunable, `ld.so --list-tunables`); 0: unknown. JSON
  // "host": {"memcpy_nontemporal_bytes": ...}.
  double host_memcpy_nontemporal_bytes = 0;
  double memory_reserved_gib = 0.5;  // context + allocator, unusable by tensors
  double workspace_mib = 32;         // library workspace (cuBLAS)
  int tile_m = 128, tile_n = 128;    // typical GEMM output tile
  std::optional<double> price_per_hour_usd;
  std::string price_source;

  bool calibrated = false;
  CoefficientValues<double> coefficients;
  CoefficientValues<double> coefficient_errors;  // one standard error; 0 when unknown
  nlohmann::json fit;                            // fit provenance, null when uncalibrated

  double MatrixTflops(Precision p) const { return matrix_tflops[static_cast<int>(p)]; }
  double VectorTflops(Precision p) const { return vector_tflops[static_cast<int>(p)]; }
  double UsableMemoryBytes() const {
    return (memory_gib - memory_reserved_gib) * 1024.0 * 1024.0 * 1024.0;
  }
  // Coefficient defaults implied by the datasheet (priors for the fit).
  CoefficientValues<double> DatasheetCoefficients() const;
  bool IsValid(std::string* why) const;
};

void to_json(nlohmann::json& j, const HardwareProfile& p);
// Validates; throws std::invalid_argument naming the field.
void from_json(const nlohmann::json& j, HardwareProfile& p);

// Reads a profile file. Throws std::invalid_argument with the path and the problem.
HardwareProfile LoadProfileFile(const std::string& path);
// A path to a .json file, or a profile name or alias from <data>/hardware/. Unknown names
// throw std::invalid_argument listing the closest ones.
HardwareProfile LoadProfile(const std::string& name_or_path);
// All shipped profiles, sorted by name.
std::vector<HardwareProfile> ShippedProfiles();

}  // namespace vitperf
