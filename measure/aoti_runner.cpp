#include "measure/aoti_runner.h"

#include <torch/version.h>

#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "measure/aoti_package.h"

// The package loader arrived in LibTorch 2.6 (2.5 had it under another calling convention).
#if (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 6)) && \
    __has_include(<torch/csrc/inductor/aoti_package/model_package_loader.h>)
#define VITPERF_HAVE_AOTI 1
#include <c10/core/DeviceGuard.h>
#include <torch/csrc/inductor/aoti_package/model_package_loader.h>
#else
#define VITPERF_HAVE_AOTI 0
#endif

namespace vitperf::measure {

bool AotiAvailable() { return VITPERF_HAVE_AOTI != 0; }

std::string AotiUnavailableMessage() {
  return "compiled execution needs LibTorch ≥ 2.6 with AOTInductor; this build has " +
         std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR);
}

#if VITPERF_HAVE_AOTI
namespace {
// Two model instances where the loader takes a count (LibTorch 2.8+): with one, run() waits for
// the previous run to finish on the device before it launches anything, a bubble eager execution
// does not have when an overlapped pipeline queues the next batch early. The instances share
// the weights.
template <typename Loader = torch::inductor::AOTIModelPackageLoader>
std::unique_ptr<Loader> MakeLoader(const std::string& path) {
  if constexpr (std::is_constructible_v<Loader, const std::string&, const std::string&, bool,
                                        std::size_t, c10::DeviceIndex>)
    return std::make_unique<Loader>(path, "model", false, std::size_t{2}, c10::DeviceIndex{-1});
  else
    return std::make_unique<Loader>(path, "model");
}
}  // namespace
#endif

struct AotiRunner::Impl {
#if VITPERF_HAVE_AOTI
  std::unique_ptr<torch::inductor::AOTIModelPackageLoader> loader;
#endif
};

AotiRunner::AotiRunner(const std::string& path, const torch::Device& device)
    : impl_(std::make_unique<Impl>()), path_(path), device_(device) {
#if VITPERF_HAVE_AOTI
  // The loader builds its runner for the current device of the package's device type.
  const c10::DeviceGuard guard(device_);
  try {
    impl_->loader = MakeLoader(path);
  } catch (const std::exception& e) {
    throw std::runtime_error("AOTInductor package " + path + ": cannot load (" + e.what() + ")");
  }
#else
  throw std::runtime_error(AotiUnavailableMessage());
#endif
}

AotiRunner::~AotiRunner() = default;

torch::Tensor AotiRunner::Run(const torch::Tensor& images) {
#if VITPERF_HAVE_AOTI
  const c10::DeviceGuard guard(device_);
  std::vector<torch::Tensor> inputs{images};
  std::vector<torch::Tensor> outputs = impl_->loader->run(inputs);
  if (outputs.size() != 1)
    throw std::runtime_error("AOTInductor package " + path_ + ": " +
                             std::to_string(outputs.size()) + " outputs, expected 1");
  return outputs[0];
#else
  (void)images;
  throw std::runtime_error(AotiUnavailableMessage());
#endif
}

namespace {
std::mutex cache_mutex;
std::shared_ptr<AotiRunner>& Cached() {
  // Never destroyed: device memory must not be freed after the CUDA context is gone at exit.
  static auto* cached = new std::shared_ptr<AotiRunner>();
  return *cached;
}
}  // namespace

std::shared_ptr<AotiRunner> CachedAotiRunner(const std::string& path, const torch::Device& device) {
  std::lock_guard<std::mutex> lock(cache_mutex);
  auto& cached = Cached();
  if (cached && cached->path() == path && cached->device() == device) return cached;
  cached.reset();  // free the previous package's weights before loading the next
  cached = std::make_shared<AotiRunner>(path, device);
  return cached;
}

void ReleaseCachedAotiRunner() {
  std::lock_guard<std::mutex> lock(cache_mutex);
  Cached().reset();
}

}  // namespace vitperf::measure
