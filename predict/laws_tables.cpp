#include "predict/laws_tables.h"

#include <cmath>

#include "predict/text_table.h"

namespace vitperf {
namespace {

void Heading(std::ostream& out, bool markdown, const std::string& text) {
  out << "\n" << (markdown ? "### " : "== ") << text << (markdown ? "\n\n" : " ==\n");
}

void Emit(const TextTable& t, std::ostream& out, bool markdown) {
  if (markdown)
    t.PrintMarkdown(out);
  else
    t.Print(out);
}

std::string Exponent(const std::optional<PowerLawFit>& f) {
  return f ? Fixed(f->exponent, 2) + " +/- " + Fixed(f->exponent_error, 2) : "-";
}

// The search stops at a cap; a value there is a lower bound, not the answer.
std::string AtLeast(int px, int cap_px) { return (px >= cap_px ? ">=" : "") + std::to_string(px); }

std::string Percent(double share) { return Fixed(share * 100, 0) + "%"; }

}  // namespace

void PrintScalingLaws(const ScalingLaws& laws, const HardwareProfile& profile,
                      const LawsOptions& options, std::ostream& out, bool markdown) {
  const std::string bullet = markdown ? "- " : "  ";
  Heading(out, markdown,
          "RQ1: architecture grid at " + std::to_string(options.grid_resolution) + " px, " +
              ToString(options.precision));
  out << bullet << "roofline ridge: " << Fixed(laws.ridge_flop_per_byte, 0) << " FLOP/byte (peak "
      << ToString(options.precision) << " matrix "
      << Fixed(profile.MatrixTflops(options.precision), 0) << " TFLOP/s over "
      << Fixed(profile.memory_bandwidth_gbs, 0) << " GB/s)\n";
  out << bullet
      << "optimal batch = the smallest batch within 5% of the best throughput "
         "(the `predict` rule); intensity and bandwidth at that batch\n\n";
  TextTable grid({"model", "GFLOP/img", "params", "opt batch", "img/s", "FLOP/B", "vs ridge",
                  "BW use", "TFLOP/s b1", "TFLOP/s max", "b1/max", "compute/xfer", "regime"});
  for (const GridPoint& g : laws.grid)
    grid.AddRow(
        {g.config.name, Fixed(g.gflops_per_image, 2), Si(g.parameters),
         std::to_string(g.optimal_batch), Si(g.throughput_ips), Fixed(g.arithmetic_intensity, 0),
         Fixed(g.ridge_position, 2) + (g.ridge_position >= 1 ? " R" : " L"),
         Percent(g.bandwidth_utilization), Fixed(g.tflops_batch1, 1), Fixed(g.tflops_large, 1),
         g.tflops_large > 0 ? Percent(g.tflops_batch1 / g.tflops_large) : "-",
         Fixed(g.compute_to_transfer, 1), ToString(g.compute_regime)});
  Emit(grid, out, markdown);
  out << "\n"
      << bullet << "vs ridge: arithmetic intensity over the ridge; R = right of the ridge "
      << "(compute side), L = left (memory side)\n";
  if (laws.optimal_batch_vs_gflops)
    out << bullet << "law: " << laws.optimal_batch_vs_gflops->Describe("GFLOP/img", "optimal batch")
        << "\n";
  if (laws.saturation.gflops_per_image)
    out << bullet << "saturation: from " << Fixed(*laws.saturation.gflops_per_image, 1)
        << " GFLOP/image (" << Si(*laws.saturation.parameters) << " parameters, "
        << laws.saturation.first_model << ") upward every grid model reaches "
        << Percent(laws.saturation.fraction) << " of its large-batch TFLOP/s already at batch 1\n";
  else
    out << bullet << "saturation: no grid model reaches " << Percent(laws.saturation.fraction)
        << " of its large-batch TFLOP/s at batch 1: one image does not saturate the GPU at any "
           "grid size (best "
        << Percent(laws.saturation.best_fraction) << ", " << laws.saturation.best_model << ")\n";

  for (const ResolutionLaw& law : laws.resolution_laws) {
    Heading(out, markdown,
            "RQ2: resolution, " + options.reference_model + ", " + ToString(law.attention) +
                " attention");
    TextTable t({"res px", "compute ms b1", "local exp", "activations b1", "total b1", "fits b1",
                 "opt batch", "max batch", "img/s"});
    for (size_t i = 0; i < law.rows.size(); ++i) {
      const ResolutionRow& r = law.rows[i];
      const double local = i == 0 ? std::nan("") : law.local_time_exponents[i - 1];
      t.AddRow({std::to_string(r.resolution), Fixed(r.compute_ms_batch1, 3), Fixed(local, 2),
                Bytes(r.activation_bytes_batch1), Bytes(r.total_bytes_batch1),
                r.fits_batch1 ? "yes" : "no", std::to_string(r.optimal_batch),
                std::to_string(r.largest_batch), Si(r.throughput_ips)});
    }
    Emit(t, out, markdown);
    out << "\n"
        << bullet << "compute time ~ resolution^" << Exponent(law.time_fit)
        << "  (2 = linear in pixels, 4 = quadratic in pixels)\n";
    out << bullet << "activation memory ~ resolution^" << Exponent(law.memory_fit) << "\n";
    out << bullet << "optimal batch ~ resolution^" << Exponent(law.optimal_batch_fit) << "\n";
  }

  Heading(out, markdown,
          "RQ2: H2D time = compute time crossover (" + ToString(options.pipeline.host_memory) +
              " host memory)");
  TextTable x({"model", "input", "batch", "crossover px", "which stage dominates"});
  for (const Crossover& c : laws.crossovers)
    x.AddRow({c.model, ToString(c.input), std::to_string(c.batch),
              c.resolution ? Fixed(*c.resolution, 0) + (c.fits ? "" : " (no fit)") : "none",
              c.direction});
  Emit(x, out, markdown);

  Heading(out, markdown, "RQ2: largest resolution that fits at batch 1");
  TextTable l({"model", "patch", "fused px", "math px"});
  for (const LargestResolution& r : laws.largest_resolutions)
    l.AddRow({r.model, std::to_string(r.patch), AtLeast(r.fused_px, r.search_cap_px),
              AtLeast(r.math_px, r.search_cap_px)});
  Emit(l, out, markdown);
}

void PrintMeasuredLaws(const std::vector<MeasuredLaw>& laws, double tolerance, std::ostream& out,
                       bool markdown) {
  Heading(out, markdown, "measured laws vs predicted (same points)");
  if (laws.empty()) {
    out << "the data supports no law: each needs at least two distinct x values in a group "
           "(three batches per model for the optimal batch)\n";
    return;
  }
  TextTable t({"law", "held fixed", "n", "predicted exp", "measured exp", "difference", "check"});
  for (const MeasuredLaw& law : laws)
    t.AddRow({law.law, law.group, std::to_string(law.measured.points),
              Fixed(law.predicted.exponent, 3), Fixed(law.measured.exponent, 3),
              (law.difference >= 0 ? "+" : "") + Fixed(law.difference, 3),
              law.within_tolerance ? "ok" : "FAIL"});
  Emit(t, out, markdown);
  out << "\n"
      << (markdown ? "- " : "  ")
      << "check: |measured - predicted exponent| <= " << Fixed(tolerance, 3) << "\n";
}

}  // namespace vitperf
