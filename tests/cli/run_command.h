// Runs the vitperf binary for end-to-end tests: captures stdout, stderr and the exit status.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace vitperf::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `args` is appended to the binary's path as shell words (quote them yourself when needed).
inline CommandResult RunVitperf(const std::string& args, const std::string& tag = "cmd") {
  // Unique per process and call: ctest runs test processes in parallel in one folder.
  static int calls = 0;
  const std::string base = std::string(VITPERF_TEST_TMP) + "/" + tag + "-" +
                           std::to_string(getpid()) + "-" + std::to_string(++calls);
  const std::string command = std::string(VITPERF_BINARY) + " " + args + " >" + base +
                              ".out 2>" + base + ".err </dev/null";
  CommandResult r;
  const int status = std::system(command.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadWholeFile(base + ".out");
  r.err = ReadWholeFile(base + ".err");
  return r;
}

// Number of lines in `text` (the one-line-error rule).
inline int LineCount(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n + (!text.empty() && text.back() != '\n');
}

}  // namespace vitperf::testing
