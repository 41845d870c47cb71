// The uint8 pipeline's host staging copy: glibc's streaming-store regime from the profile's
// threshold on (per producer thread), the cached rate below the host cache and its decay while
// the producer sleeps, the sequential pipeline's preprocess stage, and the profile's "host" block.
#include "model/host_staging.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "model/cache_cliff.h"
#include "model/coefficients.h"
#include "model/hardware_profile.h"
#include "model/pipeline.h"
#include "model/roofline.h"

namespace vitperf {
namespace {

// Round rates: 10 GB/s cached, 5 GB/s from DRAM, 8 GB/s with streaming stores; a 32 MB cache
// whose hits halve after 10 ms of idle.
CoefficientValues<double> RoundCoefficients() {
  CoefficientValues<double> c = DefaultCoefficients();
  c[Coef::host_copy_gbs] = 10;
  c[Coef::host_dram_copy_gbs] = 5;
  c[Coef::host_nt_copy_gbs] = 8;
  c[Coef::host_cache_mb] = 32;
  c[Coef::host_cache_decay_ms] = 10;
  return c;
}

double Staging(const CoefficientValues<double>& c, double bytes, int threads, double idle_s,
               double threshold) {
  return HostStagingSeconds(bytes, threads, idle_s, threshold, CoefficientView<double>{c.v.data()});
}

// The cached / DRAM mix written out from the documented formula, for a copy that is not
// non-temporal.
double MixedSeconds(const CoefficientValues<double>& c, double bytes, int threads, double idle_s) {
  double hit = 1.0 - CacheMissShare(bytes * 1e-6, c[Coef::host_cache_mb]);
  if (idle_s >= 0) {
    const double x = idle_s / (c[Coef::host_cache_decay_ms] * 1e-3);
    hit /= 1.0 + x * x;
  }
  return bytes * 1e-9 * (hit / c[Coef::host_copy_gbs] + (1.0 - hit) / c[Coef::host_dram_copy_gbs]) /
         threads;
}

TEST(HostStaging, FromTheThresholdOnTheCopyUsesStreamingStores) {
  const auto c = RoundCoefficients();
  const double threshold = 100e6;
  // 100 MB at 8 GB/s: 12.5 ms, whatever the idle.
  EXPECT_NEAR(Staging(c, threshold, 1, -1.0, threshold), 12.5e-3, 1e-15);
  EXPECT_NEAR(Staging(c, threshold, 1, 0.05, threshold), 12.5e-3, 1e-15);
  EXPECT_NEAR(Staging(c, 2 * threshold, 1, -1.0, threshold), 25e-3, 1e-15);
  // One byte less: the ordinary copy, past the 32 MB cache so from DRAM at 5 GB/s (~20 ms).
  const double below = Staging(c, threshold - 1, 1, -1.0, threshold);
  EXPECT_NEAR(below, MixedSeconds(c, threshold - 1, 1, -1.0), 1e-15);
  EXPECT_NEAR(below, (threshold - 1) * 1e-9 / 5, 1e-6);
  EXPECT_GT(below, 1.5 * Staging(c, threshold, 1, -1.0, threshold));
}

TEST(HostStaging, AZeroThresholdIsNeverNonTemporal) {
  const auto c = RoundCoefficients();
  for (double bytes : {1e6, 100e6, 1e9}) {
    SCOPED_TRACE(bytes);
    EXPECT_NEAR(Staging(c, bytes, 1, -1.0, 0), MixedSeconds(c, bytes, 1, -1.0), 1e-15);
  }
  // Cached: 1 MB at 10 GB/s. Past the cache: from DRAM at 5 GB/s, not 8 GB/s streaming.
  EXPECT_NEAR(Staging(c, 1e6, 1, -1.0, 0), 1e-4, 1e-12);
  EXPECT_NEAR(Staging(c, 100e6, 1, -1.0, 0), 0.02, 1e-6);
  // 1 GB from DRAM at 5 GB/s rather than 8 GB/s streaming.
  EXPECT_NEAR(Staging(c, 1e9, 1, -1.0, 0), 0.2, 1e-9);
}

TEST(HostStaging, TheThresholdAppliesToEachThreadsShare) {
  const auto c = RoundCoefficients();
  const double threshold = 50e6;
  // 100 MB over 2 threads: 50 MB each, at the threshold: 100 MB / (2 x 8 GB/s).
  EXPECT_NEAR(Staging(c, 2 * threshold, 2, -1.0, threshold), 6.25e-3, 1e-15);
  // 75 MB over 2 threads: 37.5 MB each, under it, although the total is over it.
  const double mixed = Staging(c, 1.5 * threshold, 2, -1.0, threshold);
  EXPECT_NEAR(mixed, MixedSeconds(c, 1.5 * threshold, 2, -1.0), 1e-15);
  EXPECT_GT(mixed, 1.5 * threshold * 1e-9 / (2 * 8) * 1.3);
  // The same 75 MB on one thread is past the threshold.
  EXPECT_NEAR(Staging(c, 1.5 * threshold, 1, -1.0, threshold), 75e-3 / 8, 1e-15);
}

TEST(HostStaging, TwoThreadsHalveACachedCopy) {
  const auto c = RoundCoefficients();
  const double bytes = 4e6;  // well inside the 32 MB cache
  const double one = Staging(c, bytes, 1, -1.0, 100e6);
  const double two = Staging(c, bytes, 2, -1.0, 100e6);
  EXPECT_NEAR(one, 4e-3 / 10, 1e-12);
  EXPECT_NEAR(two, one / 2, 1e-15);
  // The same with idle: the decay does not depend on the thread count.
  EXPECT_NEAR(Staging(c, bytes, 2, 7e-3, 100e6), Staging(c, bytes, 1, 7e-3, 100e6) / 2, 1e-15);
}

TEST(HostStaging, IdleDecaysTheCacheHitsTowardsTheDramRate) {
  const auto c = RoundCoefficients();
  const double bytes = 1e6;  // 1 MB: every byte hits when copied back to back
  auto gbs = [&](double idle_s) { return bytes * 1e-9 / Staging(c, bytes, 1, idle_s, 100e6); };
  EXPECT_NEAR(gbs(-1.0), 10, 1e-9);
  EXPECT_NEAR(gbs(0.0), gbs(-1.0), 1e-12) << "no idle, no decay";
  // 100 ms is ten decay times: hits fall to 1/101, the rate to within 0.5% of DRAM's.
  EXPECT_NEAR(gbs(0.1), 1 / ((1.0 / 101) / 10 + (100.0 / 101) / 5), 1e-9);
  EXPECT_NEAR(gbs(0.1), 5, 0.03);
  EXPECT_GT(gbs(0.1), 5);
  // One decay time halves the hit share: half the bytes at 10 GB/s, half at 5 GB/s.
  const double at_decay = Staging(c, bytes, 1, 10e-3, 100e6);
  EXPECT_NEAR(at_decay, 1e-3 * (0.5 / 10 + 0.5 / 5), 1e-12);
  EXPECT_NEAR(at_decay, MixedSeconds(c, bytes, 1, 10e-3), 1e-15);
  // Monotone in the idle time.
  EXPECT_LT(gbs(20e-3), gbs(10e-3));
  EXPECT_LT(gbs(10e-3), gbs(1e-3));
}

TEST(HostStaging, IdleDoesNotChangeAStreamingStoreCopy) {
  const auto c = RoundCoefficients();
  const double bytes = 200e6;
  EXPECT_DOUBLE_EQ(Staging(c, bytes, 1, 0.5, 100e6), Staging(c, bytes, 1, -1.0, 100e6));
}

TEST(HostStaging, SequentialUint8PipelineStagesWithStreamingStoresPastTheProfileThreshold) {
  const HardwareProfile h100 = LoadProfile("h100-sxm");
  const DeviceRates rates = RatesFor(h100, Precision::fp32);
  ASSERT_GT(rates.host.memcpy_nontemporal_bytes, 0)
      << "the H100 profile records its host's threshold";
  EXPECT_DOUBLE_EQ(rates.host.memcpy_nontemporal_bytes, h100.host_memcpy_nontemporal_bytes);
  const CoefficientValues<double>& c = h100.coefficients;

  ForwardTime<double> forward;
  forward.device_s = forward.total_s = forward.compute_bound_s = 20e-3;
  TransferVolume io;
  io.host_staged_bytes = 1.25 * rates.host.memcpy_nontemporal_bytes;
  io.h2d_bytes = io.host_staged_bytes;
  io.d2h_bytes = 4e3;
  io.host_normalizes = false;
  PipelineOptions o;
  o.input = InputFormat::uint8;
  o.pipeline = PipelineMode::sequential;
  o.producer_threads = 1;
  const PipelineTime<double> p =
      TimePipeline(forward, io, o, rates.host, CoefficientView<double>{c.v.data()});
  const double expected =
      io.host_staged_bytes * 1e-9 / c[Coef::host_nt_copy_gbs] + c[Coef::host_batch_us] * 1e-6;
  EXPECT_NEAR(p.preprocess_s, expected, 1e-12);
  EXPECT_NEAR(p.period_s, p.preprocess_s + p.h2d_s + p.compute_s + p.d2h_s, 1e-12);

  // Without the threshold the same stage is the ordinary copy, idling while the rest runs.
  const PipelineTime<double> unknown =
      TimePipeline(forward, io, o, HostSide{}, CoefficientView<double>{c.v.data()});
  const double idle_s = unknown.h2d_s + unknown.compute_s + unknown.d2h_s;
  EXPECT_NEAR(unknown.preprocess_s,
              HostStagingSeconds(io.host_staged_bytes, 1, idle_s, 0.0,
                                 CoefficientView<double>{c.v.data()}) +
                  c[Coef::host_batch_us] * 1e-6,
              1e-12);
  EXPECT_GT(std::abs(unknown.preprocess_s - p.preprocess_s), 1e-6);
}

// The message of the std::invalid_argument that reading `j` as a profile throws.
std::string ProfileError(const nlohmann::json& j) {
  try {
    (void)j.get<HardwareProfile>();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(HostStaging, ProfileJsonKeepsTheHostThreshold) {
  HardwareProfile p = LoadProfile("h100-sxm");
  p.host_memcpy_nontemporal_bytes = 123456789;
  const nlohmann::json j = p;
  ASSERT_TRUE(j.contains("host"));
  EXPECT_DOUBLE_EQ(j["host"]["memcpy_nontemporal_bytes"].get<double>(), 123456789);
  EXPECT_DOUBLE_EQ(j.get<HardwareProfile>().host_memcpy_nontemporal_bytes, 123456789);
  EXPECT_DOUBLE_EQ(
      RatesFor(j.get<HardwareProfile>(), Precision::bf16).host.memcpy_nontemporal_bytes, 123456789);

  // Unknown (0) is written as no "host" block and read back as 0.
  p.host_memcpy_nontemporal_bytes = 0;
  const nlohmann::json none = p;
  EXPECT_FALSE(none.contains("host"));
  EXPECT_DOUBLE_EQ(none.get<HardwareProfile>().host_memcpy_nontemporal_bytes, 0);
}

TEST(HostStaging, ProfileRejectsABadHostBlockNamingIt) {
  HardwareProfile p = LoadProfile("h100-sxm");
  p.host_memcpy_nontemporal_bytes = 158334976;
  nlohmann::json negative = p;
  negative["host"]["memcpy_nontemporal_bytes"] = -1;
  const std::string negative_error = ProfileError(negative);
  EXPECT_NE(negative_error.find("host"), std::string::npos) << negative_error;
  EXPECT_NE(negative_error.find("memcpy_nontemporal_bytes"), std::string::npos) << negative_error;

  nlohmann::json unknown = p;
  unknown["host"]["l3_mib"] = 32;
  const std::string unknown_error = ProfileError(unknown);
  EXPECT_NE(unknown_error.find("host"), std::string::npos) << unknown_error;
  EXPECT_NE(unknown_error.find("l3_mib"), std::string::npos) << unknown_error;

  nlohmann::json not_number = p;
  not_number["host"]["memcpy_nontemporal_bytes"] = "big";
  const std::string type_error = ProfileError(not_number);
  EXPECT_NE(type_error.find("host"), std::string::npos) << type_error;
}

}  // namespace
}  // namespace vitperf
