#include "predict/scaling_laws.h"

#include <algorithm>
#include <cmath>

#include "model/parameter_count.h"
#include "model/presets.h"
#include "model/roofline.h"

namespace vitperf {
namespace {

// Recommended and largest batch of one config, with the prediction at the recommended batch.
struct Optimum {
  int batch = 0, largest = 0;
  Prediction at;
};

Optimum FindOptimum(const ViTConfig& config, const PipelineOptions& o,
                    const HardwareProfile& profile, const SweepConstraints& k) {
  const BatchSweep sweep = SweepBatches(config, o, profile, {}, k);
  Optimum out;
  out.largest = sweep.largest_fitting_batch;
  if (sweep.recommended) {
    out.at = sweep.rows[*sweep.recommended];
    out.batch = out.at.batch;
  }
  return out;
}

double StageGap(const ViTConfig& config, int batch, const PipelineOptions& o,
                const HardwareProfile& profile, bool* fits) {
  const Prediction p = Evaluate(config, batch, o, profile);
  if (fits) *fits = p.fits;
  return p.h2d_s - p.compute_s;
}

}  // namespace

std::string GridName(const ViTConfig& c) {
  return "p" + std::to_string(c.patch) + " d" + std::to_string(c.depth) + " w" +
         std::to_string(c.dim);
}

int LargestFittingResolution(const ViTConfig& config, const PipelineOptions& o,
                             const HardwareProfile& profile, int max_px) {
  auto fits = [&](int k) {
    ViTConfig c = config;
    c.image_height = c.image_width = k * config.patch;
    return Evaluate(c, 1, o, profile).fits;
  };
  const int k_max = max_px / config.patch;
  if (k_max < 1 || !fits(1)) return 0;
  // Memory grows monotonically with resolution: double, then bisect (invariant fits(lo)).
  int lo = 1, hi = 2;
  while (hi <= k_max && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi > k_max) {
    if (fits(k_max)) return k_max * config.patch;
    hi = k_max;
  }
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo * config.patch;
}

double TransferToComputeRatio(const ViTConfig& config, int batch, const PipelineOptions& o,
                              const HardwareProfile& profile) {
  const Prediction p = Evaluate(config, batch, o, profile);
  return p.h2d_s / p.compute_s;
}

Crossover SolveCrossover(const ViTConfig& config, int batch, const PipelineOptions& o,
                         const HardwareProfile& profile, int max_px) {
  Crossover x;
  x.model = config.name;
  x.input = o.input;
  x.batch = batch;
  auto gap = [&](int k, bool* fits = nullptr) {
    ViTConfig c = config;
    c.image_height = c.image_width = k * config.patch;
    return StageGap(c, batch, o, profile, fits);
  };
  const int k_max = std::max(1, max_px / config.patch);
  // Scan multiples of the patch geometrically (ratio ~1.25, fine enough that a band where
  // transfer dominates is not stepped over), then bisect each sign change to neighbours.
  std::vector<int> scan{1};
  while (scan.back() < k_max)
    scan.push_back(std::min(k_max, std::max(scan.back() + 1, scan.back() * 5 / 4)));
  std::vector<double> g(scan.size());
  for (size_t i = 0; i < scan.size(); ++i) g[i] = gap(scan[i]);
  const auto stage = [](double gap_s) { return gap_s > 0 ? "transfer (H2D)" : "compute"; };
  const std::string px = " px";
  std::string text = stage(g[0]);
  for (size_t i = 0; i + 1 < scan.size(); ++i) {
    if ((g[i] > 0) == (g[i + 1] > 0)) continue;
    int lo = scan[i], hi = scan[i + 1];
    double g_lo = g[i];
    while (hi - lo > 1) {  // invariant: sign(gap(lo)) == sign(g[i]) != sign(gap(hi))
      const int mid = lo + (hi - lo) / 2;
      const double gm = gap(mid);
      if ((gm > 0) == (g_lo > 0)) {
        lo = mid;
        g_lo = gm;
      } else {
        hi = mid;
      }
    }
    bool fits = true;
    const double g_hi = gap(hi, &fits);
    // Linear interpolation of the gap between the bracketing multiples: resolution as a
    // continuous variable.
    const double t = g_lo / (g_lo - g_hi);
    const double crossing = (lo + t * (hi - lo)) * config.patch;
    x.resolutions.push_back(crossing);
    if (x.resolutions.size() == 1) {
      x.resolution = crossing;
      x.fits = fits;
    }
    text += " up to " + std::to_string(static_cast<int>(std::lround(crossing))) + px + ", then " +
            stage(g_hi);
  }
  if (x.resolutions.empty())
    text += " throughout " + std::to_string(config.patch) + "-" +
            std::to_string(k_max * config.patch) + px;
  x.direction = text;
  return x;
}

ScalingLaws ComputeScalingLaws(const HardwareProfile& profile, const LawsOptions& options) {
  ScalingLaws laws;
  const PipelineOptions& o = options.pipeline;
  const DeviceRates rates = RatesFor(profile, options.precision);
  laws.ridge_flop_per_byte = rates.matrix_flops_per_s / (profile.memory_bandwidth_gbs * 1e9);

  // RQ1: the architecture grid.
  std::vector<double> gflops, batches;
  for (int patch : options.patches)
    for (int depth : options.depths)
      for (int width : options.widths) {
        GridPoint g;
        ViTConfig& c = g.config;
        c.patch = patch;
        c.depth = depth;
        c.dim = width;
        c.heads = std::max(1, width / 64);
        c.image_height = c.image_width = options.grid_resolution;
        c.precision = options.precision;
        c.name = GridName(c);
        if (!c.IsValid(nullptr)) continue;
        const Optimum best = FindOptimum(c, o, profile, options.constraints);
        g.largest_batch = best.largest;
        g.parameters = static_cast<double>(CountParameters(c).Total());
        const Prediction one = Evaluate(c, 1, o, profile);
        g.gflops_per_image = one.flops * 1e-9;
        g.tflops_batch1 = one.achieved_tflops;
        if (best.largest > 0) {
          g.tflops_large = Evaluate(c, best.largest, o, profile).achieved_tflops;
        }
        if (best.batch > 0) {
          const Prediction& p = best.at;
          g.optimal_batch = best.batch;
          g.throughput_ips = p.throughput_ips;
          g.arithmetic_intensity = p.arithmetic_intensity;
          g.ridge_position = p.arithmetic_intensity / laws.ridge_flop_per_byte;
          g.bandwidth_utilization = p.bandwidth_utilization;
          g.compute_to_transfer = p.compute_s / (p.h2d_s + p.d2h_s);
          g.regime = p.regime;
          g.compute_regime = p.compute_regime;
          gflops.push_back(g.gflops_per_image);
          batches.push_back(g.optimal_batch);
        }
        laws.grid.push_back(g);
      }
  laws.optimal_batch_vs_gflops = FitPowerLaw(gflops, batches);

  // Saturation: scan from the largest model down while every model reaches the fraction.
  laws.saturation.fraction = options.saturation_fraction;
  std::vector<const GridPoint*> by_size;
  for (const auto& g : laws.grid)
    if (g.tflops_large > 0) by_size.push_back(&g);
  std::sort(by_size.begin(), by_size.end(), [](const GridPoint* a, const GridPoint* b) {
    return a->gflops_per_image < b->gflops_per_image;
  });
  for (const GridPoint* g : by_size)
    if (g->tflops_batch1 / g->tflops_large > laws.saturation.best_fraction) {
      laws.saturation.best_fraction = g->tflops_batch1 / g->tflops_large;
      laws.saturation.best_model = g->config.name;
    }
  for (auto it = by_size.rbegin(); it != by_size.rend(); ++it) {
    if ((*it)->tflops_batch1 < options.saturation_fraction * (*it)->tflops_large) break;
    laws.saturation.gflops_per_image = (*it)->gflops_per_image;
    laws.saturation.parameters = (*it)->parameters;
    laws.saturation.first_model = (*it)->config.name;
  }

  // RQ2: resolution on the reference model, for each attention implementation.
  ViTConfig reference = PresetByName(options.reference_model);
  reference.precision = options.precision;
  for (AttentionImpl attention : {AttentionImpl::math, AttentionImpl::fused}) {
    ResolutionLaw law;
    law.attention = attention;
    std::vector<double> res, time, memory, opt_res, opt_batch;
    for (int r : options.resolutions) {
      ViTConfig c = reference;
      c.attention = attention;
      c.image_height = c.image_width = r;
      if (!c.IsValid(nullptr)) continue;
      ResolutionRow row;
      row.resolution = r;
      const Prediction one = Evaluate(c, 1, o, profile);
      row.compute_ms_batch1 = one.compute_s * 1e3;
      row.activation_bytes_batch1 = one.memory.activations_bytes;
      row.total_bytes_batch1 = one.memory.TotalBytes();
      row.fits_batch1 = one.fits;
      const Optimum best = FindOptimum(c, o, profile, options.constraints);
      row.optimal_batch = best.batch;
      row.largest_batch = best.largest;
      row.throughput_ips = best.batch > 0 ? best.at.throughput_ips : 0;
      res.push_back(r);
      time.push_back(row.compute_ms_batch1);
      memory.push_back(row.activation_bytes_batch1);
      if (best.batch > 0) {
        opt_res.push_back(r);
        opt_batch.push_back(best.batch);
      }
      law.rows.push_back(row);
    }
    law.time_fit = FitPowerLaw(res, time);
    law.memory_fit = FitPowerLaw(res, memory);
    law.optimal_batch_fit = FitPowerLaw(opt_res, opt_batch);
    law.local_time_exponents = LocalExponents(res, time);
    laws.resolution_laws.push_back(law);
  }

  // Per preset: the H2D/compute crossover for both input formats, and the largest resolution.
  for (const ModelPreset& preset : ModelPresets()) {
    ViTConfig c = preset.config;
    c.precision = options.precision;
    for (InputFormat input : {InputFormat::uint8, InputFormat::float32}) {
      PipelineOptions with_input = o;
      with_input.input = input;
      laws.crossovers.push_back(SolveCrossover(c, options.crossover_batch, with_input, profile));
    }
    LargestResolution largest;
    largest.model = preset.name;
    largest.patch = c.patch;
    largest.search_cap_px = (kResolutionSearchCapPx / c.patch) * c.patch;
    c.attention = AttentionImpl::fused;
    largest.fused_px = LargestFittingResolution(c, o, profile);
    c.attention = AttentionImpl::math;
    largest.math_px = LargestFittingResolution(c, o, profile);
    laws.largest_resolutions.push_back(largest);
  }
  return laws;
}

void to_json(nlohmann::json& j, const ScalingLaws& laws) {
  auto optional_fit = [](const std::optional<PowerLawFit>& f) {
    return f ? nlohmann::json(*f) : nlohmann::json(nullptr);
  };
  nlohmann::json grid = nlohmann::json::array();
  for (const GridPoint& g : laws.grid)
    grid.push_back({{"name", g.config.name},
                    {"patch", g.config.patch},
                    {"depth", g.config.depth},
                    {"width", g.config.dim},
                    {"resolution", g.config.image_height},
                    {"gflops_per_image", g.gflops_per_image},
                    {"parameters", g.parameters},
                    {"optimal_batch", g.optimal_batch},
                    {"largest_batch", g.largest_batch},
                    {"throughput_ips", g.throughput_ips},
                    {"arithmetic_intensity", g.arithmetic_intensity},
                    {"ridge_position", g.ridge_position},
                    {"bandwidth_utilization", g.bandwidth_utilization},
                    {"tflops_batch1", g.tflops_batch1},
                    {"tflops_large_batch", g.tflops_large},
                    {"compute_to_transfer", g.compute_to_transfer},
                    {"regime", g.regime},
                    {"compute_regime", g.compute_regime}});
  nlohmann::json resolution = nlohmann::json::array();
  for (const ResolutionLaw& law : laws.resolution_laws) {
    nlohmann::json rows = nlohmann::json::array();
    for (const ResolutionRow& r : law.rows)
      rows.push_back({{"resolution", r.resolution},
                      {"compute_ms_batch1", r.compute_ms_batch1},
                      {"activation_bytes_batch1", r.activation_bytes_batch1},
                      {"total_bytes_batch1", r.total_bytes_batch1},
                      {"fits_batch1", r.fits_batch1},
                      {"optimal_batch", r.optimal_batch},
                      {"largest_batch", r.largest_batch},
                      {"throughput_ips", r.throughput_ips}});
    nlohmann::json local = nlohmann::json::array();
    for (double e : law.local_time_exponents)
      local.push_back(std::isnan(e) ? nlohmann::json(nullptr) : nlohmann::json(e));
    resolution.push_back({{"attention", law.attention},
                          {"rows", rows},
                          {"time_vs_resolution", optional_fit(law.time_fit)},
                          {"activation_memory_vs_resolution", optional_fit(law.memory_fit)},
                          {"optimal_batch_vs_resolution", optional_fit(law.optimal_batch_fit)},
                          {"local_time_exponents", local}});
  }
  nlohmann::json crossovers = nlohmann::json::array();
  for (const Crossover& x : laws.crossovers)
    crossovers.push_back(
        {{"model", x.model},
         {"input", x.input},
         {"batch", x.batch},
         {"resolution_px", x.resolution ? nlohmann::json(*x.resolution) : nlohmann::json(nullptr)},
         {"fits", x.fits},
         {"direction", x.direction}});
  nlohmann::json largest = nlohmann::json::array();
  for (const LargestResolution& l : laws.largest_resolutions)
    largest.push_back(
        {{"model", l.model}, {"patch", l.patch}, {"fused_px", l.fused_px}, {"math_px", l.math_px}});
  nlohmann::json saturation{{"fraction", laws.saturation.fraction}};
  saturation["gflops_per_image"] = laws.saturation.gflops_per_image
                                       ? nlohmann::json(*laws.saturation.gflops_per_image)
                                       : nlohmann::json(nullptr);
  saturation["parameters"] = laws.saturation.parameters
                                 ? nlohmann::json(*laws.saturation.parameters)
                                 : nlohmann::json(nullptr);
  saturation["first_model"] = laws.saturation.first_model;
  saturation["best_fraction"] = laws.saturation.best_fraction;
  saturation["best_model"] = laws.saturation.best_model;
  j = nlohmann::json{{"ridge_flop_per_byte", laws.ridge_flop_per_byte},
                     {"grid", grid},
                     {"optimal_batch_vs_gflops", optional_fit(laws.optimal_batch_vs_gflops)},
                     {"saturation", saturation},
                     {"resolution", resolution},
                     {"crossovers", crossovers},
                     {"largest_resolution_batch1", largest}};
}

}  // namespace vitperf
