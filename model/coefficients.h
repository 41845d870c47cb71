// The few per-GPU coefficients that the fit adjusts. Stored as a flat array so Ceres can take
// them as one parameter block; each has a physical default, bounds and a unit.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "model/enum_names.h"

namespace vitperf {

// X(name, default, lower, upper, unit, stage, meaning). The stage says where a coefficient's
// value comes from: the five pipeline stages (device kernels, launch and dispatch, host link,
// host staging, statistics) are fitted per GPU; `architecture` ones are kernel and host facts
// held constant at the value in the GPU's data/arch/<name>.json (each with its source there).
// Defaults are placeholders for tests: a loaded profile takes its priors from its architecture.
#define VITPERF_COEFFICIENTS(X)                                                                    \
  X(matmul_efficiency, 0.75, 0.02, 1.0, "fraction", device,                                        \
    "of peak matrix rate, large full-wave GEMM")                                                   \
  X(memory_efficiency, 0.85, 0.05, 1.0, "fraction", device,                                        \
    "of datasheet device-memory bandwidth")                                                        \
  X(flash_attention_efficiency, 0.8, 0.05, 1.0, "fraction", device,                                \
    "of the matrix and exp rates per key block, flash attention")                                  \
  X(template_matmul_efficiency, 0.85, 0.05, 2.0, "ratio", device,                                  \
    "generated (max-autotune template) GEMM rate over the library's")                              \
  X(dispatch_us, 6.0, 0.1, 500.0, "us", launch, "host time per framework call, eager")             \
  X(compiled_extern_us, 20.0, 0.0, 2000.0, "us", launch,                                           \
    "host time per library call (GEMM, attention, conv) from compiled code")                       \
  X(compiled_launch_us, 6.0, 0.0, 1000.0, "us", launch,                                            \
    "host time per generated kernel launched by compiled code")                                    \
  X(h2d_pinned_gbs, 50.0, 0.1, 1000.0, "GB/s", link, "host-to-device, pinned host memory")         \
  X(h2d_pageable_gbs, 15.0, 0.1, 1000.0, "GB/s", link, "host-to-device, pageable host memory")     \
  X(d2h_pinned_gbs, 50.0, 0.1, 1000.0, "GB/s", link, "device-to-host, pinned host memory")         \
  X(d2h_pageable_gbs, 10.0, 0.1, 1000.0, "GB/s", link, "device-to-host, pageable host memory")     \
  X(host_copy_gbs, 8.0, 0.01, 500.0, "GB/s", host,                                                 \
    "host staging of uint8 pixels in cache, per thread")                                           \
  X(host_normalize_gbs, 1.5, 0.01, 500.0, "GB/s", host,                                            \
    "host float32 normalisation output, per thread")                                               \
  X(host_cache_mb, 32.0, 1.0, 1024.0, "MB", host,                                                  \
    "uint8 staging size where copies fall off the host cache")                                     \
  X(host_dram_copy_gbs, 5.0, 0.01, 500.0, "GB/s", host, "host staging past that size, per thread") \
  X(host_batch_us, 20.0, 0.0, 5000.0, "us", host, "fixed host preprocessing cost per batch")       \
  X(host_nt_copy_gbs, 7.5, 0.01, 500.0, "GB/s", host,                                              \
    "host staging with streaming stores (one copy past glibc's threshold), per thread")            \
  X(latency_p90_factor, 1.05, 1.0, 5.0, "ratio", statistics, "p90 over p50 latency")               \
  X(latency_p99_factor, 1.15, 1.0, 10.0, "ratio", statistics, "p99 over p50 latency")              \
  X(attention_efficiency, 0.45, 0.01, 1.0, "fraction", architecture,                               \
    "of the rate, fp32 fused attention")                                                           \
  X(kernel_gap_us, 1.0, 0.0, 100.0, "us", architecture, "device idle between kernels, eager")      \
  X(sync_us, 20.0, 0.0, 20000.0, "us", architecture,                                               \
    "fixed per-batch cost: synchronise, bookkeeping")                                              \
  X(graph_kernel_gap_us, 0.5, 0.0, 100.0, "us", architecture,                                      \
    "device idle between kernels of a CUDA graph")                                                 \
  X(matmul_k_half, 64.0, 0.0, 8192.0, "elements", architecture,                                    \
    "inner size where GEMM efficiency halves")                                                     \
  X(vector_efficiency, 0.5, 0.01, 1.0, "fraction", architecture,                                   \
    "of peak vector rate in elementwise work")                                                     \
  X(graph_launch_us, 15.0, 0.0, 2000.0, "us", architecture,                                        \
    "host time to launch one captured graph")                                                      \
  X(copy_latency_us, 10.0, 0.0, 5000.0, "us", architecture, "fixed cost of one host-device copy")  \
  X(overlap_efficiency, 0.9, 0.0, 1.0, "fraction", architecture,                                   \
    "of non-bottleneck stage time hidden")                                                         \
  X(overlapped_forward_slowdown, 0.02, 0.0, 0.5, "fraction", architecture,                         \
    "forward time added by running inside an overlapped pipeline")                                 \
  X(numa_remote_factor, 0.8, 0.1, 1.0, "fraction", architecture,                                   \
    "host-link bandwidth kept when remote")                                                        \
  X(activation_memory_factor, 1.0, 0.3, 5.0, "ratio", architecture,                                \
    "allocator peak over computed live bytes")                                                     \
  X(conv_efficiency, 0.3, 0.01, 1.0, "fraction", architecture,                                     \
    "of the fp32 vector rate, SIMT patch conv")                                                    \
  X(conv_precomputed_efficiency, 0.45, 0.01, 1.0, "fraction", architecture,                        \
    "of the fp32 vector rate, precomputed-offset SIMT patch conv")                                 \
  X(conv_step_ns, 80.0, 0.0, 2000.0, "ns", architecture,                                           \
    "serial time per inner element, SIMT conv tile")                                               \
  X(conv_row_bytes_half, 100.0, 1.0, 1e5, "bytes", architecture,                                   \
    "patch row width that halves SIMT conv rate")                                                  \
  X(conv_tc_step_ns, 100.0, 1.0, 2000.0, "ns", architecture,                                       \
    "per inner element, tensor-core conv tile wave")                                               \
  X(conv_gemm_step_ns, 85.0, 1.0, 2000.0, "ns", architecture,                                      \
    "per inner element, xmma conv tile wave")                                                      \
  X(conv_layout_bytes_per_sm_cycle, 1.0, 0.01, 64.0, "B/cycle", architecture,                      \
    "per multiprocessor, cuDNN's NCHW->NHWC copies before a tensor-core conv")                     \
  X(strided_read_bytes_per_sm_cycle, 2.0, 0.001, 64.0, "B/cycle", architecture,                    \
    "per multiprocessor, eager elementwise reads of a head-split view")                            \
  X(transposed_read_elements_per_sm_cycle, 0.5, 0.0005, 32.0, "elements/cycle", architecture,      \
    "per multiprocessor, eager elementwise reads of a token-transposed view")                      \
  X(biased_attention_slowdown, 1.0, 1.0, 10.0, "ratio", architecture,                              \
    "fused attention time with an additive score bias over without")                               \
  X(row_reduction_ns, 1.0, 0.0, 100.0, "ns", architecture,                                         \
    "per row of a LayerNorm/softmax reduction")                                                    \
  X(kernel_latency_us, 0.8, 0.0, 100.0, "us", architecture,                                        \
    "per dependent trip through memory in a kernel")                                               \
  X(tile_intensity_half, 16.0, 0.0, 1000.0, "elements", architecture,                              \
    "GEMM tile intensity where it halves")                                                         \
  X(misaligned_matmul_efficiency, 0.1, 0.005, 1.0, "fraction", architecture,                       \
    "of peak, leading dim % 8 != 0")                                                               \
  X(simt_matmul_efficiency, 0.39, 0.02, 1.0, "fraction", architecture,                             \
    "of the fp32 vector rate, SIMT GEMMs")                                                         \
  X(host_cache_decay_ms, 10.0, 0.1, 1e5, "ms", architecture,                                       \
    "idle time that halves the staging cache hits")                                                \
  X(sustained_matmul_clock, 0.85, 0.3, 1.0, "ratio", architecture,                                 \
    "SM clock of back-to-back GEMMs (power limit) over a ViT forward's")                           \
  X(flash_tile_us, 1.0, 0.0, 100.0, "us", architecture,                                            \
    "fixed cost of one flash-attention query tile")

enum class Coef {
#define VITPERF_COEF_ENUM(name, def, lo, hi, unit, stage, meaning) name,
  VITPERF_COEFFICIENTS(VITPERF_COEF_ENUM)
#undef VITPERF_COEF_ENUM
      kCount
};

inline constexpr int kNumCoefficients = static_cast<int>(Coef::kCount);

// Where a coefficient's value comes from (see VITPERF_COEFFICIENTS).
enum class CoefStage { device, launch, link, host, statistics, architecture };

template <>
struct EnumNames<CoefStage> {
  static constexpr const char* kField = "stage";
  static constexpr std::array<std::pair<CoefStage, const char*>, 6> kNames{{
      {CoefStage::device, "device"},
      {CoefStage::launch, "launch"},
      {CoefStage::link, "link"},
      {CoefStage::host, "host"},
      {CoefStage::statistics, "statistics"},
      {CoefStage::architecture, "architecture"},
  }};
};

struct CoefficientInfo {
  const char* name;
  double default_value;
  double lower, upper;
  const char* unit;
  CoefStage stage;
  const char* meaning;
  // Fitted per GPU; the others are architecture constants.
  bool fitted() const { return stage != CoefStage::architecture; }
};

const std::array<CoefficientInfo, kNumCoefficients>& CoefficientTable();
const CoefficientInfo& Info(Coef c);
std::optional<Coef> CoefficientByName(const std::string& name);

// Values of all coefficients, indexed by Coef. Templated so the fit can use Ceres Jets.
template <typename T>
struct CoefficientValues {
  std::array<T, kNumCoefficients> v{};
  T& operator[](Coef c) { return v[static_cast<int>(c)]; }
  const T& operator[](Coef c) const { return v[static_cast<int>(c)]; }
};

// Read-only view of a coefficient array owned elsewhere (Ceres passes `const T*`).
template <typename T>
struct CoefficientView {
  const T* values;
  const T& operator[](Coef c) const { return values[static_cast<int>(c)]; }
};

CoefficientValues<double> DefaultCoefficients();

// The coefficients a calibration fits per GPU, in table order (grouped by stage).
std::vector<Coef> FittedCoefficients();

}  // namespace vitperf
