// The compile times a calibration keeps for `vitperf best`: one per AOTInductor package, per
// compile mode, from the records' provenance.compiled sidecars.
#include "fit/compile_time_summary.h"

#include <gtest/gtest.h>

namespace vitperf {
namespace {

PipelineRecord Compiled(const std::string& package, const std::string& mode, double seconds) {
  PipelineRecord r;
  r.provenance = {{"compiled",
                   {{"package", package},
                    {"compile_mode", mode},
                    {"compile_s", seconds},
                    {"compile_threads", "2"},
                    {"concurrent_jobs", 6}}}};
  return r;
}

TEST(CompileTimeSummary, OneTimePerPackageAndAMedianPerMode) {
  std::vector<PipelineRecord> records{Compiled("a.default.pt2", "default", 70),
                                      Compiled("a.default.pt2", "default", 70),
                                      Compiled("b.default.pt2", "default", 90),
                                      Compiled("c.default.pt2", "default", 100),
                                      Compiled("a.max-autotune.pt2", "max-autotune", 120),
                                      PipelineRecord{}};
  const nlohmann::json s = CompileTimeSummary(records);
  ASSERT_TRUE(s.contains("default"));
  EXPECT_EQ(s["default"]["packages"], 3);  // a's second point is the same package
  EXPECT_DOUBLE_EQ(s["default"]["median_s"].get<double>(), 90);
  EXPECT_DOUBLE_EQ(s["default"]["min_s"].get<double>(), 70);
  EXPECT_DOUBLE_EQ(s["default"]["max_s"].get<double>(), 100);
  EXPECT_EQ(s["default"]["concurrent_jobs"], 6);
  EXPECT_DOUBLE_EQ(s["max-autotune"]["median_s"].get<double>(), 120);
}

TEST(CompileTimeSummary, PackagesBuiltUnderDifferentSettingsListThemAll) {
  PipelineRecord other = Compiled("d.default.pt2", "default", 80);
  other.provenance["compiled"]["compile_threads"] = "4";
  other.provenance["compiled"]["concurrent_jobs"] = 4;
  const nlohmann::json s = CompileTimeSummary({Compiled("a.default.pt2", "default", 70), other});
  EXPECT_EQ(s["default"]["compile_threads"], nlohmann::json({"2", "4"}));
  EXPECT_EQ(s["default"]["concurrent_jobs"], nlohmann::json({6, 4}));
}

TEST(CompileTimeSummary, EmptyWithoutCompiledRecordsOrWithMalformedSidecars) {
  EXPECT_TRUE(CompileTimeSummary({PipelineRecord{}}).empty());
  PipelineRecord bad;
  bad.provenance = {
      {"compiled", {{"package", "x"}, {"compile_mode", "default"}, {"compile_s", "slow"}}}};
  EXPECT_TRUE(CompileTimeSummary({bad}).empty());
}

}  // namespace
}  // namespace vitperf
