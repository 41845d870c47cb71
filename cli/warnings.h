// Warnings a command collects while it reads its input (records skipped, data of another
// device), printed once it is done: each on its own line after a success, or folded into the
// one error line when the command fails, so that a refusal stays one line and still says why
// (e.g. "no usable points" because every line was garbage).
#pragma once

#include <string>
#include <vector>

#include "predict/run_messages.h"

namespace vitperf::cli {

void Warn(const std::string& text);
// The warnings collected so far, emptied.
std::vector<std::string> TakeWarnings();

// A library workflow's messages: the notes on stderr now, the warnings collected by Warn.
void Report(const RunMessages& messages);

// Runs `workflow(RunMessages*)` and reports its messages, also when it throws.
template <class Workflow>
auto WithMessages(Workflow workflow) -> decltype(workflow(static_cast<RunMessages*>(nullptr))) {
  RunMessages messages;
  try {
    auto result = workflow(&messages);
    Report(messages);
    return result;
  } catch (...) {
    Report(messages);
    throw;
  }
}

}  // namespace vitperf::cli
