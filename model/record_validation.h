// The checks every measurement record passes before fit, validate, laws or report use it: an
// id naming one point, a batch in range, times and rates finite and physical, a known device.
// ReadMeasurements applies them and counts rejections by reason (model/record_rejections.h).
#pragma once

#include <string>

#include "model/measurement_record.h"

namespace vitperf {

// Physical ranges of what a record may report. Beyond them a number is damage, not a
// measurement: 1e-300 img/s or 1e308 ms would dominate a MAPE or a fit.
inline constexpr double kMaxThroughputIps = 1e9;
inline constexpr double kMinThroughputIps = 1e-6;
inline constexpr double kMaxTimeMs = 1e7;  // [ms] about 2.8 hours
inline constexpr double kMaxPeakMemoryBytes = 1e15;
inline constexpr double kMaxProbeValue = 1e9;  // TFLOP/s, GB/s or us
inline constexpr int kMaxRecordBatch = 1 << 24;

// Why a record cannot be used ("field: problem (accepted ...)"), or "" when it can.
std::string PipelineRecordProblem(const PipelineRecord& record);
std::string ProbeRecordProblem(const ProbeRecord& record);

}  // namespace vitperf
