#include "model/pipeline_options.h"

#include "model/strict_json.h"

namespace vitperf {

bool PipelineOptions::IsValid(std::string* why) const {
  auto fail = [&](const char* msg) {
    if (why) *why = msg;
    return false;
  };
  if (queue_depth < 1) return fail("queue_depth: must be at least 1");
  if (pipeline == PipelineMode::overlapped && queue_depth < 2)
    return fail("queue_depth: an overlapped pipeline needs at least 2 batches in flight");
  if (producer_threads < 1) return fail("producer_threads: must be at least 1");
  if (compile_mode != CompileMode::standard && execution != ExecutionMode::compiled)
    return fail("compile_mode: max-autotune applies to execution=compiled only");
  if (start == ImageStart::pinned &&
      (input != InputFormat::uint8 || host_memory != HostMemory::pinned))
    return fail(
        "start: pinned (images already in pinned memory) needs input=uint8 and "
        "host_memory=pinned; accepted otherwise: pageable");
  if (normalize_on == NormalizeOn::compute_stream && pipeline != PipelineMode::overlapped)
    return fail(
        "normalize_on: compute_stream applies to pipeline=overlapped only (a sequential "
        "pipeline runs every stage on one stream); accepted otherwise: input_stream");
  return true;
}

void to_json(nlohmann::json& j, const PipelineOptions& o) {
  j = nlohmann::json{{"execution", o.execution},
                     {"input", o.input},
                     {"host_memory", o.host_memory},
                     {"pipeline", o.pipeline},
                     {"queue_depth", o.queue_depth},
                     {"numa", o.numa},
                     {"producer_threads", o.producer_threads},
                     {"compute_only", o.compute_only}};
  if (o.execution == ExecutionMode::compiled) j["compile_mode"] = o.compile_mode;
  if (o.start != ImageStart::pageable) j["start"] = o.start;
  if (o.normalize_on != NormalizeOn::input_stream) j["normalize_on"] = o.normalize_on;
}

void from_json(const nlohmann::json& j, PipelineOptions& o) {
  StrictObject s(j, "options");
  s.Optional("execution", o.execution)
      .Optional("input", o.input)
      .Optional("host_memory", o.host_memory)
      .Optional("pipeline", o.pipeline)
      .Optional("queue_depth", o.queue_depth)
      .Optional("numa", o.numa)
      .Optional("producer_threads", o.producer_threads)
      .Optional("compute_only", o.compute_only)
      .Optional("compile_mode", o.compile_mode)
      .Optional("start", o.start)
      .Optional("normalize_on", o.normalize_on);
  s.RejectUnknownKeys();
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
}

}  // namespace vitperf
