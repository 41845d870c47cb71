// The staging probe on the CPU (the uint8 pipeline's host memcpy alone), its experiment
// parameters, and reading glibc's non-temporal memcpy threshold from `ld.so --list-tunables`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "measure/experiment.h"
#include "measure/glibc_tunables.h"
#include "measure/micro_probes.h"
#include "tests/measure/test_helpers.h"

namespace vitperf::measure {
namespace {

using testing::ErrorOf;
using testing::FastCpu;

TEST(GlibcTunables, ParsesTheNonTemporalThresholdLine) {
  const auto bytes = ParseNontemporalThresholdLine(
      "glibc.cpu.x86_non_temporal_threshold: 0x9700000 (min: 0x4040, max: 0xfffffffffffffff)");
  ASSERT_TRUE(bytes.has_value());
  EXPECT_DOUBLE_EQ(*bytes, 158334976.0);
  // As fgets hands it over, with its newline.
  const auto with_newline = ParseNontemporalThresholdLine(
      "glibc.cpu.x86_non_temporal_threshold: 0xf000000 (min: 0x4040, "
      "max: 0xfffffffffffffff)\n");
  ASSERT_TRUE(with_newline.has_value());
  EXPECT_DOUBLE_EQ(*with_newline, 251658240.0);
}

TEST(GlibcTunables, OtherLinesAndGarbageGiveNothing) {
  EXPECT_FALSE(ParseNontemporalThresholdLine(
      "glibc.cpu.x86_rep_movsb_threshold: 0x2000 (min: 0x100, max: 0xfffffffffffffff)"));
  EXPECT_FALSE(ParseNontemporalThresholdLine("glibc.malloc.arena_max: 0x0 (min: 0x1, max: 0x0)"));
  EXPECT_FALSE(ParseNontemporalThresholdLine(""));
  EXPECT_FALSE(ParseNontemporalThresholdLine("%$#@! not a tunable"));
  EXPECT_FALSE(ParseNontemporalThresholdLine("glibc.cpu.x86_non_temporal_threshold: banana"));
  EXPECT_FALSE(ParseNontemporalThresholdLine("glibc.cpu.x86_non_temporal_threshold:"));
  EXPECT_FALSE(ParseNontemporalThresholdLine("glibc.cpu.x86_non_temporal_threshold: 0x0"));
}

TEST(GlibcTunables, TheHostsThresholdIsWithinGlibcsBoundsWhenKnown) {
  const auto bytes = GlibcNontemporalThresholdBytes();
  if (!bytes) GTEST_SKIP() << "no glibc loader with --list-tunables on this host";
  EXPECT_TRUE(std::isfinite(*bytes));
  EXPECT_GE(*bytes, 0x4040) << "glibc's minimum for the tunable";
  EXPECT_EQ(*bytes, std::floor(*bytes)) << "a whole number of bytes";
}

TEST(StagingProbe, CpuCopyIsTimedAndRecordsItsParameters) {
  const ProbeContext ctx = FastCpu(0.2);
  constexpr std::int64_t kBytes = 1 << 20;
  for (double idle_ms : {0.0, 1.0}) {
    SCOPED_TRACE(idle_ms);
    const ProbeRecord r = RunStagingProbe(kBytes, idle_ms, /*h2d=*/false, ctx);
    EXPECT_EQ(r.status, PointStatus::ok) << r.message;
    EXPECT_EQ(r.probe, "staging");
    EXPECT_EQ(r.unit, "GB/s");
    EXPECT_EQ(r.device, "cpu");
    EXPECT_FALSE(r.id.empty());
    EXPECT_EQ(r.provenance["test"], true);
    EXPECT_TRUE(std::isfinite(r.value) && r.value > 0) << r.value;
    EXPECT_GE(r.timing.repeats, 3);
    EXPECT_GT(r.timing.median_ms, 0);
    // The value is the bytes over the median copy time.
    EXPECT_NEAR(r.value, kBytes / (r.timing.median_ms * 1e-3) / 1e9, 1e-9 * r.value);
    // The idle sleep is not timed: 1 MiB over 1 ms (and more) would be at most 1.05 GB/s.
    EXPECT_GT(r.value, 1.1);
    EXPECT_EQ(r.params["bytes"], kBytes);
    EXPECT_DOUBLE_EQ(r.params["idle_ms"].get<double>(), idle_ms);
    EXPECT_EQ(r.params["h2d"], false);
  }
}

TEST(StagingProbe, H2dNeedsACudaDevice) {
  const ProbeRecord r = RunStagingProbe(1 << 20, 0, /*h2d=*/true, FastCpu(0.2));
  EXPECT_EQ(r.status, PointStatus::skipped);
  EXPECT_NE(r.message.find("CUDA"), std::string::npos) << r.message;
  EXPECT_EQ(r.params["h2d"], true);
  EXPECT_EQ(r.unit, "GB/s");
}

TEST(StagingProbe, InvalidArgumentsThrow) {
  const ProbeContext ctx = FastCpu(0.2);
  EXPECT_NE(ErrorOf([&] { RunStagingProbe(0, 0, false, ctx); }).find("bytes"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { RunStagingProbe(-1, 0, false, ctx); }).find("bytes"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { RunStagingProbe(1 << 20, -1, false, ctx); }).find("idle_ms"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { RunStagingProbe(1 << 20, 1001, false, ctx); }).find("idle_ms"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { RunStagingProbe(1 << 20, std::nan(""), false, ctx); }).find("idle_ms"),
            std::string::npos);
}

std::string StagingExperiment(const std::string& params) {
  return R"({"schema": "vitperf.experiment", "schema_version": 1, "name": "t", "probes": [
      {"probe": "staging", "params": )" +
         params + "}]}";
}

TEST(StagingProbe, ExperimentSweepsItsParameters) {
  const auto spec = ParseExperiment(
      StagingExperiment(R"({"bytes": [1048576, 4194304], "idle_ms": [0, 2.5], "h2d": false})"),
      "t");
  const auto points = ExpandExperiment(spec, "cpu");
  ASSERT_EQ(points.size(), 4u);
  for (const auto& p : points) EXPECT_EQ(p.kind, PlannedPoint::Kind::probe);
  EXPECT_NE(points[0].Label().find("staging"), std::string::npos) << points[0].Label();
}

TEST(StagingProbe, ExperimentRejectsBadParametersNamingThem) {
  auto error = [](const std::string& params) {
    return ErrorOf([&] { ParseExperiment(StagingExperiment(params), "bad.json"); });
  };
  const std::string negative = error(R"({"bytes": 1048576, "idle_ms": -5})");
  EXPECT_NE(negative.find("idle_ms"), std::string::npos) << negative;
  EXPECT_NE(negative.find("-5"), std::string::npos) << negative;
  const std::string in_list = error(R"({"bytes": 1048576, "idle_ms": [0, 5000]})");
  EXPECT_NE(in_list.find("idle_ms"), std::string::npos) << in_list;
  const std::string h2d = error(R"({"bytes": 1048576, "h2d": "yes"})");
  EXPECT_NE(h2d.find("h2d"), std::string::npos) << h2d;
  EXPECT_NE(h2d.find("true or false"), std::string::npos) << h2d;
  const std::string bytes = error(R"({"bytes": 0})");
  EXPECT_NE(bytes.find("bytes"), std::string::npos) << bytes;
  const std::string unknown = error(R"({"bytes": 1048576, "threads": 2})");
  EXPECT_NE(unknown.find("threads"), std::string::npos) << unknown;
}

}  // namespace
}  // namespace vitperf::measure
