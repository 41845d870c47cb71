// Bad input to the fit: no usable points, another device, NaN / negative / zero times, a
// torn last line. Each must give a clear error or be dropped with its reason.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "fit/device_match.h"
#include "fit/fit_coefficients.h"
#include "fit/fitted_profile.h"
#include "model/calibration.h"
#include "predict/prediction_interval.h"
#include "tests/fit/synthetic_data.h"

namespace vitperf {
namespace {

using testing::SyntheticOptions;

MeasurementSet Synthetic(const SyntheticOptions& o = SyntheticOptions{}) {
  MeasurementSet data;
  data.pipeline = testing::SyntheticPipelineRecords(
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"), o);
  return data;
}

std::string Reason(const FitResult& r, const std::string& id) {
  for (const auto& d : r.observations.dropped)
    if (d.id == id) return d.reason;
  return "";
}

TEST(FitBadInput, NoUsablePointsIsAnError) {
  MeasurementSet data = Synthetic();
  for (auto& r : data.pipeline) r.throughput_ips = -1;
  try {
    FitCoefficients(LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"), data,
                    FitOptions{});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no usable points"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("throughput_ips"), std::string::npos) << e.what();
  }
  EXPECT_THROW(
      FitCoefficients(LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"),
                      MeasurementSet{}, FitOptions{}),
      std::invalid_argument);
}

TEST(FitBadInput, DeviceMismatchIsAnErrorUnlessAllowed) {
  SyntheticOptions h200;
  h200.device_name = "NVIDIA H200";
  const MeasurementSet data = Synthetic(h200);
  try {
    FitCoefficients(LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"), data,
                    FitOptions{});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("NVIDIA H200"), std::string::npos) << what;
    EXPECT_NE(what.find("h100-sxm"), std::string::npos) << what;
    EXPECT_NE(what.find("--allow-device-mismatch"), std::string::npos) << what;
  }
  FitOptions allow;
  allow.observations.allow_device_mismatch = true;
  const FitResult r = FitCoefficients(
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"), data, allow);
  EXPECT_FALSE(r.warnings.empty());
}

TEST(FitBadInput, MatchingRule) {
  const HardwareProfile h100 =
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  std::string why;
  EXPECT_TRUE(DeviceMatchesProfile("cuda:0", "NVIDIA H100 80GB HBM3", h100, &why));
  EXPECT_TRUE(DeviceMatchesProfile("cuda:1", "NVIDIA H100 SXM5 80GB HBM3", h100, &why));
  EXPECT_FALSE(DeviceMatchesProfile("cuda:0", "NVIDIA H200", h100, &why));
  EXPECT_FALSE(DeviceMatchesProfile("cpu", "Intel(R) Xeon(R) Platinum", h100, &why));
  EXPECT_NE(why.find("cpu measurement"), std::string::npos) << why;
  EXPECT_TRUE(DeviceMatchesProfile("cuda:0", "", h100, &why));  // kind only
  HardwareProfile generic = h100;
  generic.name = "cpu-generic";
  generic.kind = "cpu";
  EXPECT_TRUE(DeviceMatchesProfile("cpu", "AMD EPYC 9654", generic, &why));
  EXPECT_EQ(MeasuredDeviceName({{"device_info", {{"name", "NVIDIA H100"}}}}), "NVIDIA H100");
}

TEST(FitBadInput, BadTimesAreDroppedWithReasons) {
  MeasurementSet data = Synthetic();
  data.pipeline[0].throughput_ips = std::numeric_limits<double>::quiet_NaN();
  data.pipeline[1].throughput_ips = -5;
  data.pipeline[2].throughput_ips = 0;
  ProbeRecord probe;
  probe.id = "bad-probe";
  probe.device = "cuda:0";
  probe.probe = "device_copy";
  probe.params = {{"bytes", 1 << 20}};
  probe.value = -1;
  data.probes.push_back(probe);
  probe.id = "unknown-probe";
  probe.probe = "tea";
  probe.value = 1;
  data.probes.push_back(probe);
  const FitResult r = FitCoefficients(
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"), data, FitOptions{});
  EXPECT_NE(Reason(r, data.pipeline[0].id).find("throughput_ips: nan"), std::string::npos)
      << Reason(r, data.pipeline[0].id);
  EXPECT_NE(Reason(r, data.pipeline[1].id).find("throughput_ips: -5"), std::string::npos);
  EXPECT_NE(Reason(r, data.pipeline[2].id).find("throughput_ips: 0"), std::string::npos);
  EXPECT_NE(Reason(r, "bad-probe").find("value: -1"), std::string::npos);
  EXPECT_NE(Reason(r, "unknown-probe").find("not used by the fit"), std::string::npos);
  // Every record is either used or dropped with a reason.
  EXPECT_EQ(r.observations.records_used + r.observations.dropped.size(),
            data.pipeline.size() + data.probes.size());
  EXPECT_TRUE(std::isfinite(r.final_cost));
}

TEST(FitBadInput, TornLastLineIsSkippedAndTheRestUsed) {
  const std::string path = std::string(VITPERF_TEST_TMP) + "/fit_torn.jsonl";
  SyntheticOptions o;
  const auto records = testing::SyntheticPipelineRecords(
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"), o);
  testing::WriteJsonl(path, o, records);
  {
    std::ofstream out(path, std::ios::app);
    out << R"({"schema": "vitperf.measurement", "schema_version": 1, "kind": "pipel)";
  }
  MeasurementSet data;
  const std::vector<FitInput> inputs = ReadInputs({path}, &data);
  ASSERT_EQ(data.rejected.Total(), 1);
  EXPECT_NE(RejectionSummary(data).find("truncated"), std::string::npos) << RejectionSummary(data);
  EXPECT_EQ(inputs[0].records, static_cast<int>(records.size()));
  EXPECT_EQ(inputs[0].fnv1a64.size(), 16u);
  const FitResult r = FitCoefficients(
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"), data, FitOptions{});
  EXPECT_GT(r.observations.records_used, 0);
  const HardwareProfile fitted =
      MakeFittedProfile(LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json"), r,
                        inputs, FitOptions{}, data.probes);
  EXPECT_TRUE(fitted.calibrated);
  EXPECT_EQ(fitted.fit["inputs"][0]["fnv1a64"], inputs[0].fnv1a64);
  std::string why;
  EXPECT_TRUE(fitted.IsValid(&why)) << why;
  // Round trip through the calibration format.
  HardwareProfile back = LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  ApplyCalibration(CalibrationJson(fitted, "h100-sxm"), "calibration", &back);
  EXPECT_TRUE(back.calibrated);
  EXPECT_DOUBLE_EQ(back.coefficients[Coef::matmul_efficiency],
                   fitted.coefficients[Coef::matmul_efficiency]);
}

TEST(PredictionInterval, WidensWithTheErrorsAndIsEmptyWithout) {
  const HardwareProfile base =
      LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  const ViTConfig config = PresetByName("vit_b16");
  const ThroughputInterval none = PredictThroughputInterval(config, 64, PipelineOptions{}, base);
  EXPECT_FALSE(none.has_errors);
  EXPECT_DOUBLE_EQ(none.low_ips, none.throughput_ips);
  HardwareProfile p = base;
  // 10% error on the matrix efficiency of a compute-bound batch: about 10% on throughput.
  p.coefficient_errors[Coef::matmul_efficiency] = 0.1 * p.coefficients[Coef::matmul_efficiency];
  const ThroughputInterval one = PredictThroughputInterval(config, 64, PipelineOptions{}, p);
  EXPECT_TRUE(one.has_errors);
  EXPECT_GT(one.relative_sigma, 0.03);
  EXPECT_LT(one.relative_sigma, 0.1 + 1e-9);
  EXPECT_LT(one.low_ips, one.throughput_ips);
  EXPECT_GT(one.high_ips, one.throughput_ips);
}

}  // namespace
}  // namespace vitperf
