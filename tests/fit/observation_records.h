// The pipeline record the per-observation tests start from: a usable compute-only vit_ti16
// point; each test then sets the one field its observation reads.
#pragma once

#include <string>

#include "model/measurement_record.h"
#include "model/presets.h"

namespace vitperf::testing {

inline PipelineRecord ComputeOnlyPoint(const std::string& id, int batch, double throughput_ips) {
  PipelineRecord r;
  r.id = id;
  r.device = "cpu";
  r.config = PresetByName("vit_ti16");
  r.batch = batch;
  r.options.compute_only = true;
  r.throughput_ips = throughput_ips;
  return r;
}

}  // namespace vitperf::testing
