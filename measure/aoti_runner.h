// A loaded AOTInductor package (measure/aoti_package.h): the compiled ViT forward pass as one
// call, through LibTorch's torch::inductor::AOTIModelPackageLoader. Builds on every LibTorch;
// before 2.6 (no loader) constructing one throws with AotiUnavailableMessage().
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>

namespace vitperf::measure {

class AotiRunner {
 public:
  // Loads the package at `path` for `device` (its kernels, and its weights onto the device).
  // Throws std::runtime_error naming the path.
  AotiRunner(const std::string& path, const torch::Device& device);
  ~AotiRunner();
  AotiRunner(const AotiRunner&) = delete;
  AotiRunner& operator=(const AotiRunner&) = delete;

  // images [B, C, H, W] in the model's dtype on the device -> the model's one output. Runs on
  // the current stream, as an eager forward pass would.
  torch::Tensor Run(const torch::Tensor& images);
  const std::string& path() const { return path_; }
  const torch::Device& device() const { return device_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  torch::Device device_;
};

// The runner of the last package loaded, reused while consecutive compiled points run the same
// package (loading a ViT-L package takes seconds and its weights stay on the device). Loading
// another package frees the previous one first.
std::shared_ptr<AotiRunner> CachedAotiRunner(const std::string& path, const torch::Device& device);
// Frees the cached runner (its weights are device memory the allocator does not count, so a
// later eager point would run with less free memory than it reports).
void ReleaseCachedAotiRunner();

}  // namespace vitperf::measure
