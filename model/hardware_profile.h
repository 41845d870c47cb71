// A device's datasheet figures plus its fitted coefficients, read from data/hardware/*.json
// (schema "vitperf.hardware"). Every profile names its architecture (data/arch/); an
// uncalibrated profile starts from that architecture's priors, scaled by its own clocks and by
// published achieved ceilings where the profile has them, never by the marketing peaks alone.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/architecture.h"
#include "model/coefficients.h"
#include "model/precision.h"

namespace vitperf {

inline constexpr const char* kHardwareSchema = "vitperf.hardware";
inline constexpr int kHardwareSchemaVersion = 1;

struct HardwareProfile {
  std::string name;  // key used on the command line, as in data/hardware/<name>.json
  std::vector<std::string> aliases;
  std::string display_name;
  std::string kind = "gpu";  // "gpu" or "cpu"
  std::vector<std::string> sources;
  std::string architecture_name;  // data/arch/<name>.json, e.g. "sm90"
  Architecture architecture;      // loaded with the profile

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
  // [MHz] boost clock (datasheet) and the clock sustained under load (a published measurement);
  // 0: not known, the architecture's sustained_clock_ratio stands in.
  double boost_clock_mhz = 0, sustained_clock_mhz = 0;
  // Published microbenchmark ceilings of this GPU: large-GEMM rate per precision [TFLOP/s] and
  // streaming bandwidth [GB/s]; 0: not published. They set an uncalibrated profile's
  // matmul_efficiency and memory_efficiency instead of the architecture's priors.
  std::array<double, 4> achieved_matrix_tflops{};
  double achieved_memory_bandwidth_gbs = 0;
  std::optional<double> price_per_hour_usd;
  std::string price_source;

  bool calibrated = false;
  CoefficientValues<double> coefficients;
  CoefficientValues<double> coefficient_errors;  // one standard error; 0 when unknown
  CoefficientValues<double> coefficient_priors;  // the fit's priors (calibrated profiles)
  std::array<bool, kNumCoefficients> coefficient_informed{};  // moved by the fit's data
  nlohmann::json fit;          // the calibration's fit summary, null when uncalibrated
  std::string datasheet_path;  // the datasheet file this profile was read from

  double MatrixTflops(Precision p) const { return matrix_tflops[static_cast<int>(p)]; }
  double VectorTflops(Precision p) const { return vector_tflops[static_cast<int>(p)]; }
  double UsableMemoryBytes() const {
    return (memory_gib - memory_reserved_gib) * 1024.0 * 1024.0 * 1024.0;
  }
  // Sustained over boost clock: the profile's clocks, else its architecture's typical ratio.
  double ClockRatio() const;
  // Rates scale by this: the GPU's clock ratio over the one its architecture's priors and
  // constants were measured at (1 for the GPU they came from).
  double ClockFactor() const { return ClockRatio() / architecture.priors_clock_ratio; }
  // Coefficients implied by the datasheet: the architecture's constants and priors, host-link
  // rates from the nominal link, and achieved ceilings where published (the fit's priors).
  CoefficientValues<double> DatasheetCoefficients() const;
  // What an uncalibrated prediction rests on, for people: "architecture priors (sm90)",
  // "achieved GEMM and bandwidth ceilings (published)" and the like.
  std::vector<std::string> DatasheetBasis() const;
  bool IsValid(std::string* why) const;
};

void to_json(nlohmann::json& j, const HardwareProfile& p);
// Validates; throws std::invalid_argument naming the field.
void from_json(const nlohmann::json& j, HardwareProfile& p);

// Reads a datasheet file (uncalibrated, even where a calibration of it is shipped) or a
// calibration file (its datasheet plus its coefficients). Throws std::invalid_argument with the
// path and the problem.
HardwareProfile LoadProfileFile(const std::string& path);
// A path (LoadProfileFile), or a profile name or alias from <data>/hardware/, calibrated with
// <data>/calibration/<name>.json where that exists. Unknown names throw std::invalid_argument
// listing the closest ones.
HardwareProfile LoadProfile(const std::string& name_or_path);
// All shipped profiles, calibrated where a calibration is shipped, sorted by name.
std::vector<HardwareProfile> ShippedProfiles();

}  // namespace vitperf
