// Staging probe records as fit observations: one "staging" observation per usable record, with
// its size, idle and H2D setting, and the model's value for it (the host staging copy of
// model/host_staging.h, the producer also waiting out the H2D when the probe made one).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "fit/observations.h"
#include "fit/residuals.h"
#include "model/hardware_profile.h"
#include "model/host_staging.h"

namespace vitperf {
namespace {

ProbeRecord StagingRecord(const std::string& id, nlohmann::json params, double value = 6.0) {
  ProbeRecord r;
  r.id = id;
  r.device = "cuda:0";
  r.probe = "staging";
  r.params = std::move(params);
  r.status = PointStatus::ok;
  r.value = value;
  r.unit = "GB/s";
  return r;
}

ObservationSet ObservationsOf(const ProbeRecord& r) {
  MeasurementSet data;
  data.probes = {r};
  ObservationOptions options;
  options.allow_device_mismatch = true;
  return CollectObservations(data, LoadProfile("h100-sxm"), options);
}

// The model's GB/s for one producer's copy, written out from the residual's definition.
double ExpectedGbs(const HardwareProfile& profile, const CoefficientValues<double>& c, double bytes,
                   double idle_ms, bool then_h2d) {
  double idle_s = idle_ms * 1e-3;
  if (then_h2d) idle_s += bytes * 1e-9 / c[Coef::h2d_pinned_gbs] + c[Coef::copy_latency_us] * 1e-6;
  const double seconds = HostStagingSeconds(bytes, 1, idle_s, profile.host_memcpy_nontemporal_bytes,
                                            CoefficientView<double>{c.v.data()});
  return bytes * 1e-9 / seconds;
}

Observation Staging(double bytes, double idle_ms, bool then_h2d) {
  Observation o;
  o.kind = ObservationKind::staging;
  o.id = "staging";
  o.bytes = bytes;
  o.idle_ms = idle_ms;
  o.staging_h2d = then_h2d;
  o.measured = 6.0;
  return o;
}

TEST(StagingObservations, ARecordBecomesOneStagingObservation) {
  const ObservationSet set =
      ObservationsOf(StagingRecord("st", {{"bytes", 100e6}, {"idle_ms", 5}, {"h2d", true}}));
  ASSERT_EQ(set.observations.size(), 1u);
  EXPECT_TRUE(set.dropped.empty());
  EXPECT_EQ(set.records_used, 1);
  const Observation& o = set.observations[0];
  EXPECT_EQ(o.kind, ObservationKind::staging);
  EXPECT_STREQ(ToString(o.kind), "staging");
  EXPECT_EQ(o.id, "st");
  EXPECT_DOUBLE_EQ(o.measured, 6.0);
  EXPECT_DOUBLE_EQ(o.bytes, 100e6);
  EXPECT_DOUBLE_EQ(o.idle_ms, 5);
  EXPECT_TRUE(o.staging_h2d) << "params.h2d: true must reach the observation";
}

TEST(StagingObservations, NoH2dAndNoIdleAreTheDefaults) {
  const ObservationSet off =
      ObservationsOf(StagingRecord("st", {{"bytes", 1048576}, {"idle_ms", 0}, {"h2d", false}}));
  ASSERT_EQ(off.observations.size(), 1u);
  EXPECT_FALSE(off.observations[0].staging_h2d);
  EXPECT_DOUBLE_EQ(off.observations[0].idle_ms, 0);
  const ObservationSet bare = ObservationsOf(StagingRecord("st", {{"bytes", 1048576}}));
  ASSERT_EQ(bare.observations.size(), 1u);
  EXPECT_FALSE(bare.observations[0].staging_h2d);
  EXPECT_DOUBLE_EQ(bare.observations[0].idle_ms, 0);
}

TEST(StagingObservations, UnusableRecordsAreDroppedWithTheirReason) {
  const ObservationSet text =
      ObservationsOf(StagingRecord("x", {{"bytes", 100e6}, {"idle_ms", "x"}, {"h2d", false}}));
  EXPECT_TRUE(text.observations.empty());
  ASSERT_EQ(text.dropped.size(), 1u);
  EXPECT_EQ(text.dropped[0].id, "x");
  EXPECT_NE(text.dropped[0].reason.find("idle_ms"), std::string::npos) << text.dropped[0].reason;

  const ObservationSet negative =
      ObservationsOf(StagingRecord("neg", {{"bytes", 100e6}, {"idle_ms", -1}}));
  ASSERT_EQ(negative.dropped.size(), 1u);
  EXPECT_NE(negative.dropped[0].reason.find("idle_ms"), std::string::npos);

  const ObservationSet no_bytes = ObservationsOf(StagingRecord("nb", {{"idle_ms", 5}}));
  ASSERT_EQ(no_bytes.dropped.size(), 1u);
  EXPECT_NE(no_bytes.dropped[0].reason.find("bytes"), std::string::npos);

  const ObservationSet zero = ObservationsOf(StagingRecord("z", {{"bytes", 100e6}}, 0.0));
  ASSERT_EQ(zero.dropped.size(), 1u);
  EXPECT_NE(zero.dropped[0].reason.find("value"), std::string::npos);
}

TEST(StagingObservations, PredictionIsTheHostStagingModel) {
  HardwareProfile profile = LoadProfile("h100-sxm");
  profile.host_memcpy_nontemporal_bytes = 150e6;
  CoefficientValues<double> c = profile.coefficients;
  c[Coef::host_copy_gbs] = 10;
  c[Coef::host_dram_copy_gbs] = 5;
  c[Coef::host_nt_copy_gbs] = 8;
  c[Coef::host_cache_mb] = 32;
  c[Coef::host_cache_decay_ms] = 10;
  c[Coef::h2d_pinned_gbs] = 50;
  c[Coef::copy_latency_us] = 10;

  // 4 MB, cached when copied back to back; the idle and the H2D wait decay the hits.
  const double bytes = 4e6;
  for (double idle_ms : {0.0, 5.0, 30.0}) {
    for (bool then_h2d : {false, true}) {
      SCOPED_TRACE(std::to_string(idle_ms) + (then_h2d ? " ms, h2d" : " ms"));
      EXPECT_NEAR(PredictObservation(Staging(bytes, idle_ms, then_h2d), profile, c),
                  ExpectedGbs(profile, c, bytes, idle_ms, then_h2d), 1e-9);
    }
  }
  // The H2D adds 4 MB / 50 GB/s + 10 us = 90 us of wait: with no sleep the hits fall from 1 to
  // 1 / (1 + 0.009^2), so the rate is lower than without it.
  const double no_h2d = PredictObservation(Staging(bytes, 0, false), profile, c);
  const double h2d = PredictObservation(Staging(bytes, 0, true), profile, c);
  EXPECT_NEAR(no_h2d, 10, 1e-6);
  const double hit = 1 / (1 + 0.009 * 0.009);
  EXPECT_NEAR(h2d, 1 / (hit / 10 + (1 - hit) / 5), 1e-6);
  EXPECT_LT(h2d, no_h2d);
  // With 10 ms of sleep and the H2D: idle 10.09 ms.
  const double x = 10.09 / 10;
  const double hit10 = 1 / (1 + x * x);
  EXPECT_NEAR(PredictObservation(Staging(bytes, 10, true), profile, c),
              1 / (hit10 / 10 + (1 - hit10) / 5), 1e-6);

  // Past the host's threshold the copy streams at host_nt_copy_gbs, whatever the idle or H2D.
  for (double idle_ms : {0.0, 30.0}) {
    for (bool then_h2d : {false, true}) {
      EXPECT_NEAR(PredictObservation(Staging(200e6, idle_ms, then_h2d), profile, c), 8, 1e-9);
    }
  }
  // The same size without a known threshold is the ordinary copy from DRAM.
  profile.host_memcpy_nontemporal_bytes = 0;
  EXPECT_NEAR(PredictObservation(Staging(200e6, 0, false), profile, c),
              ExpectedGbs(profile, c, 200e6, 0, false), 1e-9);
  EXPECT_NEAR(PredictObservation(Staging(200e6, 0, false), profile, c), 5, 1e-3);
}

}  // namespace
}  // namespace vitperf
