// The shipped datasheet profiles in data/hardware/: every file loads, validates, and names and
// aliases resolve unambiguously.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/hardware_profile.h"
#include "model/precision.h"

namespace vitperf {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> ProfileFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(VITPERF_SOURCE_DIR) / "data" / "hardware"))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(HardwareProfilesShipped, EveryFileLoadsAndIsValid) {
  const auto files = ProfileFiles();
  ASSERT_GE(files.size(), 12u) << "expected the shipped datasheet profiles";
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    HardwareProfile p;
    ASSERT_NO_THROW(p = LoadProfileFile(file.string()));
    std::string why;
    EXPECT_TRUE(p.IsValid(&why)) << why;
    EXPECT_EQ(p.name, file.stem().string()) << "name must equal the file stem";
    EXPECT_FALSE(p.display_name.empty());
    EXPECT_FALSE(p.sources.empty()) << "every profile cites at least one source";
    for (const auto& s : p.sources) EXPECT_FALSE(s.empty());
    if (p.calibrated) {
      // A calibrated profile says how it was fitted and keeps its datasheet base beside it.
      EXPECT_FALSE(p.fit.is_null()) << "a calibrated profile records its fit";
      const auto base = file.parent_path() / "datasheet" / file.filename();
      ASSERT_TRUE(std::filesystem::exists(base)) << base;
      EXPECT_FALSE(LoadProfileFile(base.string()).calibrated);
    } else {
      EXPECT_TRUE(p.fit.is_null()) << "an uncalibrated profile has no fit block";
    }
    if (p.price_per_hour_usd) {
      EXPECT_FALSE(p.price_source.empty()) << "a price needs its source";
    }
  }
}

TEST(HardwareProfilesShipped, NamesAndAliasesAreUnique) {
  std::map<std::string, std::string> owner;  // name or alias -> profile that claims it
  for (const auto& file : ProfileFiles()) {
    const HardwareProfile p = LoadProfileFile(file.string());
    std::vector<std::string> keys{p.name};
    keys.insert(keys.end(), p.aliases.begin(), p.aliases.end());
    std::set<std::string> own;
    for (const auto& key : keys) {
      EXPECT_FALSE(key.empty()) << p.name << ": empty alias";
      EXPECT_TRUE(own.insert(key).second) << p.name << ": '" << key << "' listed twice";
      auto [it, inserted] = owner.emplace(key, p.name);
      EXPECT_TRUE(inserted || it->second == p.name)
          << "'" << key << "' is claimed by both " << it->second << " and " << p.name;
    }
  }
}

TEST(HardwareProfilesShipped, RatesAreConsistent) {
  for (const auto& file : ProfileFiles()) {
    const HardwareProfile p = LoadProfileFile(file.string());
    SCOPED_TRACE(p.name);
    const double fp32 = p.MatrixTflops(Precision::fp32);
    if (p.kind == "gpu") {
      EXPECT_GE(p.MatrixTflops(Precision::fp16), fp32);
      EXPECT_GE(p.MatrixTflops(Precision::tf32), fp32);
      EXPECT_GE(p.MatrixTflops(Precision::bf16), fp32);
    } else {
      for (Precision q : {Precision::fp32, Precision::tf32, Precision::fp16, Precision::bf16})
        EXPECT_DOUBLE_EQ(p.MatrixTflops(q), p.VectorTflops(q)) << "a CPU has matrix = vector rates";
      EXPECT_EQ(p.copy_engines, 1);
    }
    // Non-tensor fp32 work gets no faster from storing it as tf32.
    EXPECT_DOUBLE_EQ(p.VectorTflops(Precision::tf32), p.VectorTflops(Precision::fp32));
    EXPECT_LE(p.VectorTflops(Precision::fp32), fp32);
  }
}

TEST(HardwareProfilesShipped, ShippedProfilesListsEveryFile) {
  const auto files = ProfileFiles();
  const auto profiles = ShippedProfiles();
  ASSERT_EQ(profiles.size(), files.size());
  for (std::size_t i = 1; i < profiles.size(); ++i)
    EXPECT_LT(profiles[i - 1].name, profiles[i].name);
}

TEST(HardwareProfilesShipped, LoadProfileResolvesNamesAndAliases) {
  EXPECT_EQ(LoadProfile("h100").name, "h100-sxm");
  EXPECT_EQ(LoadProfile("h100-sxm").name, "h100-sxm");
  EXPECT_EQ(LoadProfile("a100").name, "a100-80gb");
  EXPECT_EQ(LoadProfile("cpu").name, "cpu-generic");
  for (const auto& file : ProfileFiles()) {
    const HardwareProfile p = LoadProfileFile(file.string());
    EXPECT_EQ(LoadProfile(p.name).name, p.name);
    for (const auto& alias : p.aliases) EXPECT_EQ(LoadProfile(alias).name, p.name) << alias;
  }
  EXPECT_THROW(LoadProfile("no-such-gpu"), std::invalid_argument);
}

}  // namespace
}  // namespace vitperf
