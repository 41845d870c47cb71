// RQ1 and RQ2 answered from the analytical model: how the optimal batch, arithmetic intensity,
// bandwidth use and saturation follow model complexity over the study grid, and how time,
// memory, the H2D/compute balance and the optimal batch follow input resolution.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/evaluate.h"
#include "predict/batch_sweep.h"
#include "predict/power_law_fit.h"

namespace vitperf {

struct LawsOptions {
  PipelineOptions pipeline;  // the pipeline every law is evaluated in
  Precision precision = Precision::bf16;
  SweepConstraints constraints;  // for the optimal (recommended) batch
  // RQ1 study grid, at grid_resolution.
  std::vector<int> patches{8, 16, 32}, depths{6, 12, 18, 24}, widths{384, 768, 1024, 1280};
  int grid_resolution = 224;  // [pixels]; divisible by every grid patch
  // RQ2: resolutions for the time and memory exponents, on the reference model.
  std::vector<int> resolutions{256, 512, 1024, 2048};
  std::string reference_model = "vit_b16";
  // Saturation: batch-1 achieved TFLOP/s at least this share of the large-batch value.
  double saturation_fraction = 0.8;
  // Batch at which the H2D/compute crossover is solved (transfers matter at throughput batches).
  int crossover_batch = 64;
};

// One architecture of the grid at its optimal batch.
struct GridPoint {
  ViTConfig config;
  double gflops_per_image = 0;
  double parameters = 0;
  int optimal_batch = 0;  // the recommended batch; 0 when nothing fits
  int largest_batch = 0;  // largest that fits
  double throughput_ips = 0;
  double arithmetic_intensity = 0;  // [FLOP/byte] at the optimal batch
  double ridge_position = 0;        // intensity over the ridge point: > 1 is right of the ridge
  double bandwidth_utilization = 0;
  double tflops_batch1 = 0, tflops_large = 0;  // achieved in the compute stage
  double compute_to_transfer = 0;              // compute time over H2D + D2H time
  Regime regime = Regime::compute, compute_regime = Regime::compute;
};

struct Saturation {
  double fraction = 0;
  // Smallest GFLOPs/image from which every larger grid model reaches the fraction at batch 1.
  std::optional<double> gflops_per_image, parameters;
  std::string first_model;   // the grid model at that point
  double best_fraction = 0;  // the highest batch-1 share any grid model reaches
  std::string best_model;
};

struct ResolutionRow {
  int resolution = 0;
  double compute_ms_batch1 = 0;  // compute stage, batch 1
  double activation_bytes_batch1 = 0, total_bytes_batch1 = 0;
  bool fits_batch1 = true;
  int optimal_batch = 0, largest_batch = 0;
  double throughput_ips = 0;  // at the optimal batch
};

struct ResolutionLaw {
  AttentionImpl attention = AttentionImpl::fused;
  std::vector<ResolutionRow> rows;
  std::optional<PowerLawFit> time_fit, memory_fit, optimal_batch_fit;  // vs resolution
  std::vector<double> local_time_exponents;  // between neighbouring resolutions
};

struct Crossover {
  std::string model;
  InputFormat input = InputFormat::uint8;
  int batch = 0;
  // Resolution [pixels] where H2D time equals compute time, interpolated between the two
  // neighbouring multiples of the patch that bracket it; empty when no sign change in range.
  std::optional<double> resolution;  // the first crossing
  std::vector<double> resolutions;   // every crossing in range, ascending
  bool fits = true;                  // the bracketing point fits in memory at that batch
  std::string direction;             // which stage dominates below and above
};

struct LargestResolution {
  std::string model;
  int patch = 0;
  int fused_px = 0, math_px = 0;  // largest multiple of the patch that fits at batch 1
  int search_cap_px = 0;          // the search stops here: a value at the cap means "at least"
};

struct ScalingLaws {
  double ridge_flop_per_byte = 0;  // peak matrix FLOP/s over datasheet bandwidth
  std::vector<GridPoint> grid;
  std::optional<PowerLawFit> optimal_batch_vs_gflops;
  Saturation saturation;
  std::vector<ResolutionLaw> resolution_laws;  // math, fused
  std::vector<Crossover> crossovers;
  std::vector<LargestResolution> largest_resolutions;
};

ScalingLaws ComputeScalingLaws(const HardwareProfile& profile, const LawsOptions& options);

inline constexpr int kResolutionSearchCapPx = 1 << 16;

// Largest multiple of config.patch (at most max_px) that fits at batch 1; 0 when none does.
int LargestFittingResolution(const ViTConfig& config, const PipelineOptions& options,
                             const HardwareProfile& profile, int max_px = kResolutionSearchCapPx);

// H2D stage time over compute stage time at (config, batch): the balance the crossover solves.
double TransferToComputeRatio(const ViTConfig& config, int batch, const PipelineOptions& options,
                              const HardwareProfile& profile);

Crossover SolveCrossover(const ViTConfig& config, int batch, const PipelineOptions& options,
                         const HardwareProfile& profile, int max_px = 8192);

// "p16 d12 w768"
std::string GridName(const ViTConfig& c);

void to_json(nlohmann::json& j, const ScalingLaws& laws);

}  // namespace vitperf
