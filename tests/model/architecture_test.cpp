// The architecture files (data/arch/) and the rules the model reads from them: every shipped
// file loads with a source for every fact, every profile names one, each rule reaches the
// operator list or the rates, and model/ holds no GPU's name or measured figure.
#include "model/architecture.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "model/calibration.h"
#include "model/hardware_profile.h"
#include "model/presets.h"
#include "model/roofline.h"
#include "tests/model/operator_lookup.h"

namespace vitperf {
namespace {

TEST(Architecture, EveryShippedFileLoadsWithItsConstantsAndSources) {
  const std::vector<std::string> names = ShippedArchitectureNames();
  for (const char* expected : {"sm70", "sm75", "sm80", "sm86", "sm89", "sm90", "cdna2", "cdna3"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  for (const std::string& name : names) {
    const Architecture a = LoadArchitecture(name);
    EXPECT_EQ(a.name, name);
    EXPECT_FALSE(a.sources.empty()) << name;
    for (int i = 0; i < kNumCoefficients; ++i) {
      const CoefficientInfo& info = CoefficientTable()[i];
      const double v = a.StartingCoefficients().v[i];
      EXPECT_TRUE(v >= info.lower && v <= info.upper) << name << " " << info.name;
    }
  }
}

TEST(Architecture, AFactWithoutItsSourceIsRefused) {
  nlohmann::json j =
      nlohmann::json::parse(std::ifstream(VITPERF_SOURCE_DIR "/data/arch/sm75.json"));
  j["sources"].erase("attention_backend");
  const std::string path = std::filesystem::temp_directory_path() / "vitperf-arch-nosource.json";
  std::ofstream(path) << j.dump();
  try {
    LoadArchitecture(path);
    FAIL() << "loaded without a source";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sources.attention_backend"), std::string::npos)
        << e.what();
  }
}

TEST(Architecture, EveryProfileNamesAnArchitecture) {
  int profiles = 0;
  for (const HardwareProfile& p : ShippedProfiles()) {
    ++profiles;
    EXPECT_FALSE(p.architecture_name.empty()) << p.name;
    EXPECT_EQ(p.architecture.name, p.architecture_name) << p.name;
  }
  EXPECT_GE(profiles, 15);  // the 12 of before, L4, MI250X and MI300X
}

TEST(Architecture, MatrixUnitsSetTheRate) {
  // Turing (sm75) has no bf16 tensor cores: bf16 products run at the fp32 rate; fp16 at the
  // tensor-core rate.
  const HardwareProfile t4 = LoadProfile("t4");
  ASSERT_EQ(t4.architecture.UnitFor(Precision::bf16), MatrixUnit::simt);
  const double clock = t4.ClockFactor();
  EXPECT_DOUBLE_EQ(RatesFor(t4, Precision::bf16).matrix_flops_per_s,
                   t4.MatrixTflops(Precision::fp32) * 1e12 * clock);
  EXPECT_DOUBLE_EQ(RatesFor(t4, Precision::fp16).matrix_flops_per_s,
                   t4.MatrixTflops(Precision::fp16) * 1e12 * clock);
}

TEST(Architecture, AttentionBackendComesFromTheArchitecture) {
  // sm90: bf16 runs flash (measured); sm75: PyTorch's flash kernel needs sm80, so bf16/fp16 run
  // the memory-efficient or math kernel, timed as a rate.
  EXPECT_TRUE(RatesFor(LoadProfile("h100"), Precision::bf16).flash_attention);
  EXPECT_FALSE(RatesFor(LoadProfile("h100"), Precision::fp32).flash_attention);
  EXPECT_FALSE(RatesFor(LoadProfile("t4"), Precision::fp16).flash_attention);
  EXPECT_TRUE(RatesFor(LoadProfile("a100"), Precision::bf16).flash_attention);
}

TEST(Architecture, ExponentialRateFollowsLanesAndSpecialFunctionUnits) {
  const HardwareProfile h100 = LoadProfile("h100");
  const Architecture& a = h100.architecture;
  EXPECT_DOUBLE_EQ(RatesFor(h100, Precision::bf16).exp_per_s,
                   h100.VectorTflops(Precision::fp32) * 1e12 * h100.ClockFactor() *
                       a.exp_per_clock_per_sm / (2.0 * a.fp32_lanes_per_sm));
}

TEST(Architecture, PatchConvRulesAreFirstMatchAndDefaultToSimt) {
  Architecture a;
  a.patch_conv = {
      {{Precision::bf16}, 384, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
       ConvPath::simt},
      {{}, std::nullopt, std::nullopt, 768, std::nullopt, 1e6, ConvPath::precomputed_simt},
      {{}, std::nullopt, std::nullopt, 768, std::nullopt, std::nullopt, ConvPath::tensor_core}};
  EXPECT_EQ(a.PatchConvPathFor(Precision::bf16, 512, 1024, 16, 1e5), ConvPath::simt);
  EXPECT_EQ(a.PatchConvPathFor(Precision::bf16, 224, 1024, 16, 1e5), ConvPath::tensor_core);
  EXPECT_EQ(a.PatchConvPathFor(Precision::bf16, 224, 1024, 16, 1e6), ConvPath::tensor_core)
      << "the input bound is exclusive";
  EXPECT_EQ(a.PatchConvPathFor(Precision::bf16, 224, 1024, 16, 2e6), ConvPath::precomputed_simt);
  EXPECT_EQ(a.PatchConvPathFor(Precision::fp32, 512, 1024, 16, 1e5), ConvPath::tensor_core);
  EXPECT_EQ(a.PatchConvPathFor(Precision::bf16, 224, 384, 16, 2e6), ConvPath::simt);
  // An architecture without measured rules (sm75) takes the SIMT kernel: no layout copies.
  ViTConfig b16 = PresetByName("vit_b16");
  b16.precision = Precision::fp16;
  const Architecture sm75 = LoadArchitecture("sm75");
  EXPECT_EQ(sm75.PatchConvPathFor(b16.precision, 224, b16.dim, b16.patch, 1e5), ConvPath::simt);
}

TEST(Architecture, MisalignedSimtWindowIsTheArchitecturesOwn) {
  const Architecture sm90 = LoadArchitecture("sm90");
  const double unit = sm90.misaligned_gemm->simt_above_output_elements;
  EXPECT_FALSE(sm90.MisalignedGemmRunsOnSimt(0.9 * unit));
  EXPECT_TRUE(sm90.MisalignedGemmRunsOnSimt(1.2 * unit));
  EXPECT_FALSE(sm90.MisalignedGemmRunsOnSimt(1.7 * unit));
  EXPECT_TRUE(sm90.MisalignedGemmRunsOnSimt(2.5 * unit));
  // No rule measured (sm80): never.
  EXPECT_FALSE(LoadArchitecture("sm80").MisalignedGemmRunsOnSimt(100 * unit));
}

TEST(Architecture, PublishedClocksAndCeilingsSetTheUncalibratedPriors) {
  HardwareProfile t4 = LoadProfile("t4");
  // A published sustained clock below boost slows every rate by its ratio to the clock the
  // priors were measured at.
  t4.boost_clock_mhz = 1590;
  t4.sustained_clock_mhz = 795;
  EXPECT_DOUBLE_EQ(t4.ClockFactor(), 0.5 / t4.architecture.priors_clock_ratio);
  // A published GEMM ceiling replaces the matmul efficiency prior.
  t4.achieved_matrix_tflops[static_cast<int>(Precision::fp16)] = 20;
  EXPECT_NEAR(t4.DatasheetCoefficients()[Coef::matmul_efficiency],
              20 / (t4.MatrixTflops(Precision::fp16) * t4.ClockFactor()), 1e-12);
  t4.achieved_memory_bandwidth_gbs = 240;
  EXPECT_NEAR(t4.DatasheetCoefficients()[Coef::memory_efficiency], 240 / t4.memory_bandwidth_gbs,
              1e-12);
}

TEST(Architecture, ModelHoldsNoGpuNameOrMeasuredFigure) {
  // GPU facts live in data/arch/ and data/hardware/, never in model/ (names, trace figures).
  const std::regex gpu(
      R"((^|[^a-z0-9])(h100|h200|a100|a10g|v100|t4|l4|l40s?|rtx ?[34]090|mi[23]00x?|mi250x?)([^a-z0-9]|$))",
      std::regex::icase);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(VITPERF_SOURCE_DIR "/model")) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cpp") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
      EXPECT_FALSE(std::regex_search(line, gpu))
          << entry.path().filename().string() << ":" << n << ": " << line;
  }
  EXPECT_GT(files, 20);
}

TEST(Calibration, ACalibrationNamesItsDatasheetAndRoundTrips) {
  const HardwareProfile h100 = LoadProfile("h100");
  ASSERT_TRUE(h100.calibrated);
  const nlohmann::json j = CalibrationJson(h100, "h100-sxm");
  EXPECT_EQ(j["coefficients"].size(), FittedCoefficients().size());
  EXPECT_LE(FittedCoefficients().size(), 20u);
  HardwareProfile back = LoadProfile(VITPERF_SOURCE_DIR "/data/hardware/h100-sxm.json");
  EXPECT_FALSE(back.calibrated);
  ApplyCalibration(j, "calibration", &back);
  for (Coef c : FittedCoefficients()) EXPECT_DOUBLE_EQ(back.coefficients[c], h100.coefficients[c]);
  // An architecture constant in a calibration is refused: it is not one GPU's to change.
  nlohmann::json bad = j;
  bad["coefficients"]["conv_step_ns"] = {
      {"value", 1}, {"error", 0}, {"prior", 1}, {"informed", true}};
  EXPECT_THROW(ApplyCalibration(bad, "calibration", &back), std::invalid_argument);
}

TEST(Calibration, ShippedFilesStayReadable) {
  // A person reads them: at most 150 lines each (the datasheet and the calibration).
  for (const char* dir : {"/data/hardware", "/data/calibration"})
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(VITPERF_SOURCE_DIR) + dir)) {
      std::ifstream in(entry.path());
      int lines = 0;
      for (std::string line; std::getline(in, line);) ++lines;
      EXPECT_LE(lines, 150) << entry.path();
    }
}

}  // namespace
}  // namespace vitperf
