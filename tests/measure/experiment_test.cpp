// Experiment files, overrides and the expansion into validated points.
#include "measure/experiment.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/measure/test_helpers.h"

namespace vitperf::measure {
namespace {

using testing::ErrorOf;

std::string Header(const std::string& body) {
  return R"({"schema": "vitperf.experiment", "schema_version": 1, "name": "t", )" + body + "}";
}

TEST(Experiment, AxesMultiplyInFileOrderWithBatchInnermost) {
  const auto spec = ParseExperiment(Header(R"("sweeps": [{"name": "s",
      "fixed": {"precision": "fp32"},
      "axes": {"batch": [1, 4], "model": ["vit_ti16", "vit_s16"], "attention": ["math", "fused"]}}])"),
                                    "t.json");
  const auto points = ExpandExperiment(spec, "cpu");
  ASSERT_EQ(points.size(), 8u);
  EXPECT_EQ(points[0].config.name, "vit_ti16");
  EXPECT_EQ(points[0].config.attention, AttentionImpl::math);
  EXPECT_EQ(points[0].batch, 1);
  EXPECT_EQ(points[1].batch, 4);
  EXPECT_EQ(points[2].config.attention, AttentionImpl::fused);
  EXPECT_EQ(points[4].config.name, "vit_s16");
  for (const auto& p : points) EXPECT_EQ(p.config.precision, Precision::fp32);
  std::set<std::string> ids;
  for (const auto& p : points) ids.insert(p.id);
  EXPECT_EQ(ids.size(), points.size());
}

TEST(Experiment, IdsAreStableAndDependOnDevice) {
  const auto spec =
      ParseExperiment(Header(R"("sweeps": [{"name": "s", "axes": {"model": ["vit_b16"]}}])"), "t");
  const auto a = ExpandExperiment(spec, "cpu");
  const auto b = ExpandExperiment(spec, "cpu");
  const auto c = ExpandExperiment(spec, "cuda:0");
  EXPECT_EQ(a[0].id, b[0].id);
  EXPECT_NE(a[0].id, c[0].id);
  EXPECT_EQ(a[0].id.rfind("pl-", 0), 0u);
}

TEST(Experiment, CustomWidthGetsHeadsOf64AndACustomName) {
  const auto spec = ParseExperiment(
      Header(
          R"("sweeps": [{"name": "s", "axes": {"patch": [8, 32], "depth": [6], "dim": [1280]}}])"),
      "t");
  const auto points = ExpandExperiment(spec, "cpu");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].config.heads, 20);
  EXPECT_EQ(points[0].config.patch, 8);
  EXPECT_EQ(points[0].config.name, "vit_p8_d6_w1280");
  // A preset at another resolution keeps its name.
  const auto res = ExpandExperiment(
      ParseExperiment(
          Header(R"("sweeps": [{"name": "s", "fixed": {"model": "vit_b16", "res": 512}}])"), "t"),
      "cpu");
  EXPECT_EQ(res[0].config.name, "vit_b16");
  EXPECT_EQ(res[0].config.image_height, 512);
  EXPECT_EQ(res[0].config.image_width, 512);
}

TEST(Experiment, Pow2BatchesShareAGroupPerConfig) {
  const auto spec = ParseExperiment(
      Header(
          R"("sweeps": [{"name": "s", "axes": {"model": ["vit_ti16", "vit_s16"], "batch": "pow2:8"}}])"),
      "t");
  const auto points = ExpandExperiment(spec, "cpu");
  ASSERT_EQ(points.size(), 8u);
  EXPECT_EQ(points[3].batch, 8);
  EXPECT_EQ(points[0].pow2_group, points[3].pow2_group);
  EXPECT_NE(points[0].pow2_group, points[4].pow2_group);
}

TEST(Experiment, CpuBlockReplacesAxesOnTheCpuOnly) {
  const auto spec = ParseExperiment(Header(R"("sweeps": [{"name": "s",
      "axes": {"model": ["vit_l16"], "batch": [64, 128]},
      "cpu": {"axes": {"model": ["vit_ti16"], "batch": [1]}}}])"),
                                    "t");
  EXPECT_EQ(ExpandExperiment(spec, "cuda:0").size(), 2u);
  const auto cpu = ExpandExperiment(spec, "cpu");
  ASSERT_EQ(cpu.size(), 1u);
  EXPECT_EQ(cpu[0].config.name, "vit_ti16");
}

TEST(Experiment, ProbeParamListsSweep) {
  const auto spec = ParseExperiment(Header(R"("probes": [
      {"probe": "h2d", "params": {"bytes": [1024, 2048], "numa": ["local", "remote"]},
       "devices": ["cuda"]}])"),
                                    "t");
  const auto points = ExpandExperiment(spec, "cpu");
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0].kind, PlannedPoint::Kind::probe);
  EXPECT_EQ(points[0].Label(), "probe h2d bytes=1024 numa=local");
  EXPECT_EQ(points[0].devices, std::vector<std::string>{"cuda"});
  EXPECT_EQ(points[0].id.rfind("pr-", 0), 0u);
}

TEST(Experiment, OverridesReplaceAndAddAxes) {
  auto spec = ParseExperiment(
      Header(
          R"("sweeps": [{"name": "s", "fixed": {"model": "vit_b16"}, "axes": {"batch": [1, 2]}}])"),
      "t");
  ApplyOverrides({ParseOverride("batch=1,2,4,8"), ParseOverride("depth=6,12"),
                  ParseOverride("precision=fp32")},
                 true, &spec);
  const auto points = ExpandExperiment(spec, "cpu");
  ASSERT_EQ(points.size(), 8u);
  EXPECT_EQ(points[0].config.depth, 6);
  EXPECT_EQ(points[3].batch, 8);
  EXPECT_EQ(points[4].config.depth, 12);
  EXPECT_EQ(points[0].config.precision, Precision::fp32);
  EXPECT_EQ(points[0].config.name, "vit_p16_d6_w768");
}

TEST(Experiment, OverrideErrorsNameTheKeyAndTheFix) {
  const std::string unknown = ErrorOf([] { ParseOverride("bacth=4"); });
  EXPECT_NE(unknown.find("unknown key 'bacth'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("closest: batch"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("accepted: model, batch"), std::string::npos) << unknown;
  EXPECT_NE(ErrorOf([] { ParseOverride("batch="); }).find("empty sweep"), std::string::npos);
  EXPECT_NE(ErrorOf([] { ParseOverride("batch=1,,2"); }).find("empty sweep"), std::string::npos);
  EXPECT_NE(ErrorOf([] { ParseOverride("batch"); }).find("expected key=value"), std::string::npos);

  auto spec =
      ParseExperiment(Header(R"("sweeps": [{"name": "s", "fixed": {"model": "vit_b16"}}])"), "t");
  ApplyOverrides({ParseOverride("precision=bf17")}, true, &spec);
  const std::string bad = ErrorOf([&] { ExpandExperiment(spec, "cpu"); });
  EXPECT_NE(bad.find("precision: 'bf17' is not one of fp32, tf32, fp16, bf16"), std::string::npos)
      << bad;
  auto spec2 =
      ParseExperiment(Header(R"("sweeps": [{"name": "s", "fixed": {"model": "vit_b16"}}])"), "t");
  EXPECT_NE(ErrorOf([&] {
              ApplyOverrides({ParseOverride("sweep=nope")}, true, &spec2);
            }).find("not a sweep"),
            std::string::npos);
}

TEST(Experiment, SweepNoneKeepsTheProbesAlone) {
  auto spec =
      ParseExperiment(Header(R"("probes": [{"probe": "launch", "params": {"execution": "eager"}}],
                 "sweeps": [{"name": "s", "fixed": {"model": "vit_b16"}}])"),
                      "t");
  ApplyOverrides({ParseOverride("sweep=none")}, true, &spec);
  const auto points = ExpandExperiment(spec, "cpu");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].kind, PlannedPoint::Kind::probe);
}

TEST(Experiment, InvalidPointsAreErrorsBeforeMeasuring) {
  const auto spec = ParseExperiment(
      Header(R"("sweeps": [{"name": "s", "axes": {"model": ["vit_h14"], "res": [224, 256]}}])"),
      "t");
  const std::string why = ErrorOf([&] { ExpandExperiment(spec, "cpu"); });
  EXPECT_NE(why.find("sweep 's': point {model=vit_h14 res=256}: patch: 14 does not divide"),
            std::string::npos)
      << why;
  const auto overlapped = ParseExperiment(
      Header(R"("sweeps": [{"name": "s", "fixed": {"pipeline": "overlapped"}}])"), "t");
  EXPECT_NE(ErrorOf([&] { ExpandExperiment(overlapped, "cpu"); }).find("queue_depth"),
            std::string::npos);
  const auto batch =
      ParseExperiment(Header(R"("sweeps": [{"name": "s", "axes": {"batch": [1, "pow2"]}}])"), "t");
  EXPECT_NE(ErrorOf([&] { ExpandExperiment(batch, "cpu"); }).find("only value"), std::string::npos);
}

TEST(Experiment, FileErrorsAreOneClearLine) {
  auto error = [](const std::string& text) {
    return ErrorOf([&] { ParseExperiment(text, "bad.json"); });
  };
  EXPECT_NE(error("{\"schema\": ").find("bad.json: malformed JSON: parse error"),
            std::string::npos);
  EXPECT_NE(error(R"({"schema": "other", "schema_version": 1, "name": "x", "sweeps": []})")
                .find("schema: expected"),
            std::string::npos);
  EXPECT_NE(
      error(R"({"schema": "vitperf.experiment", "schema_version": 9, "name": "x"})").find("newer"),
      std::string::npos);
  EXPECT_NE(error(Header(R"("sweeps": [{"name": "s", "axes": {"depht": [6]}}])"))
                .find("unknown key 'depht' (closest: depth"),
            std::string::npos);
  EXPECT_NE(
      error(Header(R"("sweeps": [{"name": "s", "axes": {"depth": []}}])")).find("empty sweep"),
      std::string::npos);
  EXPECT_NE(error(Header(R"("probes": [{"probe": "matmull"}])")).find("closest: matmul"),
            std::string::npos);
  EXPECT_NE(error(Header(R"("probes": [{"probe": "h2d", "params": {"bytes": -1}}])"))
                .find("bytes: '-1' is not a positive integer"),
            std::string::npos);
  EXPECT_NE(error(Header(R"("sweepz": [])")).find("unknown key 'sweepz'"), std::string::npos);
  EXPECT_NE(error(Header(R"("sweeps": [])")).find("empty experiment"), std::string::npos);
}

TEST(Experiment, ShippedExperimentsParseAndExpand) {
  const auto names = ShippedExperiments();
  for (const char* required : {"quick_test", "scaling_study", "resolution_study", "compile_study",
                               "numa_study", "calibration", "ci_cpu"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
  for (const auto& name : names) {
    for (const char* device : {"cpu", "cuda:0"}) {
      ExperimentSpec spec = LoadExperiment(name);
      ApplyOverrides({}, std::string(device) == "cpu", &spec);
      EXPECT_EQ(spec.name, name);
      EXPECT_FALSE(ExpandExperiment(spec, device).empty()) << name;
    }
  }
  EXPECT_NE(ErrorOf([] { LoadExperiment("quick_tset"); }).find("closest: quick_test"),
            std::string::npos);
}

TEST(Experiment, ScalingStudyCoversTheResearchGrid) {
  ExperimentSpec spec = LoadExperiment("scaling_study");
  ApplyOverrides({}, false, &spec);
  const auto points = ExpandExperiment(spec, "cuda:0");
  std::set<std::tuple<int, int, int>> grid;
  for (const auto& p : points) {
    if (p.kind != PlannedPoint::Kind::pipeline) continue;
    grid.insert({p.config.patch, p.config.depth, p.config.dim});
    EXPECT_EQ(p.config.precision, Precision::bf16);
    EXPECT_GE(p.pow2_group, 0);
  }
  EXPECT_EQ(grid.size(), 3u * 4u * 4u);
}

}  // namespace
}  // namespace vitperf::measure
