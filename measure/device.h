// The device the probes run on ("cpu", "cuda", "cuda:N"), and what the probes need from it:
// synchronisation, timing events, side streams, allocator peak memory, out-of-memory
// classification and a description for provenance. This header stays free of LibTorch so the
// sweep runner and the command line compile without it; CUDA parts exist only in builds whose
// LibTorch has CUDA (VITPERF_HAVE_CUDA).
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "model/measurement_record.h"
#include "model/pipeline_options.h"

namespace vitperf::measure {

struct Device {
  bool cuda = false;
  int index = 0;                 // CUDA ordinal; 0 on the CPU
  std::string ToString() const;  // "cpu" or "cuda:N"
};

// True when this build's LibTorch has CUDA support.
bool BuildHasCuda();

// Parses "cpu", "cuda" (= cuda:0) or "cuda:N". Throws std::invalid_argument naming `device` and
// the accepted values for anything else, and when CUDA is asked for but the build has no CUDA
// or the ordinal is not present on this machine.
Device ParseDevice(const std::string& text);

// Waits until all work queued on the device is done (no-op on the CPU: its work is synchronous).
void Synchronize(const Device& d);

// A stream to queue work on. CUDA: a stream from LibTorch's pool (or the current one);
// CPU: work simply runs on the calling thread.
class DeviceStream {
 public:
  static DeviceStream Current(const Device& d);
  static DeviceStream FromPool(const Device& d);
  DeviceStream(DeviceStream&&) noexcept;
  DeviceStream& operator=(DeviceStream&&) noexcept;
  ~DeviceStream();

  // While the returned scope lives, LibTorch queues work of the calling thread on this stream.
  class Scope {
   public:
    Scope(Scope&&) noexcept;
    ~Scope();

   private:
    friend class DeviceStream;
    struct Impl;
    explicit Scope(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };
  Scope MakeCurrent() const;
  void Synchronize() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit DeviceStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A timing event. CUDA: a cudaEvent with timing; CPU: the steady_clock time at Record (work on
// the CPU is synchronous, so the time work was queued is the time it was done).
class DeviceEvent {
 public:
  explicit DeviceEvent(const Device& d);
  DeviceEvent(DeviceEvent&&) noexcept;
  DeviceEvent& operator=(DeviceEvent&&) noexcept;
  ~DeviceEvent();

  void Record();                         // on the current stream
  void Record(const DeviceStream& s);    // on stream s
  void MakeWait(const DeviceStream& s);  // stream s waits for this event (no-op on CPU)
  void Synchronize();                    // the host waits for this event
  // [ms] from `start` to this event; both recorded and complete (Synchronize this first).
  double ElapsedMsSince(const DeviceEvent& start) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Times the device work queued between Start and Stop on the current stream.
class DeviceTimer {
 public:
  explicit DeviceTimer(const Device& d) : start_(d), stop_(d) {}
  void Start() { start_.Record(); }
  double StopMs() {  // [ms]; waits for the work to finish
    stop_.Record();
    stop_.Synchronize();
    return stop_.ElapsedMsSince(start_);
  }

 private:
  DeviceEvent start_, stop_;
};

// Allows or forbids TF32 in cuBLAS matrix products and cuDNN convolutions for its lifetime,
// restoring the previous setting after (fp32 must really be fp32; tf32 must really be tf32).
class ScopedTf32 {
 public:
  explicit ScopedTf32(bool allow);
  ~ScopedTf32();
  ScopedTf32(const ScopedTf32&) = delete;
  ScopedTf32& operator=(const ScopedTf32&) = delete;

 private:
  bool previous_cublas_, previous_cudnn_;
};

// A CUDA graph: Capture runs `fn` a few times on a side stream (so lazy allocations and
// library handles exist), then records one call of it; Replay launches the recording on the
// current stream. Tensors `fn` touches must stay alive and in place while the graph is used.
// Throws std::invalid_argument on a CPU device (graphs need CUDA). Move-only.
class DeviceGraph {
 public:
  DeviceGraph();
  DeviceGraph(DeviceGraph&&) noexcept;
  DeviceGraph& operator=(DeviceGraph&&) noexcept;
  ~DeviceGraph();
  void Capture(const Device& d, const std::function<void()>& fn, int warmup_calls = 3);
  void Replay();
  bool captured() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Allocation hooks for host memory on a NUMA node (see ProbeContext); empty = the OS decides.
struct HostAllocator {
  std::function<void*(std::size_t bytes)> alloc;
  std::function<void(void* data, std::size_t bytes)> free;
};

// Host memory that crosses PCIe: pinned (page-locked; needs a CUDA device) or pageable, from
// `node` hooks when given (pinned then means registered with cudaHostRegister). Pages are touched
// at allocation so first-touch faults stay out of the timings. Throws std::bad_alloc when the
// memory cannot be had (classified as out of memory) and std::invalid_argument for pinned memory
// on a CPU device. Move-only.
class HostBuffer {
 public:
  HostBuffer(const Device& d, std::size_t bytes, HostMemory kind, const HostAllocator& node = {});
  HostBuffer(HostBuffer&& other) noexcept;
  HostBuffer& operator=(HostBuffer&& other) noexcept;
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;
  ~HostBuffer();

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  bool pinned() const { return pinned_; }

 private:
  void Release() noexcept;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  bool pinned_ = false;
  bool registered_ = false;  // pinned by cudaHostRegister on hook memory
  HostAllocator node_;
};

// Allocator statistics. On the CPU nothing is measured: PeakMemoryBytes returns nullopt and
// callers record 0 with "not measured".
void ResetPeakMemory(const Device& d);
std::optional<double> PeakMemoryBytes(const Device& d);        // [bytes] allocated peak since reset
std::optional<double> CurrentAllocatedBytes(const Device& d);  // [bytes] allocated now
void EmptyCache(const Device& d);                              // return cached blocks to the driver

// Out-of-memory classification of an exception thrown by LibTorch (device or host allocation).
bool IsOutOfMemoryMessage(const std::string& what);
bool IsOutOfMemory(const std::exception& e);

// Runs `fn` and classifies what it throws: returns ok, oom or error with the message. After an
// out-of-memory the allocator cache is emptied so the next point starts clean.
// std::invalid_argument is rethrown (a caller's mistake, not a measurement).
PointStatus RunClassified(const Device& d, const std::function<void()>& fn, std::string* message);

// Name, multiprocessors, memory, driver/runtime versions (CUDA) or CPU model and threads (CPU),
// LibTorch and CUDA versions.
nlohmann::json DeviceInfo(const Device& d);

}  // namespace vitperf::measure
