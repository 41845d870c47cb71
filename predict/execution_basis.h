// What a prediction's execution mode rests on: a compiled prediction needs the compiled-code
// terms (host cost per library call and per generated kernel, the template GEMM rate) fitted to
// this GPU's compiled measurements; without them it runs on priors, and says so.
#pragma once

#include <optional>
#include <string>

#include "model/hardware_profile.h"
#include "model/pipeline_options.h"

namespace vitperf {

// A one-line caveat when the profile has not fitted the terms `options`' execution mode
// depends on; nullopt when it has (or the mode needs none).
std::optional<std::string> ExecutionModeCaveat(const HardwareProfile& profile,
                                               const PipelineOptions& options);

}  // namespace vitperf
