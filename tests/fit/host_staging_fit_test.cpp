// FitHostStaging: the host-staging coefficients refitted to a host's "staging" probes, the rest
// of the profile untouched. Records are valued by the staging model written out here from its
// definition (the producer's memcpy after its idle, also waiting out the H2D when it made one).
#include "fit/host_staging_fit.h"

#include <ceres/jet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/hardware_profile.h"
#include "model/host_staging.h"

namespace vitperf {
namespace {

// The host's glibc streaming-store threshold the tests set (200 and 400 MB stream, 100 does not).
constexpr double kNontemporalBytes = 150e6;

bool IsStaging(Coef c) {
  const auto& staged = HostStagingCoefficients();
  return std::find(staged.begin(), staged.end(), c) != staged.end();
}

// The calibrated H100 profile with a known streaming-store threshold, its host-staging
// coefficients set well away from the synthetic host's (TruthProfile) so the fit has to move.
HardwareProfile StartProfile() {
  HardwareProfile p = LoadProfile("h100");
  p.host_memcpy_nontemporal_bytes = kNontemporalBytes;
  p.coefficients[Coef::host_copy_gbs] = 8;
  p.coefficients[Coef::host_dram_copy_gbs] = 4.5;
  p.coefficients[Coef::host_cache_mb] = 25;
  p.coefficients[Coef::host_nt_copy_gbs] = 7;
  return p;
}

// `start` with the "true" host-staging coefficients of the synthetic host.
HardwareProfile TruthProfile(const HardwareProfile& start) {
  HardwareProfile p = start;
  p.coefficients[Coef::host_copy_gbs] = 11;
  p.coefficients[Coef::host_dram_copy_gbs] = 6;
  p.coefficients[Coef::host_cache_mb] = 40;
  p.coefficients[Coef::host_nt_copy_gbs] = 9.5;
  return p;
}

// [GB/s] one producer's staging copy of `bytes` after `idle_ms`, as the probe measures it.
double StagingGbs(const HardwareProfile& truth, double bytes, double idle_ms, bool then_h2d) {
  const CoefficientValues<double>& c = truth.coefficients;
  double idle_s = idle_ms * 1e-3;
  if (then_h2d) idle_s += bytes * 1e-9 / c[Coef::h2d_pinned_gbs] + c[Coef::copy_latency_us] * 1e-6;
  const double seconds = HostStagingSeconds(bytes, 1, idle_s, truth.host_memcpy_nontemporal_bytes,
                                            CoefficientView<double>{c.v.data()});
  return bytes * 1e-9 / seconds;
}

ProbeRecord StagingRecord(double bytes, double idle_ms, bool then_h2d, double value,
                          PointStatus status = PointStatus::ok) {
  ProbeRecord r;
  r.id = "staging-" + std::to_string(static_cast<long long>(bytes)) + "-" +
         std::to_string(static_cast<int>(idle_ms)) + (then_h2d ? "-h2d" : "");
  r.device = "cuda:0";
  r.probe = "staging";
  r.params = {{"bytes", bytes}, {"idle_ms", idle_ms}, {"h2d", then_h2d}};
  r.status = status;
  r.value = value;
  r.unit = "GB/s";
  return r;
}

ProbeRecord LaunchRecord() {
  ProbeRecord r;
  r.id = "launch-eager";
  r.device = "cuda:0";
  r.probe = "launch";
  r.params = {{"execution", "eager"}};
  r.value = 6.5;
  r.unit = "us";
  return r;
}

// The staging sweep: sizes across the cache cliff and the streaming-store threshold, idle from
// none to several decay times, with and without the H2D after each copy.
std::vector<ProbeRecord> StagingSweep(const HardwareProfile& truth) {
  std::vector<ProbeRecord> out;
  for (double mb : {4.0, 12.6, 25.0, 50.0, 100.0, 200.0, 400.0})
    for (double idle_ms : {0.0, 5.0, 30.0})
      for (bool then_h2d : {false, true})
        out.push_back(StagingRecord(mb * 1e6, idle_ms, then_h2d,
                                    StagingGbs(truth, mb * 1e6, idle_ms, then_h2d)));
  return out;
}

void ExpectNonStagingUnchanged(const HardwareProfile& before, const HardwareProfile& after) {
  for (int i = 0; i < kNumCoefficients; ++i) {
    const Coef c = static_cast<Coef>(i);
    if (IsStaging(c)) continue;
    EXPECT_EQ(after.coefficients[c], before.coefficients[c]) << Info(c).name;
  }
  EXPECT_EQ(after.host_memcpy_nontemporal_bytes, before.host_memcpy_nontemporal_bytes);
}

void ExpectProfileUnchanged(const HardwareProfile& before, const HardwareProfile& after) {
  for (int i = 0; i < kNumCoefficients; ++i) {
    const Coef c = static_cast<Coef>(i);
    EXPECT_EQ(after.coefficients[c], before.coefficients[c]) << Info(c).name;
  }
  EXPECT_EQ(nlohmann::json(after), nlohmann::json(before));
}

// The coefficient names among FitHostStaging's "name=value" strings, and their values.
std::vector<std::pair<std::string, double>> Parse(const std::vector<std::string>& set) {
  std::vector<std::pair<std::string, double>> out;
  for (const std::string& s : set) {
    const size_t eq = s.find('=');
    EXPECT_NE(eq, std::string::npos) << s;
    if (eq == std::string::npos) continue;
    out.emplace_back(s.substr(0, eq), std::stod(s.substr(eq + 1)));
  }
  return out;
}

TEST(HostStagingFit, CoefficientsAreTheFourFittedStagingOnes) {
  // host_cache_decay_ms is an architecture constant: the staging refit leaves it.
  const std::vector<Coef> expected = {Coef::host_copy_gbs, Coef::host_dram_copy_gbs,
                                      Coef::host_cache_mb, Coef::host_nt_copy_gbs};
  EXPECT_EQ(HostStagingCoefficients(), expected);
}

TEST(HostStagingFit, RecoversKnownCoefficientsAndTouchesNothingElse) {
  const HardwareProfile start = StartProfile();
  const HardwareProfile truth = TruthProfile(start);
  // The start must be away from the answer for the test to mean anything.
  for (Coef c : HostStagingCoefficients()) {
    ASSERT_GT(std::abs(start.coefficients[c] / truth.coefficients[c] - 1), 0.03) << Info(c).name;
  }
  // The cached rate, the DRAM rate and the streamed rate all show in the sweep.
  const std::vector<ProbeRecord> probes = StagingSweep(truth);
  ASSERT_EQ(probes.size(), 42u);
  EXPECT_NEAR(StagingGbs(truth, 4e6, 0, false), 11, 0.01);
  EXPECT_NEAR(StagingGbs(truth, 100e6, 0, false), 6, 0.01);
  EXPECT_NEAR(StagingGbs(truth, 400e6, 30, true), 9.5, 1e-9);

  HardwareProfile fitted = start;
  const std::vector<std::string> set = FitHostStaging(probes, &fitted);

  for (Coef c : HostStagingCoefficients()) {
    EXPECT_NEAR(fitted.coefficients[c] / truth.coefficients[c], 1.0, 0.03)
        << Info(c).name << ": fitted " << fitted.coefficients[c] << ", true "
        << truth.coefficients[c];
  }
  ExpectNonStagingUnchanged(start, fitted);

  // One "name=value" per coefficient set, each naming one of the four with the value written.
  const auto named = Parse(set);
  ASSERT_EQ(named.size(), 4u) << ::testing::PrintToString(set);
  for (Coef c : HostStagingCoefficients()) {
    const auto it = std::find_if(named.begin(), named.end(),
                                 [&](const auto& n) { return n.first == Info(c).name; });
    ASSERT_NE(it, named.end()) << Info(c).name << " missing from " << ::testing::PrintToString(set);
    EXPECT_NEAR(it->second / fitted.coefficients[c], 1.0, 1e-3) << Info(c).name;
  }
}

TEST(HostStagingFit, OnlyOkStagingProbesCount) {
  const HardwareProfile start = StartProfile();
  const HardwareProfile truth = TruthProfile(start);
  const std::vector<ProbeRecord> sweep = StagingSweep(truth);
  HardwareProfile clean = start;
  const std::vector<std::string> clean_set = FitHostStaging(sweep, &clean);
  ASSERT_FALSE(clean_set.empty());

  // Failed staging points with absurd values, and probes of other kinds, change nothing.
  std::vector<ProbeRecord> mixed = sweep;
  mixed.push_back(StagingRecord(4e6, 0, false, 0.05, PointStatus::error));
  mixed.push_back(StagingRecord(400e6, 0, false, 100, PointStatus::timeout));
  mixed.push_back(LaunchRecord());
  HardwareProfile fitted = start;
  const std::vector<std::string> set = FitHostStaging(mixed, &fitted);
  EXPECT_EQ(set, clean_set);
  ExpectProfileUnchanged(clean, fitted);
}

TEST(HostStagingFit, NoStagingProbesLeaveTheProfileAlone) {
  const HardwareProfile start = StartProfile();
  {
    HardwareProfile p = start;
    EXPECT_TRUE(FitHostStaging({}, &p).empty());
    ExpectProfileUnchanged(start, p);
  }
  {
    HardwareProfile p = start;
    EXPECT_TRUE(FitHostStaging({LaunchRecord()}, &p).empty());
    ExpectProfileUnchanged(start, p);
  }
  {
    // A staging probe that failed is no staging probe.
    HardwareProfile p = start;
    const std::vector<ProbeRecord> failed = {
        StagingRecord(100e6, 0, false, 3.0, PointStatus::error), LaunchRecord()};
    EXPECT_TRUE(FitHostStaging(failed, &p).empty());
    ExpectProfileUnchanged(start, p);
  }
}

TEST(HostStagingFit, ProbesInsideTheCacheDoNotInformTheStreamedRate) {
  const HardwareProfile start = StartProfile();
  const HardwareProfile truth = TruthProfile(start);
  // Back-to-back copies far below the 40 MB cache and the streaming threshold: every byte hits.
  std::vector<ProbeRecord> probes;
  for (double mb : {1.0, 2.0, 4.0, 8.0})
    probes.push_back(StagingRecord(mb * 1e6, 0, false, StagingGbs(truth, mb * 1e6, 0, false)));
  HardwareProfile fitted = start;
  const std::vector<std::string> set = FitHostStaging(probes, &fitted);

  EXPECT_EQ(fitted.coefficients[Coef::host_nt_copy_gbs],
            start.coefficients[Coef::host_nt_copy_gbs]);
  // No idle: nothing says how fast the cache decays either.
  EXPECT_EQ(fitted.coefficients[Coef::host_cache_decay_ms],
            start.coefficients[Coef::host_cache_decay_ms]);
  for (const auto& [name, value] : Parse(set)) {
    EXPECT_NE(name, Info(Coef::host_nt_copy_gbs).name) << value;
    EXPECT_NE(name, Info(Coef::host_cache_decay_ms).name) << value;
  }
  // The cached rate is what they do inform.
  EXPECT_NEAR(fitted.coefficients[Coef::host_copy_gbs], 11, 0.03 * 11);
  const auto named = Parse(set);
  EXPECT_TRUE(std::any_of(named.begin(), named.end(), [](const auto& n) {
    return n.first == Info(Coef::host_copy_gbs).name;
  })) << ::testing::PrintToString(set);
  ExpectNonStagingUnchanged(start, fitted);
}

// A run's provenance record as `vitperf measure` writes it, with the host's threshold or not.
nlohmann::json ProvenanceRecord(std::optional<double> threshold_bytes) {
  nlohmann::json info = {{"cpu_model", "test"}};
  if (threshold_bytes) info["host_memcpy_nontemporal_bytes"] = *threshold_bytes;
  return {{"kind", "provenance"}, {"device_info", info}};
}

TEST(HostStagingFit, TheDataHostThresholdReplacesTheProfiles) {
  HardwareProfile profile = StartProfile();
  profile.host_memcpy_nontemporal_bytes = 0;  // a datasheet profile knows no host
  MeasurementSet data;
  data.provenance = {ProvenanceRecord(158334976.0), ProvenanceRecord(std::nullopt),
                     ProvenanceRecord(158334976.0)};
  const std::string note = AdoptDataHostThreshold(data, &profile);
  EXPECT_EQ(profile.host_memcpy_nontemporal_bytes, 158334976.0);
  EXPECT_NE(note.find("0 -> 158334976"), std::string::npos) << note;
  // Already the data's value: nothing to say.
  EXPECT_EQ(AdoptDataHostThreshold(data, &profile), "");
}

TEST(HostStagingFit, RunsThatDisagreeOrSayNothingLeaveTheProfileAlone) {
  HardwareProfile profile = StartProfile();
  const double before = profile.host_memcpy_nontemporal_bytes;
  MeasurementSet silent;
  silent.provenance = {ProvenanceRecord(std::nullopt), ProvenanceRecord(std::nullopt)};
  EXPECT_EQ(AdoptDataHostThreshold(silent, &profile), "");
  EXPECT_EQ(profile.host_memcpy_nontemporal_bytes, before);
  MeasurementSet mixed;
  mixed.provenance = {ProvenanceRecord(158334976.0), ProvenanceRecord(251658240.0)};
  const std::string warning = AdoptDataHostThreshold(mixed, &profile);
  EXPECT_EQ(warning.rfind("warning:", 0), 0u) << warning;
  EXPECT_NE(warning.find("2 different"), std::string::npos) << warning;
  EXPECT_EQ(profile.host_memcpy_nontemporal_bytes, before);
}

// The fit differentiates the staging time; a batch with nothing to stage (images decoded into
// the pinned ring, start=pinned) must give it a finite derivative, or the whole refit fails.
TEST(HostStagingFit, NothingStagedHasFiniteDerivatives) {
  using J = ceres::Jet<double, 1>;
  const CoefficientValues<double> c = DefaultCoefficients();
  std::vector<J> jets;
  for (double v : c.v) jets.emplace_back(v);
  jets[static_cast<std::size_t>(Coef::host_cache_mb)].v[0] = 1;  // d/d host_cache_mb
  const CoefficientView<J> view{jets.data()};
  for (double bytes : {0.0, 38.5e6}) {
    const J s = HostStagingSeconds(bytes, 4, J(-1.0), kNontemporalBytes, view);
    EXPECT_TRUE(std::isfinite(s.a) && std::isfinite(s.v[0])) << bytes << " bytes";
    if (bytes == 0) {
      EXPECT_EQ(s.a, 0);
    }
  }
}

}  // namespace
}  // namespace vitperf
