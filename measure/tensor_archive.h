// A named-tensor archive: raw little-endian tensor data in one file and a JSON index beside it
// (names, dtypes, shapes, byte offsets). It carries the ViT module's weights from C++ to
// scripts/aoti_compile.py, which reads it with the standard library and torch.frombuffer:
// LibTorch's own formats (torch::save, pickle_save) differ between 1.13 and 2.x and between C++
// and Python's torch.load, this one is the same everywhere.
//
// Index (schema "vitperf.tensor_archive", version 1):
//   {"schema": ..., "schema_version": 1, "byte_order": "little", "data": "<file name>",
//    "data_bytes": N, "tensors": [{"name": "blocks.0.attn.qkv.weight", "dtype": "float32",
//    "shape": [2304, 768], "offset": 0, "bytes": 7077888}, ...]}
// "data" is relative to the index's folder.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace vitperf::measure {

inline constexpr const char* kTensorArchiveSchema = "vitperf.tensor_archive";
inline constexpr int kTensorArchiveSchemaVersion = 1;

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Writes float32 and int64 tensors (copied to the CPU, contiguous) to `data_path` and the index
// to `index_path`, in the given order. Throws std::invalid_argument for another dtype or a
// repeated name, std::runtime_error naming the path when a write fails.
void WriteTensorArchive(const NamedTensors& tensors, const std::string& index_path,
                        const std::string& data_path);

// Reads an archive back (CPU tensors). Throws std::invalid_argument naming the index and the
// field for a malformed index or a data file of the wrong size.
NamedTensors ReadTensorArchive(const std::string& index_path);

// A module's parameters and buffers by their dotted names (timm's state_dict keys).
NamedTensors ModuleState(const torch::nn::Module& module);

}  // namespace vitperf::measure
