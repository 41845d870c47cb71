// The command outputs pasted in README.md are what the program prints (scripts/update_readme.py
// refreshes them). Checked for the commands whose output depends only on the shipped data.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "tests/cli/run_command.h"

namespace vitperf::testing {
namespace {

struct PastedOutput {
  std::string args;
  std::string text;
  int head_lines = -1;  // `| head N`: the block is the output's first N lines
};

// The first `n` lines of `text` (all of it when n < 0).
std::string FirstLines(const std::string& text, int n) {
  if (n < 0) return text;
  std::size_t end = 0;
  for (int i = 0; i < n && end != std::string::npos; ++i) {
    end = text.find('\n', end);
    if (end != std::string::npos) ++end;
  }
  return end == std::string::npos ? text : text.substr(0, end);
}

std::vector<PastedOutput> PastedOutputs() {
  std::istringstream readme(ReadWholeFile(std::string(VITPERF_SOURCE_DIR) + "/README.md"));
  const std::regex marker("^<!-- output: (.*?)(?: \\| head ([0-9]+))? -->$");
  std::vector<PastedOutput> out;
  std::string line;
  std::smatch m;
  while (std::getline(readme, line)) {
    if (!std::regex_match(line, m, marker)) continue;
    PastedOutput p{m[1], "", m[2].matched ? std::stoi(m[2]) : -1};
    std::getline(readme, line);  // opening fence
    while (std::getline(readme, line) && line.rfind("```", 0) != 0) p.text += line + "\n";
    out.push_back(p);
  }
  return out;
}

TEST(Readme, DeterministicOutputsMatchTheProgram) {
  const auto pasted = PastedOutputs();
  ASSERT_FALSE(pasted.empty());
  bool saw_quick_start = false;
  for (const auto& p : pasted) {
    const std::string command = p.args.substr(0, p.args.find(' '));
    if (command != "predict" && command != "models" && command != "gpus" && command != "best" &&
        command != "regimes" && command != "laws")
      continue;
    saw_quick_start |= p.args == "predict --model vit_b16 --gpu h100";
    const CommandResult r = RunVitperf(p.args, "readme");
    ASSERT_EQ(r.exit_code, 0) << p.args << "\n" << r.err;
    EXPECT_EQ(FirstLines(r.out, p.head_lines), p.text) << "README block for `vitperf " << p.args
                             << "` is stale: run scripts/update_readme.py";
  }
  EXPECT_TRUE(saw_quick_start) << "the quick-start prediction is not in the README";
}

}  // namespace
}  // namespace vitperf::testing
