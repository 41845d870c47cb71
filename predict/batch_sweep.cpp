#include "predict/batch_sweep.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "predict/text_table.h"

namespace vitperf {

std::vector<int> DefaultBatches(int largest, int cap) {
  std::vector<int> out;
  for (int b = 1; b <= largest && b <= cap; b *= 2) out.push_back(b);
  if (largest > 0 && largest <= cap && (out.empty() || out.back() != largest))
    out.push_back(largest);
  return out;
}

std::optional<double> MemoryBudgetBytes(std::optional<double> limit_gib,
                                        const HardwareProfile& profile) {
  if (!limit_gib) return std::nullopt;
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  const double usable_gib = profile.UsableMemoryBytes() / kGiB;
  char range[96];
  std::snprintf(range, sizeof range, "(accepted: above 0, up to %s's usable %.2f GiB)",
                profile.name.c_str(), usable_gib);
  char value[32];
  std::snprintf(value, sizeof value, "%g", *limit_gib);
  if (!(*limit_gib > 0) || !std::isfinite(*limit_gib) || *limit_gib > usable_gib)
    throw std::invalid_argument("memory-limit: " + std::string(value) + " GiB is not accepted " +
                                range);
  return *limit_gib * kGiB;
}

std::optional<int> RecommendBatch(const std::vector<Prediction>& rows, const SweepConstraints& k,
                                  std::string* reason) {
  auto allowed = [&](const Prediction& p) {
    return p.fits && (!k.latency_slo_ms || p.latency_p90_s * 1e3 <= *k.latency_slo_ms);
  };
  double best = 0;
  for (const auto& p : rows)
    if (allowed(p) && p.throughput_ips > best) best = p.throughput_ips;
  if (best <= 0) {
    if (reason)
      *reason = k.latency_slo_ms ? "no batch size meets the p90 latency SLO within the memory limit"
                                 : "no batch size fits in memory";
    return std::nullopt;
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (allowed(rows[i]) && rows[i].throughput_ips >= k.near_best_fraction * best) {
      if (reason) {
        // The latency the throughput costs, and what the next smaller batch would give up, so
        // that a latency-bound user sees the trade.
        std::string text = "smallest batch within " + Fixed((1 - k.near_best_fraction) * 100, 0) +
                           "% of the best throughput (" + Fixed(best, 0) + " img/s)" +
                           (k.latency_slo_ms ? " meeting the p90 latency SLO" : "") +
                           "; p90 latency there " + Fixed(rows[i].latency_p90_s * 1e3, 1) + " ms";
        if (i > 0 && allowed(rows[i - 1]))
          text += "; batch " + std::to_string(rows[i - 1].batch) + ": " +
                  Fixed(100 * rows[i - 1].throughput_ips / rows[i].throughput_ips, 0) +
                  "% of that throughput at p90 " + Fixed(rows[i - 1].latency_p90_s * 1e3, 1) +
                  " ms";
        if (!k.latency_slo_ms) text += " (--latency-slo MS trades throughput for latency)";
        *reason = text;
      }
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

BatchSweep SweepBatches(const ViTConfig& config, const PipelineOptions& options,
                        const HardwareProfile& profile, const std::vector<int>& batches,
                        const SweepConstraints& constraints) {
  BatchSweep s;
  const double budget = constraints.memory_limit_bytes.value_or(profile.UsableMemoryBytes());
  s.largest_fitting_batch =
      LargestFittingBatch(config, options, profile, budget, kBatchSearchLimit);
  s.largest_fitting_unbounded = s.largest_fitting_batch >= kBatchSearchLimit;
  const std::vector<int> wanted =
      batches.empty() ? DefaultBatches(s.largest_fitting_batch) : batches;
  for (int b : wanted) {
    Prediction p = Evaluate(config, b, options, profile);
    p.fits = p.memory.TotalBytes() <= budget;
    s.rows.push_back(p);
  }
  s.recommended = RecommendBatch(s.rows, constraints, &s.recommendation_reason);
  return s;
}

}  // namespace vitperf
