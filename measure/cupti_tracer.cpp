// Compiled only when VITPERF_HAVE_CUPTI (see measure/CMakeLists.txt).
#include "measure/cupti_tracer.h"

#include <cupti.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace vitperf::measure {

namespace {

// Records the failing call with file:line; returns false on failure.
bool CuptiOk(CUptiResult status, const char* call, const char* file, int line,
             std::string* warning) {
  if (status == CUPTI_SUCCESS) return true;
  const char* text = nullptr;
  if (cuptiGetResultString(status, &text) != CUPTI_SUCCESS || !text) text = "unknown CUPTI error";
  if (warning)
    *warning = std::string("CUPTI: ") + call + " failed: " + text + " (" + file + ":" +
               std::to_string(line) + ")";
  return false;
}
#define VITPERF_CUPTI_OK(call, warning) CuptiOk((call), #call, __FILE__, __LINE__, (warning))

// CUPTI's record structs are versioned with the toolkit; take the one this header defines.
#if CUPTI_API_VERSION >= 130000
using KernelRecord = CUpti_ActivityKernel10;
using MemcpyRecord = CUpti_ActivityMemcpy6;
#else
using KernelRecord = CUpti_ActivityKernel9;
using MemcpyRecord = CUpti_ActivityMemcpy5;
#endif

struct Sum {
  double time_ns = 0;
  long long count = 0;
  double bytes = 0;
};

// CUPTI hands buffers back through C callbacks, so the totals are process-wide.
struct Collector {
  std::mutex mutex;
  std::map<std::string, Sum> kernels;  // by class
  std::map<std::string, Sum> by_name;  // by kernel name (mangled), for the top list
  std::map<std::string, Sum> memcpy;   // by direction
  std::size_t dropped = 0;
};
Collector& GlobalCollector() {
  static Collector c;
  return c;
}
std::atomic<bool> g_tracer_running{false};

constexpr std::size_t kBufferBytes = 8 << 20;
constexpr std::size_t kBufferAlign = 8;  // CUPTI requires 8-byte aligned buffers

void CUPTIAPI BufferRequested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(kBufferAlign, kBufferBytes));
  *size = *buffer ? kBufferBytes : 0;
  *max_records = 0;  // as many as fit
}

void CUPTIAPI BufferCompleted(CUcontext context, uint32_t stream_id, uint8_t* buffer,
                              size_t /*size*/, size_t valid_size) {
  Collector& c = GlobalCollector();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    CUpti_Activity* record = nullptr;
    while (cuptiActivityGetNextRecord(buffer, valid_size, &record) == CUPTI_SUCCESS) {
      if (record->kind == CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL ||
          record->kind == CUPTI_ACTIVITY_KIND_KERNEL) {
        const auto* k = reinterpret_cast<const KernelRecord*>(record);
        const char* name = k->name ? k->name : "";
        for (Sum* s : {&c.kernels[KernelClass(name)], &c.by_name[name]}) {
          s->time_ns += static_cast<double>(k->end - k->start);
          s->count += 1;
        }
      } else if (record->kind == CUPTI_ACTIVITY_KIND_MEMCPY) {
        const auto* m = reinterpret_cast<const MemcpyRecord*>(record);
        const char* dir = m->copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_HTOD   ? "h2d"
                          : m->copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_DTOH ? "d2h"
                          : m->copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_DTOD ? "d2d"
                                                                           : "other";
        Sum& s = c.memcpy[dir];
        s.time_ns += static_cast<double>(m->end - m->start);
        s.count += 1;
        s.bytes += static_cast<double>(m->bytes);
      }
    }
    size_t dropped = 0;
    if (cuptiActivityGetNumDroppedRecords(context, stream_id, &dropped) == CUPTI_SUCCESS)
      c.dropped += dropped;
  }
  std::free(buffer);
}

// Whether the buffer callbacks are registered with the CUPTI now attached; cuptiFinalize
// forgets them, so the next tracer registers again. Touched only by the one running tracer.
bool g_callbacks_registered = false;

bool RegisterCallbacks(std::string* warning) {
  if (g_callbacks_registered) return true;
  g_callbacks_registered =
      VITPERF_CUPTI_OK(cuptiActivityRegisterCallbacks(BufferRequested, BufferCompleted), warning);
  return g_callbacks_registered;
}

void DisableAll() {
  (void)cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  (void)cuptiActivityDisable(CUPTI_ACTIVITY_KIND_MEMCPY);
}

}  // namespace

std::unique_ptr<CuptiTracer> CuptiTracer::Start(std::string* warning) {
  if (g_tracer_running.exchange(true)) {
    if (warning) *warning = "CUPTI: another tracer is running";
    return nullptr;
  }
  if (!RegisterCallbacks(warning)) {
    g_tracer_running = false;
    return nullptr;
  }
  {
    // Drop anything collected outside a tracer (there should be nothing).
    Collector& c = GlobalCollector();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.kernels.clear();
    c.by_name.clear();
    c.memcpy.clear();
    c.dropped = 0;
  }
  if (!VITPERF_CUPTI_OK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL), warning) ||
      !VITPERF_CUPTI_OK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_MEMCPY), warning)) {
    DisableAll();
    g_tracer_running = false;
    return nullptr;
  }
  std::unique_ptr<CuptiTracer> t(new CuptiTracer());
  t->active_ = true;
  return t;
}

CuptiTracer::CuptiTracer(CuptiTracer&& other) noexcept
    : active_(std::exchange(other.active_, false)) {}

CuptiTracer& CuptiTracer::operator=(CuptiTracer&& other) noexcept {
  if (this != &other) {
    if (active_) Stop(nullptr);
    active_ = std::exchange(other.active_, false);
  }
  return *this;
}

CuptiTracer::~CuptiTracer() {
  if (active_) Stop(nullptr);
}

nlohmann::json CuptiTracer::Stop(std::string* warning, bool detach) {
  if (!active_) return nullptr;
  active_ = false;
  const bool flushed =
      VITPERF_CUPTI_OK(cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED), warning);
  DisableAll();
  // A second flush returns records of work that completed while disabling (none expected).
  (void)cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  // The device is synchronised (the caller's duty) and the buffers flushed, which is what
  // cuptiFinalize asks for when it is not called from an API exit callback. Safe with CUDA
  // graphs from CUDA 12.6 on (Kineto enables this teardown by default there).
  if (detach && cuptiFinalize() == CUPTI_SUCCESS) g_callbacks_registered = false;
  g_tracer_running = false;
  if (!flushed) return nullptr;

  Collector& c = GlobalCollector();
  std::lock_guard<std::mutex> lock(c.mutex);
  nlohmann::json out;
  out["source"] = "cupti";
  double total_ns = 0;
  long long total_count = 0;
  out["kernels"] = nlohmann::json::object();
  for (const auto& [cls, s] : c.kernels) {
    out["kernels"][cls] = {{"time_ms", s.time_ns * 1e-6}, {"count", s.count}};
    total_ns += s.time_ns;
    total_count += s.count;
  }
  // The few kernels that take the most time: where a slow class is spending it.
  std::vector<std::pair<std::string, Sum>> named(c.by_name.begin(), c.by_name.end());
  std::sort(named.begin(), named.end(),
            [](const auto& a, const auto& b) { return a.second.time_ns > b.second.time_ns; });
  out["top_kernels"] = nlohmann::json::array();
  constexpr std::size_t kTopKernels = 40, kNameChars = 160;
  for (std::size_t i = 0; i < named.size() && i < kTopKernels; ++i)
    out["top_kernels"].push_back({{"name", named[i].first.substr(0, kNameChars)},
                                  {"class", KernelClass(named[i].first.c_str())},
                                  {"time_ms", named[i].second.time_ns * 1e-6},
                                  {"count", named[i].second.count}});
  out["kernel_time_ms"] = total_ns * 1e-6;
  out["kernel_count"] = total_count;
  out["memcpy"] = nlohmann::json::object();
  for (const auto& [dir, s] : c.memcpy)
    out["memcpy"][dir] = {{"time_ms", s.time_ns * 1e-6}, {"count", s.count}, {"bytes", s.bytes}};
  out["dropped_records"] = c.dropped;
  c.kernels.clear();
  c.by_name.clear();
  c.memcpy.clear();
  c.dropped = 0;
  return out;
}

}  // namespace vitperf::measure
