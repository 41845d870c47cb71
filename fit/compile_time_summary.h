// Compile times of the AOTInductor packages behind a data set's compiled points, per compile
// mode (each package counted once; export plus compile): what `vitperf best` weighs a compiled pipeline's gain
// against. Stored in a calibration's fit summary as "compile_s".
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "model/measurement_record.h"

namespace vitperf {

// {"default": {"median_s", "min_s", "max_s", "packages", "compile_threads", "concurrent_jobs"},
//  "max-autotune": {...}}; an empty object when no record carries a package's compile time.
nlohmann::json CompileTimeSummary(const std::vector<PipelineRecord>& pipeline);

}  // namespace vitperf
