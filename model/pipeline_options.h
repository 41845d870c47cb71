// How an inference pipeline around the ViT is run: execution mode, input format, host memory,
// stage overlap and NUMA binding. Shared by the analytical model, the probes and the fit.
#pragma once

#include <nlohmann/json.hpp>

#include "model/enum_names.h"

namespace vitperf {

// eager: one host dispatch per kernel; graph: a captured CUDA graph replayed with one launch;
// compiled: fused elementwise kernels (torch.compile-like) replayed as a graph.
enum class ExecutionMode { eager, graph, compiled };
// uint8: raw pixels cross PCIe and are normalised on the device; float32: the host normalises.
enum class InputFormat { uint8, float32 };
enum class HostMemory { pinned, pageable };
// sequential: one batch at a time through all stages; overlapped: stages on separate streams
// with a ring of queue_depth host buffers.
enum class PipelineMode { sequential, overlapped };
// Where host threads and buffers live relative to the GPU's NUMA node.
enum class NumaBinding { none, local, remote };
// How a compiled model was built (execution=compiled only): AOTInductor with its default
// settings, or with max_autotune (GEMM and kernel configurations benchmarked at compile time).
enum class CompileMode { standard, max_autotune };
// Where a batch's decoded uint8 images start: in pageable host memory, as a data loader hands
// them over (producers stage them into the pinned ring: the host staging copy), or already in the
// ring's pinned buffers (a loader that decodes into pinned memory: no staging copy).
enum class ImageStart { pageable, pinned };
// Which stream of an overlapped pipeline normalises (uint8) or casts (float32) a batch on the
// device: the input stream, after the copy, beside the previous batch's forward pass; or the
// compute stream, just before the forward pass (captured in its graph under execution=graph), as
// a Python loop that folds the normalisation into its model does.
enum class NormalizeOn { input_stream, compute_stream };

template <>
struct EnumNames<ExecutionMode> {
  static constexpr const char* kField = "execution";
  static constexpr std::array<std::pair<ExecutionMode, const char*>, 3> kNames{{
      {ExecutionMode::eager, "eager"},
      {ExecutionMode::graph, "graph"},
      {ExecutionMode::compiled, "compiled"},
  }};
};
template <>
struct EnumNames<InputFormat> {
  static constexpr const char* kField = "input";
  static constexpr std::array<std::pair<InputFormat, const char*>, 2> kNames{{
      {InputFormat::uint8, "uint8"},
      {InputFormat::float32, "float32"},
  }};
};
template <>
struct EnumNames<HostMemory> {
  static constexpr const char* kField = "host_memory";
  static constexpr std::array<std::pair<HostMemory, const char*>, 2> kNames{{
      {HostMemory::pinned, "pinned"},
      {HostMemory::pageable, "pageable"},
  }};
};
template <>
struct EnumNames<PipelineMode> {
  static constexpr const char* kField = "pipeline";
  static constexpr std::array<std::pair<PipelineMode, const char*>, 2> kNames{{
      {PipelineMode::sequential, "sequential"},
      {PipelineMode::overlapped, "overlapped"},
  }};
};
template <>
struct EnumNames<NumaBinding> {
  static constexpr const char* kField = "numa";
  static constexpr std::array<std::pair<NumaBinding, const char*>, 3> kNames{{
      {NumaBinding::none, "none"},
      {NumaBinding::local, "local"},
      {NumaBinding::remote, "remote"},
  }};
};

template <>
struct EnumNames<CompileMode> {
  static constexpr const char* kField = "compile_mode";
  static constexpr std::array<std::pair<CompileMode, const char*>, 2> kNames{{
      {CompileMode::standard, "default"},
      {CompileMode::max_autotune, "max-autotune"},
  }};
};

template <>
struct EnumNames<ImageStart> {
  static constexpr const char* kField = "start";
  static constexpr std::array<std::pair<ImageStart, const char*>, 2> kNames{{
      {ImageStart::pageable, "pageable"},
      {ImageStart::pinned, "pinned"},
  }};
};

template <>
struct EnumNames<NormalizeOn> {
  static constexpr const char* kField = "normalize_on";
  static constexpr std::array<std::pair<NormalizeOn, const char*>, 2> kNames{{
      {NormalizeOn::input_stream, "input_stream"},
      {NormalizeOn::compute_stream, "compute_stream"},
  }};
};

VITPERF_ENUM_JSON(ExecutionMode)
VITPERF_ENUM_JSON(InputFormat)
VITPERF_ENUM_JSON(HostMemory)
VITPERF_ENUM_JSON(PipelineMode)
VITPERF_ENUM_JSON(NumaBinding)
VITPERF_ENUM_JSON(CompileMode)
VITPERF_ENUM_JSON(ImageStart)
VITPERF_ENUM_JSON(NormalizeOn)

struct PipelineOptions {
  ExecutionMode execution = ExecutionMode::eager;
  InputFormat input = InputFormat::uint8;
  HostMemory host_memory = HostMemory::pinned;
  PipelineMode pipeline = PipelineMode::sequential;
  int queue_depth = 1;  // batches in flight; 1 for sequential
  NumaBinding numa = NumaBinding::none;
  int producer_threads = 1;  // host threads preparing batches
  // Forward pass only, on device-resident float input (what framework benchmarks report).
  bool compute_only = false;
  // Meaningful with execution=compiled only; JSON carries it only there, so the records and
  // point ids of eager and graph points stay as they were.
  CompileMode compile_mode = CompileMode::standard;
  // pinned: input=uint8 in pinned host memory only. JSON carries it only when pinned, so the
  // records and point ids of every other point stay as they were.
  ImageStart start = ImageStart::pageable;
  // Overlapped pipelines only. JSON carries it only for compute_stream, so the records and point
  // ids of every earlier point stay as they were. The model prices both alike, in the compute
  // stage: measured, the input stream's normalisation beside a forward pass slowed that pass by
  // about its own time (docs/rq5.md).
  NormalizeOn normalize_on = NormalizeOn::input_stream;
  // In memory only (never in JSON): who queues an overlapped pipeline's device stages. true: a
  // thread per stage (measure/batch_ring.h), so a blocking pageable copy holds up only its own
  // stage; false: one thread queued H2D, forward pass and D2H, as records measured before
  // kStageThreadsSince (model/measurement_record.h) did.
  bool stage_threads = true;
  // In memory only (never in JSON): how the device normalised uint8 input. true: in the model's
  // input dtype (cast, then multiply-add in place); false: to(float32), addcmul, to(dtype), as
  // records measured before kNormalizeInModelDtypeSince (model/measurement_record.h) did.
  bool normalize_in_model_dtype = true;

  bool IsValid(std::string* why) const;
};

void to_json(nlohmann::json& j, const PipelineOptions& o);
void from_json(const nlohmann::json& j, PipelineOptions& o);

}  // namespace vitperf
