// What a workflow (a calibration, a validation) has to tell the user besides its result, kept
// as data for the caller to print. Filled as the workflow goes, so that one that throws still
// says what it skipped: the command line folds the warnings into its one error line.
#pragma once

#include <string>
#include <vector>

namespace vitperf {

struct RunMessages {
  // Changes the workflow made on its own (a host threshold adopted from the data), printed at
  // once on stderr.
  std::vector<std::string> notes;
  // What reading skipped, data of another device: printed after the output.
  std::vector<std::string> warnings;
};

}  // namespace vitperf
