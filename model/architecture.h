// What a GPU generation's kernels do, read from data/arch/<name>.json (schema
// "vitperf.architecture"): which unit runs each precision's matrix products, which fused
// attention kernel the framework picks, which kernel runs the patch convolution, alignment
// rules, the sustained clock, and the values of the coefficients that are not fitted per GPU
// (architecture constants) with the priors of those that are. The model reads these facts as
// data, as llvm-mca reads a CPU's scheduling model, so model/ holds no fact about one GPU.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/coefficients.h"
#include "model/conv_path.h"
#include "model/enum_names.h"
#include "model/precision.h"

namespace vitperf {

inline constexpr const char* kArchitectureSchema = "vitperf.architecture";
inline constexpr int kArchitectureSchemaVersion = 1;

enum class MatrixUnit { simt, tensor_core };
template <>
struct EnumNames<MatrixUnit> {
  static constexpr const char* kField = "matrix_units";
  static constexpr std::array<std::pair<MatrixUnit, const char*>, 2> kNames{{
      {MatrixUnit::simt, "simt"},
      {MatrixUnit::tensor_core, "tensor_core"},
  }};
};
VITPERF_ENUM_JSON(MatrixUnit)

// scaled_dot_product_attention's kernel: flash (tiled over key blocks, timed by its tiling),
// memory_efficient (CUTLASS, a rate times attention_efficiency) or math (the same rate model: the
// framework's unfused fallback behind one call).
enum class AttentionBackend { flash, memory_efficient, math };
template <>
struct EnumNames<AttentionBackend> {
  static constexpr const char* kField = "attention_backend";
  static constexpr std::array<std::pair<AttentionBackend, const char*>, 3> kNames{{
      {AttentionBackend::flash, "flash"},
      {AttentionBackend::memory_efficient, "memory_efficient"},
      {AttentionBackend::math, "math"},
  }};
};
VITPERF_ENUM_JSON(AttentionBackend)

// One rule of the patch convolution's kernel choice; the first rule whose conditions all hold
// picks the path. An absent condition always holds.
struct PatchConvRule {
  std::vector<Precision> precisions;      // empty: any precision
  std::optional<int> image_side_above;    // [px] the longer image side is larger than this
  std::optional<int> image_side_at_most;  // [px] the longer image side is at most this
  std::optional<int> width_at_least;      // embedding width
  std::optional<int> patch_at_least;      // [px]
  // [elements] the batch's input tensor (images x channels x height x width) is larger
  std::optional<double> input_elements_above;
  ConvPath path = ConvPath::simt;
};

// When a misaligned batched product leaves the tensor cores for the SIMT fallback: past this
// many output elements, except inside the window (as multiples of it) where a tensor-core
// kernel still runs. Absent: misaligned products stay on the tensor cores.
struct MisalignedGemmRule {
  double simt_above_output_elements = 0;
  double tensor_core_window_low = 0, tensor_core_window_high = 0;
};

struct Architecture {
  std::string name;  // e.g. "sm90"; the file's name
  std::string display_name;
  std::string vendor;  // "nvidia", "amd", "cpu"
  // Indexed by Precision. The defaults (a profile built in code, not loaded) take the profile's
  // matrix rate for every precision and time fused attention as a rate.
  std::array<MatrixUnit, 4> matrix_units{MatrixUnit::tensor_core, MatrixUnit::tensor_core,
                                         MatrixUnit::tensor_core, MatrixUnit::tensor_core};
  std::array<AttentionBackend, 4> attention_backend{
      AttentionBackend::memory_efficient, AttentionBackend::memory_efficient,
      AttentionBackend::memory_efficient, AttentionBackend::memory_efficient};
  int fp32_lanes_per_sm = 64;
  int exp_per_clock_per_sm = 16;
  int gemm_alignment_bytes = 16;
  std::optional<MisalignedGemmRule> misaligned_gemm;
  std::vector<PatchConvRule> patch_conv;  // empty: always simt
  // SM clock under sustained matrix load over the boost clock, for profiles that give no
  // clocks of their own.
  double sustained_clock_ratio = 1.0;
  // The sustained clock ratio of the GPU the priors and constants were measured on (this
  // architecture's own, or priors_from's): efficiencies are per clock at that ratio.
  double priors_clock_ratio = 1.0;
  std::string priors_measured_on;  // the architecture whose GPUs the priors were fitted on
  // Values of every architecture-stage coefficient, and priors of fitted ones (absent: the
  // table's default), after constants_from / priors_from are resolved.
  CoefficientValues<double> constants;
  CoefficientValues<double> priors;
  std::map<std::string, std::string> sources;  // field or coefficient -> where it comes from

  MatrixUnit UnitFor(Precision p) const { return matrix_units[static_cast<int>(p)]; }
  AttentionBackend AttentionFor(Precision p) const {
    return attention_backend[static_cast<int>(p)];
  }
  // [1/s] exponentials per second for a given fp32 vector FLOP rate (an FMA counts 2).
  double ExpPerFp32Flop() const {
    return static_cast<double>(exp_per_clock_per_sm) / (2.0 * fp32_lanes_per_sm);
  }
  ConvPath PatchConvPathFor(Precision p, int longer_image_side, int width, int patch,
                            double input_elements) const;
  bool MisalignedGemmRunsOnSimt(double output_elements) const;
  // The starting coefficients of an uncalibrated GPU of this architecture: constants for the
  // architecture stage, priors for the fitted ones.
  CoefficientValues<double> StartingCoefficients() const;
};

// Reads data/arch/<name>.json (or a path), resolving constants_from / priors_from. Throws
// std::invalid_argument naming the field, or listing the known architectures for a bad name.
Architecture LoadArchitecture(const std::string& name_or_path);
// The names of the shipped architectures (data/arch/*.json), sorted.
std::vector<std::string> ShippedArchitectureNames();

}  // namespace vitperf
