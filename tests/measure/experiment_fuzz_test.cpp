// Property-based fuzzing of the experiment reader and its expansion (issue 25): mutated shipped
// experiments either parse and expand within the point cap, or throw std::invalid_argument.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "measure/experiment.h"
#include "tests/fuzz/mutator.h"

namespace vitperf::measure {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ReaderFuzz, Experiment) {
  std::vector<std::string> seeds;
  for (const char* name : {"quick_test", "ci_cpu", "calibration", "numa_study"})
    seeds.push_back(Slurp(std::string(VITPERF_SOURCE_DIR) + "/data/experiments/" + name + ".json"));
  constexpr std::size_t kCap = 5000;  // keeps an expanded case cheap
  const int n = fuzz::FuzzFor(seeds, 25, 20000, 12, [&](const std::string& text, int i) {
    try {
      const ExperimentSpec spec = ParseExperiment(text, "fuzz.json");
      for (const char* device : {"cpu", "cuda:0"}) {
        const auto points = ExpandExperiment(spec, device, kCap);
        EXPECT_LE(points.size(), kCap);
      }
    } catch (const std::invalid_argument&) {
    } catch (const std::exception& e) {
      // The whole input beside the tests, to reproduce with `vitperf measure --dry-run -e`.
      const std::string saved =
          std::string(VITPERF_TEST_TMP) + "/experiment_fuzz_case_" + std::to_string(i) + ".json";
      std::ofstream(saved, std::ios::binary) << text;
      ADD_FAILURE() << "case " << i << ": " << e.what() << " (input saved to " << saved << ")";
    }
  });
  EXPECT_GT(n, 100);
}

}  // namespace
}  // namespace vitperf::measure
