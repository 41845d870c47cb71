#include "measure/device.h"

#include <torch/torch.h>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "measure/glibc_tunables.h"

#if VITPERF_HAVE_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace vitperf::measure {

namespace {
constexpr const char* kAccepted = "accepted: cpu, cuda, cuda:N";
}  // namespace

std::string Device::ToString() const { return cuda ? "cuda:" + std::to_string(index) : "cpu"; }

bool BuildHasCuda() {
#if VITPERF_HAVE_CUDA
  return true;
#else
  return false;
#endif
}

Device ParseDevice(const std::string& text) {
  Device d;
  if (text == "cpu") return d;
  if (text != "cuda" && text.rfind("cuda:", 0) != 0)
    throw std::invalid_argument("device: '" + text + "' is not a device (" + kAccepted + ")");
  d.cuda = true;
  if (text.size() > 5) {
    const std::string ordinal = text.substr(5);
    if (ordinal.empty() || ordinal.size() > 4 ||
        !std::all_of(ordinal.begin(), ordinal.end(),
                     [](unsigned char c) { return std::isdigit(c); }))
      throw std::invalid_argument("device: '" + text + "' has no valid CUDA ordinal (" + kAccepted +
                                  ")");
    d.index = std::stoi(ordinal);
  }
  if (!BuildHasCuda())
    throw std::invalid_argument("device: '" + text +
                                "' needs CUDA, but this build's LibTorch is CPU-only (use cpu)");
#if VITPERF_HAVE_CUDA
  const int count = static_cast<int>(torch::cuda::device_count());
  if (d.index >= count)
    throw std::invalid_argument("device: '" + text + "' is not present; this machine has " +
                                std::to_string(count) + " CUDA device(s)");
#endif
  return d;
}

void Synchronize(const Device& d) {
#if VITPERF_HAVE_CUDA
  if (d.cuda) {
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(d.index));
    C10_CUDA_CHECK(cudaDeviceSynchronize());
  }
#else
  (void)d;
#endif
}

// ---- streams ----

struct DeviceStream::Impl {
  Device device;
#if VITPERF_HAVE_CUDA
  std::optional<c10::cuda::CUDAStream> stream;  // set on CUDA devices
#endif
};

struct DeviceStream::Scope::Impl {
#if VITPERF_HAVE_CUDA
  std::optional<c10::cuda::CUDAStreamGuard> guard;
#endif
};

DeviceStream::DeviceStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DeviceStream::DeviceStream(DeviceStream&&) noexcept = default;
DeviceStream& DeviceStream::operator=(DeviceStream&&) noexcept = default;
DeviceStream::~DeviceStream() = default;
DeviceStream::Scope::Scope(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DeviceStream::Scope::Scope(Scope&&) noexcept = default;
DeviceStream::Scope::~Scope() = default;

DeviceStream DeviceStream::Current(const Device& d) {
  auto impl = std::make_unique<Impl>();
  impl->device = d;
#if VITPERF_HAVE_CUDA
  if (d.cuda)
    impl->stream = c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(d.index));
#endif
  return DeviceStream(std::move(impl));
}

DeviceStream DeviceStream::FromPool(const Device& d) {
  auto impl = std::make_unique<Impl>();
  impl->device = d;
#if VITPERF_HAVE_CUDA
  if (d.cuda)
    impl->stream = c10::cuda::getStreamFromPool(false, static_cast<c10::DeviceIndex>(d.index));
#endif
  return DeviceStream(std::move(impl));
}

DeviceStream::Scope DeviceStream::MakeCurrent() const {
  auto scope = std::make_unique<Scope::Impl>();
#if VITPERF_HAVE_CUDA
  if (impl_->stream) scope->guard.emplace(*impl_->stream);
#endif
  return Scope(std::move(scope));
}

void DeviceStream::Synchronize() const {
#if VITPERF_HAVE_CUDA
  if (impl_->stream) impl_->stream->synchronize();
#endif
}

// ---- events ----

struct DeviceEvent::Impl {
  Device device;
  std::chrono::steady_clock::time_point host_time;  // CPU: when recorded
  bool recorded = false;
#if VITPERF_HAVE_CUDA
  std::unique_ptr<at::cuda::CUDAEvent> event;  // CUDA: created with timing enabled
#endif
};

DeviceEvent::DeviceEvent(const Device& d) : impl_(std::make_unique<Impl>()) {
  impl_->device = d;
#if VITPERF_HAVE_CUDA
  // The default CUDAEvent disables timing; elapsed times need cudaEventDefault.
  if (d.cuda) impl_->event = std::make_unique<at::cuda::CUDAEvent>(cudaEventDefault);
#endif
}
DeviceEvent::DeviceEvent(DeviceEvent&&) noexcept = default;
DeviceEvent& DeviceEvent::operator=(DeviceEvent&&) noexcept = default;
DeviceEvent::~DeviceEvent() = default;

void DeviceEvent::Record() { Record(DeviceStream::Current(impl_->device)); }

void DeviceEvent::Record(const DeviceStream& s) {
  impl_->recorded = true;
#if VITPERF_HAVE_CUDA
  if (impl_->event) {
    impl_->event->record(*s.impl().stream);
    return;
  }
#else
  (void)s;
#endif
  impl_->host_time = std::chrono::steady_clock::now();
}

void DeviceEvent::MakeWait(const DeviceStream& s) {
#if VITPERF_HAVE_CUDA
  if (impl_->event) impl_->event->block(*s.impl().stream);
#else
  (void)s;
#endif
}

void DeviceEvent::Synchronize() {
#if VITPERF_HAVE_CUDA
  if (impl_->event) impl_->event->synchronize();
#endif
}

double DeviceEvent::ElapsedMsSince(const DeviceEvent& start) const {
  if (!impl_->recorded || !start.impl_->recorded)
    throw std::logic_error("DeviceEvent: both events must be recorded before timing");
#if VITPERF_HAVE_CUDA
  if (impl_->event) return start.impl_->event->elapsed_time(*impl_->event);
#endif
  return std::chrono::duration<double, std::milli>(impl_->host_time - start.impl_->host_time)
      .count();
}

// ---- host buffers ----

HostBuffer::HostBuffer(const Device& d, std::size_t bytes, HostMemory kind,
                       const HostAllocator& node)
    : bytes_(bytes), pinned_(kind == HostMemory::pinned), node_(node) {
  if (pinned_ && !d.cuda)
    throw std::invalid_argument("host_memory: pinned memory needs a CUDA device (" + d.ToString() +
                                " given)");
  if (static_cast<bool>(node_.alloc) != static_cast<bool>(node_.free))
    throw std::invalid_argument("host allocator: alloc and free hooks must be set together");
  const std::size_t alloc_bytes = std::max<std::size_t>(bytes, 1);
  if (node_.alloc) {
    data_ = node_.alloc(alloc_bytes);
    if (!data_) throw std::bad_alloc();
#if VITPERF_HAVE_CUDA
    if (pinned_) {
      if (cudaHostRegister(data_, alloc_bytes, cudaHostRegisterDefault) != cudaSuccess) {
        (void)cudaGetLastError();  // clear the error so it does not surface later
        node_.free(data_, alloc_bytes);
        data_ = nullptr;
        throw std::bad_alloc();
      }
      registered_ = true;
    }
#endif
  } else if (pinned_) {
#if VITPERF_HAVE_CUDA
    if (cudaHostAlloc(&data_, alloc_bytes, cudaHostAllocDefault) != cudaSuccess) {
      (void)cudaGetLastError();
      data_ = nullptr;
      throw std::bad_alloc();
    }
#endif
  } else {
    constexpr std::size_t kAlign = 4096;  // page aligned, like pinned memory
    data_ = std::aligned_alloc(kAlign, (alloc_bytes + kAlign - 1) / kAlign * kAlign);
    if (!data_) throw std::bad_alloc();
  }
  std::memset(data_, 1, alloc_bytes);  // first touch now, not inside a timed copy
}

HostBuffer::HostBuffer(HostBuffer&& other) noexcept { *this = std::move(other); }

HostBuffer& HostBuffer::operator=(HostBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = other.bytes_;
    pinned_ = other.pinned_;
    registered_ = other.registered_;
    node_ = std::move(other.node_);
  }
  return *this;
}

HostBuffer::~HostBuffer() { Release(); }

void HostBuffer::Release() noexcept {
  if (!data_) return;
  const std::size_t alloc_bytes = std::max<std::size_t>(bytes_, 1);
#if VITPERF_HAVE_CUDA
  if (registered_) (void)cudaHostUnregister(data_);
  if (pinned_ && !node_.alloc) {
    (void)cudaFreeHost(data_);
    data_ = nullptr;
    return;
  }
#endif
  if (node_.free)
    node_.free(data_, alloc_bytes);
  else
    std::free(data_);
  data_ = nullptr;
}

// ---- TF32 and graphs ----

ScopedTf32::ScopedTf32(bool allow)
    : previous_cublas_(at::globalContext().allowTF32CuBLAS()),
      previous_cudnn_(at::globalContext().allowTF32CuDNN()) {
  at::globalContext().setAllowTF32CuBLAS(allow);
  at::globalContext().setAllowTF32CuDNN(allow);
}

ScopedTf32::~ScopedTf32() {
  at::globalContext().setAllowTF32CuBLAS(previous_cublas_);
  at::globalContext().setAllowTF32CuDNN(previous_cudnn_);
}

struct DeviceGraph::Impl {
#if VITPERF_HAVE_CUDA
  std::unique_ptr<at::cuda::CUDAGraph> graph;
#endif
};

DeviceGraph::DeviceGraph() : impl_(std::make_unique<Impl>()) {}
DeviceGraph::DeviceGraph(DeviceGraph&&) noexcept = default;
DeviceGraph& DeviceGraph::operator=(DeviceGraph&&) noexcept = default;
DeviceGraph::~DeviceGraph() = default;

void DeviceGraph::Capture(const Device& d, const std::function<void()>& fn, int warmup_calls) {
  if (!d.cuda) throw std::invalid_argument("execution: CUDA graphs need a CUDA device");
#if VITPERF_HAVE_CUDA
  c10::cuda::CUDAGuard device_guard(static_cast<c10::DeviceIndex>(d.index));
  // Capture is illegal on the legacy default stream; the warm-up runs on the same side stream.
  auto side = c10::cuda::getStreamFromPool(false, static_cast<c10::DeviceIndex>(d.index));
  {
    // Work queued before (inputs being written) must be done before the side stream reads.
    at::cuda::CUDAEvent ready;
    ready.record(c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(d.index)));
    ready.block(side);
  }
  {
    c10::cuda::CUDAStreamGuard stream_guard(side);
    for (int i = 0; i < warmup_calls; ++i) fn();
    side.synchronize();
    // What torch.cuda.graph does before a capture: the caching allocator releases the free
    // blocks of destroyed graphs' private pools only in emptyCache, never while a capture is
    // underway, so without it each point's pool stayed reserved and a sweep of ~100 graph
    // points ran out of memory with 80 GiB in private pools (2026-12-04 and -05, H200).
    C10_CUDA_CHECK(cudaDeviceSynchronize());
    EmptyCache(d);
    impl_->graph = std::make_unique<at::cuda::CUDAGraph>();
    impl_->graph->capture_begin();
    try {
      fn();
    } catch (...) {
      // End the capture so the stream is usable again; the graph is discarded.
      try {
        impl_->graph->capture_end();
      } catch (...) {
      }
      impl_->graph.reset();
      throw;
    }
    impl_->graph->capture_end();
  }
  C10_CUDA_CHECK(cudaDeviceSynchronize());
#else
  (void)fn;
  (void)warmup_calls;
#endif
}

void DeviceGraph::Replay() {
#if VITPERF_HAVE_CUDA
  if (impl_->graph) {
    impl_->graph->replay();
    return;
  }
#endif
  throw std::logic_error("DeviceGraph: Replay before Capture");
}

bool DeviceGraph::captured() const {
#if VITPERF_HAVE_CUDA
  return impl_->graph != nullptr;
#else
  return false;
#endif
}

// ---- allocator ----

void ResetPeakMemory(const Device& d) {
#if VITPERF_HAVE_CUDA
  if (!d.cuda) return;
  const auto index = static_cast<c10::DeviceIndex>(d.index);
  // The caching allocator refuses stats calls ("Invalid device argument: did you call init?")
  // until the process has allocated on the device once; a pipeline point can come first.
  (void)torch::empty({1}, torch::TensorOptions().device(torch::kCUDA, index));
#if TORCH_VERSION_MAJOR >= 2
  // cuBLAS keeps a workspace per (handle, stream) for the life of the process, ~33 MiB each on
  // the H100: every overlapped point's new streams left theirs allocated, and each later point's
  // peak counted them (vit_b16 b64 in the campaign: 586, 619, 680, 713 MiB as the same
  // sequential point came after more overlapped ones). Freed here, a point's peak counts the
  // workspaces it allocates itself and no others.
  at::cuda::clearCublasWorkspaces();
  c10::cuda::CUDACachingAllocator::get()->resetPeakStats(index);
#else
  c10::cuda::CUDACachingAllocator::resetPeakStats(index);
#endif
#else
  (void)d;
#endif
}

namespace {
struct AllocatedBytes {
  double current = 0, peak = 0;  // [bytes]
};

std::optional<AllocatedBytes> AllocatorAllocated(const Device& d) {
#if VITPERF_HAVE_CUDA
  if (!d.cuda) return std::nullopt;
  const auto index = static_cast<c10::DeviceIndex>(d.index);
#if TORCH_VERSION_MAJOR >= 2
  const auto stats = c10::cuda::CUDACachingAllocator::get()->getDeviceStats(index);
#else
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(index);
#endif
  // Index 0 is StatType::AGGREGATE (small + large pools); the enum's namespace moved in 2.x.
  return AllocatedBytes{static_cast<double>(stats.allocated_bytes[0].current),
                        static_cast<double>(stats.allocated_bytes[0].peak)};
#else
  (void)d;
  return std::nullopt;
#endif
}
}  // namespace

std::optional<double> PeakMemoryBytes(const Device& d) {
  const auto a = AllocatorAllocated(d);
  return a ? std::optional<double>(a->peak) : std::nullopt;
}

std::optional<double> CurrentAllocatedBytes(const Device& d) {
  const auto a = AllocatorAllocated(d);
  return a ? std::optional<double>(a->current) : std::nullopt;
}

void EmptyCache(const Device& d) {
#if VITPERF_HAVE_CUDA
  if (d.cuda) c10::cuda::CUDACachingAllocator::emptyCache();
#else
  (void)d;
#endif
}

// ---- out of memory ----

bool IsOutOfMemoryMessage(const std::string& what) {
  std::string lower(what);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // CUDA caching allocator: "CUDA out of memory"; cuBLAS/cuDNN: "CUBLAS_STATUS_ALLOC_FAILED",
  // "CUDNN_STATUS_ALLOC_FAILED"; CPU allocator: "can't allocate memory".
  for (const char* needle : {"out of memory", "can't allocate memory", "status_alloc_failed",
                             "cuda_error_out_of_memory"})
    if (lower.find(needle) != std::string::npos) return true;
  return false;
}

bool IsOutOfMemory(const std::exception& e) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e) != nullptr) return true;
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) return true;
  return IsOutOfMemoryMessage(e.what());
}

namespace {
// c10::Error's what() carries a C++ backtrace; a record keeps the first lines of the message.
std::string ShortMessage(const std::exception& e) {
  const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
  std::string msg = c10_error ? c10_error->what_without_backtrace() : e.what();
  constexpr size_t kMaxChars = 600;
  if (msg.size() > kMaxChars) msg = msg.substr(0, kMaxChars) + "...";
  return msg;
}
}  // namespace

PointStatus RunClassified(const Device& d, const std::function<void()>& fn, std::string* message) {
  try {
    fn();
    return PointStatus::ok;
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    if (message) *message = ShortMessage(e);
    if (IsOutOfMemory(e)) {
      // Free what the failed attempt cached so the next point is not starved.
      try {
        Synchronize(d);
      } catch (const std::exception&) {  // a sticky error would surface on the next point
      }
      EmptyCache(d);
      return PointStatus::oom;
    }
    return PointStatus::error;
  }
}

// ---- description ----

namespace {
std::string CpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        return value;
      }
    }
  }
  return "unknown";
}
}  // namespace

nlohmann::json DeviceInfo(const Device& d) {
  nlohmann::json j;
  j["device"] = d.ToString();
  j["libtorch_version"] = TORCH_VERSION;
  j["cpu_model"] = CpuModelName();
  j["host_threads"] = std::thread::hardware_concurrency();
  j["torch_intraop_threads"] = torch::get_num_threads();
  // The host facts that set how fast the uint8 staging copy runs (model/host_staging.h).
  const long l3_bytes = sysconf(_SC_LEVEL3_CACHE_SIZE);
  j["host_l3_bytes"] = l3_bytes > 0 ? nlohmann::json(l3_bytes) : nlohmann::json(nullptr);
  const auto nontemporal = GlibcNontemporalThresholdBytes();
  j["host_memcpy_nontemporal_bytes"] =
      nontemporal ? nlohmann::json(*nontemporal) : nlohmann::json(nullptr);
#if VITPERF_HAVE_CUDA
  int driver = 0, runtime = 0;
  C10_CUDA_CHECK(cudaDriverGetVersion(&driver));
  C10_CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  // 13000 -> "13.0"
  auto version = [](int v) {
    return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
  };
  j["cuda_driver_api_version"] = version(driver);
  j["cuda_runtime_version"] = version(runtime);
  if (d.cuda) {
    const cudaDeviceProp* p = at::cuda::getDeviceProperties(static_cast<c10::DeviceIndex>(d.index));
    char bus_id[32] = {0};
    C10_CUDA_CHECK(cudaDeviceGetPCIBusId(bus_id, sizeof(bus_id), d.index));
    j["name"] = p->name;
    j["sm_count"] = p->multiProcessorCount;
    j["compute_capability"] = std::to_string(p->major) + "." + std::to_string(p->minor);
    j["memory_bytes"] = static_cast<double>(p->totalGlobalMem);
    j["l2_bytes"] = p->l2CacheSize;
    j["pci_bus_id"] = bus_id;
    return j;
  }
#else
  j["cuda_runtime_version"] = nullptr;  // CPU-only LibTorch
#endif
  j["name"] = j["cpu_model"];
  j["sm_count"] = nullptr;
  j["memory_bytes"] = nullptr;
  return j;
}

}  // namespace vitperf::measure
