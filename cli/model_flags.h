// Flags shared by every command that takes a model, a pipeline and a GPU: --model/--config,
// architecture overrides, precision, pipeline variant, --gpu. Parsed into model structs.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "model/hardware_profile.h"
#include "predict/model_request.h"

namespace vitperf::cli {

// The flags are the library's request fields (predict/model_request.h), filled by CLI11.
using ModelFlags = ModelRequest;
using PipelineFlags = PipelineRequest;

struct GpuFlags {
  std::string gpu = "h100";
};

void AddModelFlags(CLI::App* command, ModelFlags* flags);
void AddPipelineFlags(CLI::App* command, PipelineFlags* flags);
void AddGpuFlags(CLI::App* command, GpuFlags* flags);

// Throws std::invalid_argument naming the flag and the accepted values.
HardwareProfile ResolveGpu(const GpuFlags& flags);

}  // namespace vitperf::cli
