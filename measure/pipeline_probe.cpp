#include "measure/pipeline_probe.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iomanip>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "measure/aoti_package.h"
#include "measure/aoti_runner.h"
#include "measure/autocast_scope.h"
#include "measure/batch_ring.h"
#include "measure/cupti_tracer.h"
#include "measure/device.h"
#include "measure/micro_probes.h"
#include "measure/timing.h"
#include "measure/vit_module.h"

namespace vitperf::measure {

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void CheckFinite(const torch::Tensor& t, const char* what) {
  if (!torch::isfinite(t).all().item<bool>())
    throw std::runtime_error(std::string(what) + ": output is not finite");
}

double Median(const std::vector<double>& v) { return Summarise(v, "").median_ms; }

std::string ShapeText(c10::IntArrayRef sizes) {
  std::string out = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out + "]";
}

// What a compiled point's record says about its package: the sidecar (compile mode, export and
// compile times [s], the torch and triton versions that built it, dynamic or static batch)
// without the config the record already holds, and the package's path.
nlohmann::json CompiledProvenance(const AotiPackage& package) {
  nlohmann::json out = package.sidecar;
  for (const char* key : {"config", "schema", "schema_version"}) out.erase(key);
  out["package_path"] = package.path;
  return out;
}

// The last `n` entries: stage samples are pushed on warm-up calls too, the stats count only
// the timed ones, which come last.
std::vector<double> Tail(const std::vector<double>& v, int n) {
  const auto keep = std::min<std::size_t>(v.size(), static_cast<std::size_t>(std::max(n, 0)));
  return std::vector<double>(v.end() - static_cast<std::ptrdiff_t>(keep), v.end());
}

// Host preprocessing of images [i0, i1) of a batch from the "decoded" uint8 source:
// uint8 input copies the pixels into the staging buffer; float32 input normalises them there
// ((x/255 - mean)/std per channel, as x*scale + shift), the work a CPU data loader does.
struct Preprocessor {
  const std::uint8_t* source = nullptr;  // [B, C, H, W]
  int channels = 3;
  std::int64_t plane = 0;  // H * W pixels
  InputFormat format = InputFormat::uint8;
  std::vector<float> scale, shift;  // per channel

  void Run(void* dst, std::int64_t i0, std::int64_t i1) const {
    const std::int64_t image = channels * plane;
    if (format == InputFormat::uint8) {
      std::memcpy(static_cast<std::uint8_t*>(dst) + i0 * image, source + i0 * image,
                  static_cast<std::size_t>((i1 - i0) * image));
      return;
    }
    float* out = static_cast<float*>(dst);
    for (std::int64_t i = i0; i < i1; ++i)
      for (int c = 0; c < channels; ++c) {
        const std::int64_t offset = i * image + c * plane;
        const float a = scale[c], b = shift[c];
        const std::uint8_t* in = source + offset;
        float* o = out + offset;
        for (std::int64_t p = 0; p < plane; ++p) o[p] = static_cast<float>(in[p]) * a + b;
      }
  }
};

// Persistent producer threads for sequential preprocessing: each calls `bind` once, then runs
// its share of every job. Run blocks until all shares are done and rethrows the first failure.
class WorkerPool {
 public:
  WorkerPool(int threads, const std::function<void()>& bind) {
    for (int w = 0; w < threads; ++w)
      threads_.emplace_back([this, w, threads, bind] { Loop(w, threads, bind); });
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Run(const std::function<void(int worker, int workers)>& job) {
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = &job;
    pending_ = static_cast<int>(threads_.size());
    ++generation_;
    wake_.notify_all();
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void Loop(int worker, int workers, const std::function<void()>& bind) {
    std::exception_ptr bind_error;
    try {
      if (bind) bind();
    } catch (...) {
      bind_error = std::current_exception();  // reported with the first job
    }
    long seen = 0;
    while (true) {
      const std::function<void(int, int)>* job = nullptr;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
        job = job_;
      }
      std::exception_ptr error = bind_error;
      if (!error) {
        try {
          (*job)(worker, workers);
        } catch (...) {
          error = std::current_exception();
        }
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (error && !error_) error_ = error;
      if (--pending_ == 0) done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int, int)>* job_ = nullptr;
  long generation_ = 0;
  int pending_ = 0;
  bool quit_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> threads_;
};

torch::Device TorchDevice(const Device& d) {
  return d.cuda ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d.index))
                : torch::Device(torch::kCPU);
}

// Everything a point's runners share: the model on the device, shapes, the source pixels.
// `compiled`: the AOTInductor package that runs the forward pass (execution=compiled), or null.
// The eager model is built either way: a compiled point checks its output against it.
// config.autocast: the model stays fp32 and takes fp32 images (timm's --amp); each eager
// forward pass runs inside an AutocastScope on the thread that issues it.
struct Point {
  Point(const ViTConfig& c, int b, const PipelineOptions& o, const ProbeContext& x, Device dev,
        std::shared_ptr<AotiRunner> compiled_runner)
      : config(c), batch(b), options(o), ctx(x), d(dev), compiled(std::move(compiled_runner)) {
    tdev = TorchDevice(d);
    dtype = ModelDtype(c);
    // No pinned memory without CUDA (see the header); the record says so.
    host_memory = d.cuda ? o.host_memory : HostMemory::pageable;
    staging = o.start == ImageStart::pageable;
    node = HostAllocator{x.host_alloc, x.host_free};
    in_shape = {b, c.channels, c.image_height, c.image_width};
    in_dtype = o.input == InputFormat::uint8 ? torch::kUInt8 : torch::kFloat;
    in_bytes = static_cast<std::size_t>(b) * static_cast<std::size_t>(c.PixelsPerImage()) *
               (o.input == InputFormat::uint8 ? 1 : 4);
    switch (c.output) {
      case OutputKind::logits:
        out_shape = {b, c.classes};
        break;
      case OutputKind::pooled:
        out_shape = {b, c.dim};
        break;
      case OutputKind::tokens:
        out_shape = {b, c.Tokens(), c.dim};
        break;
    }

    model = VitModule(c, x.seed);
    model->to(tdev, dtype);
    model->eval();
    out_dtype = OutputDtype();
    std::int64_t out_elements = 1;
    for (auto s : out_shape) out_elements *= s;
    out_bytes = static_cast<std::size_t>(out_elements) * torch::elementSize(out_dtype);

    // "Decoded" images: random pixels 0..255 (never all zeros), pageable host memory.
    torch::manual_seed(x.seed + 1);
    source = torch::randint(0, 256, in_shape, torch::TensorOptions().dtype(torch::kUInt8));
    pre.source = source.data_ptr<std::uint8_t>();
    pre.channels = c.channels;
    pre.plane = static_cast<std::int64_t>(c.image_height) * c.image_width;
    pre.format = o.input;
    for (int ch = 0; ch < c.channels; ++ch) {
      const ChannelNorm n = ChannelNormalisation(c.channels, ch);
      pre.scale.push_back(1.0f / (255.0f * n.std));
      pre.shift.push_back(-n.mean / n.std);
    }
  }

  // The forward pass on images in the model's dtype: the compiled package or the eager module.
  torch::Tensor Model(const torch::Tensor& images) const {
    return compiled ? compiled->Run(images) : Eager(images);
  }
  // The eager module, under autocast when the config asks for it: one scope per forward pass,
  // so each pass casts the weights anew, as timm's benchmark does. In a CUDA graph capture the
  // casts are captured kernels like any other.
  torch::Tensor Eager(const torch::Tensor& images) const {
    if (!config.autocast) return model->forward(images);
    AutocastScope scope(config.precision, d.cuda);
    return model->forward(images);
  }
  // What the forward pass hands back: the model's dtype, except under autocast, where a
  // LayerNorm (fp32) or a matrix product (the precision's) may come last - one image tells.
  torch::ScalarType OutputDtype() const {
    if (!config.autocast) return dtype;
    c10::InferenceMode inference;
    std::vector<std::int64_t> one = in_shape;
    one[0] = 1;
    return Eager(torch::zeros(one, torch::TensorOptions().dtype(dtype).device(tdev))).scalar_type();
  }

  // The device part of an iteration: normalise (uint8) or cast (float32), then forward. The
  // package takes images in the model's dtype, so a compiled point normalises eagerly (a cast
  // and one multiply-add) as a graph point captures it.
  torch::Tensor Forward(const torch::Tensor& dev_in) const { return Model(ModelInput(dev_in)); }
  torch::Tensor ModelInput(const torch::Tensor& dev_in) const {
    if (options.input == InputFormat::uint8) return NormalizeImages(dev_in, dtype);
    return dev_in.to(dtype);
  }

  // A valid device input (what H2D would deliver), for graph capture warm-up.
  // A fresh tensor (never an alias of `source`, which .to() would return on the CPU).
  torch::Tensor ExampleDeviceInput() const {
    torch::Tensor t = torch::empty(in_shape, torch::TensorOptions().dtype(in_dtype).device(tdev));
    t.copy_(options.input == InputFormat::uint8 ? source : NormalizeImages(source, torch::kFloat));
    return t;
  }

  torch::Tensor WrapHost(const HostBuffer& buf, const std::vector<std::int64_t>& shape,
                         torch::ScalarType t) const {
    return torch::from_blob(buf.data(), shape, torch::TensorOptions().dtype(t));
  }

  bool graph() const { return options.execution == ExecutionMode::graph; }
  bool normalize_on_compute() const { return options.normalize_on == NormalizeOn::compute_stream; }

  ViTConfig config;
  int batch;
  PipelineOptions options;
  const ProbeContext& ctx;
  Device d;
  torch::Device tdev{torch::kCPU};
  torch::ScalarType dtype;      // the model's weights and input images (ModelDtype)
  torch::ScalarType out_dtype;  // its output
  HostMemory host_memory;
  // Producers stage each batch from `source` into the host buffers; false: the images start in
  // those (pinned) buffers, written once before timing (options.start=pinned).
  bool staging = true;
  HostAllocator node;
  std::vector<std::int64_t> in_shape, out_shape;
  torch::ScalarType in_dtype;
  std::size_t in_bytes = 0, out_bytes = 0;
  mutable VitModule model{nullptr};  // forward() is non-const in LibTorch
  std::shared_ptr<AotiRunner> compiled;
  torch::Tensor source;
  Preprocessor pre;
};

// Forward only, on a device-resident random input in the model's dtype (eager or graph).
class ComputeRunner {
 public:
  explicit ComputeRunner(const Point& p) : p_(p) {
    input_ = torch::randn(p.in_shape, torch::TensorOptions().dtype(p.dtype).device(p.tdev));
    if (p.graph()) graph_.Capture(p.d, [this] { output_ = p_.Model(input_); });
  }
  void Iteration() {
    if (graph_.captured())
      graph_.Replay();
    else
      output_ = p_.Model(input_);
  }
  const torch::Tensor& output() const { return output_; }

 private:
  const Point& p_;
  torch::Tensor input_, output_;
  DeviceGraph graph_;
};

// One batch through all stages on the current stream, each stage timed with events.
class SequentialRunner {
 public:
  explicit SequentialRunner(const Point& p)
      : p_(p),
        host_in_(p.d, p.in_bytes, p.host_memory, p.node),
        host_out_(p.d, p.out_bytes, p.host_memory, p.node),
        pool_(p.options.producer_threads, p.ctx.bind_thread),
        e0_(p.d),
        e1_(p.d),
        e2_(p.d),
        e3_(p.d) {
    host_in_t_ = p.WrapHost(host_in_, p.in_shape, p.in_dtype);
    host_out_t_ = p.WrapHost(host_out_, p.out_shape, p.out_dtype);
    dev_in_ = p.ExampleDeviceInput();
    async_ = host_in_.pinned();
    if (!p.staging) p.pre.Run(host_in_.data(), 0, p.batch);  // the images start here
    if (p.graph()) graph_.Capture(p.d, [this] { output_ = p_.Forward(dev_in_); });
  }

  // [ms] end to end; stage times appended to the vectors.
  double Iteration() {
    const auto t0 = Clock::now();
    if (p_.staging)
      pool_.Run([this](int w, int n) {
        const std::int64_t b = p_.batch;
        p_.pre.Run(host_in_.data(), b * w / n, b * (w + 1) / n);
      });
    preprocess_.push_back(MsSince(t0));
    e0_.Record();
    dev_in_.copy_(host_in_t_, async_);
    e1_.Record();
    if (graph_.captured())
      graph_.Replay();
    else
      output_ = p_.Forward(dev_in_);
    e2_.Record();
    host_out_t_.copy_(output_, async_);
    e3_.Record();
    e3_.Synchronize();
    const double total = MsSince(t0);
    h2d_.push_back(e1_.ElapsedMsSince(e0_));
    compute_.push_back(e2_.ElapsedMsSince(e1_));
    d2h_.push_back(e3_.ElapsedMsSince(e2_));
    return total;
  }

  void Measure(PipelineRecord* r) {
    Synchronize(p_.d);
    r->latency = RepeatUntilStable([this] { return Iteration(); }, p_.ctx.Timing());
    const int n = r->latency.repeats;
    r->preprocess_ms = Median(Tail(preprocess_, n));
    r->h2d_ms = Median(Tail(h2d_, n));
    r->compute_ms = Median(Tail(compute_, n));
    r->d2h_ms = Median(Tail(d2h_, n));
    r->throughput_ips = p_.batch / (r->latency.median_ms * 1e-3);
    CheckFinite(host_out_t_, "pipeline");
  }

 private:
  const Point& p_;
  HostBuffer host_in_, host_out_;
  WorkerPool pool_;
  DeviceEvent e0_, e1_, e2_, e3_;
  torch::Tensor host_in_t_, host_out_t_, dev_in_, output_;
  bool async_ = false;
  DeviceGraph graph_;
  std::vector<double> preprocess_, h2d_, compute_, d2h_;
};

// Overlapped pipeline over a BatchRing (measure/batch_ring.h): producer threads fill a ring of
// queue_depth host buffers (pinned unless host_memory=pageable), each batch's staging copy split
// between them; an H2D thread, a compute thread and a D2H thread each queue their stage of batch j
// on a stream of their own, that stream first waiting on the previous stage's event; the calling
// thread waits for each batch's D2H, records its latency and frees its slot. One issuing thread
// per stage keeps a blocking copy (pageable memory) or the eager dispatch of one stage from
// holding up the others. Nothing is allocated per batch on the host; a slot's device buffers are
// made once (eager activations come from the caching allocator's cache).
// The input stage also normalises (uint8) or casts (float32) the batch on the device, on the H2D
// stream after the copy: the device-side preprocessing overlaps the previous batch's forward
// pass, and the compute stage runs the very work of the compute-only timing (the model on an
// input in its dtype), so end-to-end / compute-only measures the pipeline alone. stage_ms.h2d is
// the copy alone; the normalisation is in no stage time (the sequential pipeline counts it in
// compute, as before). With normalize_on=compute_stream the compute stage normalises instead,
// just before the forward pass, and its stage time includes it.
class OverlappedRunner {
 public:
  explicit OverlappedRunner(const Point& p)
      : p_(p),
        ring_(p.options.queue_depth, p.batch, p.options.producer_threads),
        h2d_stream_(DeviceStream::FromPool(p.d)),
        compute_stream_(DeviceStream::FromPool(p.d)),
        d2h_stream_(DeviceStream::FromPool(p.d)),
        origin_(p.d) {
    for (int s = 0; s < ring_.slots(); ++s) {
      auto slot = std::make_unique<Slot>(p);
      // Images that start in pinned memory are in the ring before the pipeline starts.
      if (!p.staging) p.pre.Run(slot->host_in.data(), 0, p.batch);
      if (p.graph())
        slot->dev_out =
            torch::empty(p.out_shape, torch::TensorOptions().dtype(p.out_dtype).device(p.tdev));
      slots_.push_back(std::move(slot));
    }
    async_ = slots_[0]->host_in.pinned();
    if (p.graph()) {
      // One graph with static buffers; each slot's input is copied in and the output out on the
      // compute stream (device copies of tens of MB), so slots do not each need a graph and its
      // activations. The graph is the model alone on normalised input, or, with
      // normalize_on=compute_stream, the normalisation and the model on the copied batch.
      if (p.normalize_on_compute()) {
        static_in_ = p.ExampleDeviceInput();
        graph_.Capture(p.d, [this] { static_out_ = p_.Forward(static_in_); });
      } else {
        static_in_ = p.ModelInput(p.ExampleDeviceInput()).clone();
        graph_.Capture(p.d, [this] { static_out_ = p_.Model(static_in_); });
      }
    }
  }

  void Measure(PipelineRecord* r) {
    Synchronize(p_.d);
    warm_batches_ = std::max(p_.ctx.warmup, 1) + ring_.slots();  // fill the ring, then warm up
    std::vector<std::thread> threads;
    for (int t = 0; t < p_.options.producer_threads; ++t)
      threads.emplace_back([this] { Guarded([this] { Produce(); }); });
    threads.emplace_back([this] { Guarded([this] { IssueH2d(); }); });
    threads.emplace_back([this] { Guarded([this] { IssueCompute(); }); });
    threads.emplace_back([this] { Guarded([this] { IssueD2h(); }); });
    Guarded([this] { Complete(); });
    ring_.Stop();
    for (auto& t : threads) t.join();
    // Buffers must outlive queued copies: drain the device before anyone returns.
    Guarded([this] { Synchronize(p_.d); });
    if (error_) std::rethrow_exception(error_);

    const int n = static_cast<int>(latency_.size());
    if (n == 0) throw std::runtime_error("overlapped pipeline: no batch completed");
    r->latency = Summarise(latency_, stop_reason_);
    r->preprocess_ms = Median(preprocess_);
    r->h2d_ms = Median(h2d_);
    r->compute_ms = Median(compute_);
    r->d2h_ms = Median(d2h_);
    if (!compute_idle_.empty()) r->compute_idle_ms = Median(compute_idle_);
    const double span_s = std::chrono::duration<double>(last_done_ - first_done_).count();
    r->throughput_ips = span_s > 0 ? n * p_.batch / span_s : 0;
    r->window_ips = WindowThroughputs();
    r->stage_spread = Spread();
  }

 private:
  using Stage = BatchRing::Stage;
  struct Slot {
    explicit Slot(const Point& p)
        : host_in(p.d, p.in_bytes, p.host_memory, p.node),
          host_out(p.d, p.out_bytes, p.host_memory, p.node),
          h0(p.d),
          h1(p.d),
          c0(p.d),
          c1(p.d),
          d0(p.d),
          d1(p.d),
          n1(p.d) {
      host_in_t = p.WrapHost(host_in, p.in_shape, p.in_dtype);
      host_out_t = p.WrapHost(host_out, p.out_shape, p.out_dtype);
      dev_in = torch::empty(p.in_shape, torch::TensorOptions().dtype(p.in_dtype).device(p.tdev));
    }
    HostBuffer host_in, host_out;
    DeviceEvent h0, h1, c0, c1, d0, d1;  // start/end of H2D, compute, D2H
    DeviceEvent n1;                      // the input normalised (after h1, on the H2D stream)
    // x: the batch in the model's dtype (made on the H2D stream, read on the compute stream);
    // out: its device output (made on the compute stream, read on the D2H stream). Both are
    // held until the batch's D2H is complete, so that the caching allocator, which saw them
    // allocated on one stream, cannot hand them out while another still reads them.
    torch::Tensor host_in_t, host_out_t, dev_in, dev_out, x, out;
  };
  Slot& SlotFor(long long batch) { return *slots_[static_cast<std::size_t>(ring_.SlotOf(batch))]; }

  // Runs fn; any exception stops the pipeline and is rethrown by Measure.
  void Guarded(const std::function<void()>& fn) {
    try {
      fn();
    } catch (...) {
      {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      ring_.Stop();
    }
  }

  // A producer: claims chunks of the oldest unfilled batch and stages its images (no copy when
  // they start in pinned memory: the claim alone hands the batch over, as a loader would).
  void Produce() {
    if (p_.ctx.bind_thread) p_.ctx.bind_thread();
    while (const auto claim = ring_.ClaimChunk()) {
      if (p_.staging)
        p_.pre.Run(SlotFor(claim->batch).host_in.data(), claim->first_image, claim->end_image);
      ring_.FinishChunk(*claim);
    }
  }

  void IssueH2d() {
    c10::InferenceMode inference;
    auto scope = h2d_stream_.MakeCurrent();
    for (long long j = 0; ring_.WaitFor(j, Stage::filled); ++j) {
      Slot& s = SlotFor(j);
      s.h0.Record(h2d_stream_);
      s.dev_in.copy_(s.host_in_t, async_);
      s.h1.Record(h2d_stream_);
      s.x = p_.normalize_on_compute() ? s.dev_in : p_.ModelInput(s.dev_in);
      s.n1.Record(h2d_stream_);
      ring_.Advance(j, Stage::h2d);
    }
  }

  void IssueCompute() {
    c10::InferenceMode inference;
    auto scope = compute_stream_.MakeCurrent();
    origin_.Record(compute_stream_);  // the zero of the compute stream's timeline
    for (long long j = 0; ring_.WaitFor(j, Stage::h2d); ++j) {
      Slot& s = SlotFor(j);
      s.n1.MakeWait(compute_stream_);
      s.c0.Record(compute_stream_);
      if (graph_.captured()) {
        static_in_.copy_(s.x);
        graph_.Replay();
        s.dev_out.copy_(static_out_);
        s.out = s.dev_out;
      } else {
        s.out = p_.normalize_on_compute() ? p_.Forward(s.x) : p_.Model(s.x);
      }
      s.c1.Record(compute_stream_);
      ring_.Advance(j, Stage::compute);
    }
  }

  void IssueD2h() {
    c10::InferenceMode inference;
    auto scope = d2h_stream_.MakeCurrent();
    for (long long j = 0; ring_.WaitFor(j, Stage::compute); ++j) {
      Slot& s = SlotFor(j);
      s.c1.MakeWait(d2h_stream_);
      s.d0.Record(d2h_stream_);
      s.host_out_t.copy_(s.out, async_);
      s.d1.Record(d2h_stream_);
      ring_.Advance(j, Stage::d2h);
    }
  }

  StageSpread Spread() const {
    auto mean = [](const std::vector<double>& v) {
      return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
    };
    auto max = [](const std::vector<double>& v) {
      return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
    };
    StageSpread s;
    s.preprocess_mean_ms = mean(preprocess_);
    s.h2d_mean_ms = mean(h2d_);
    s.compute_mean_ms = mean(compute_);
    s.d2h_mean_ms = mean(d2h_);
    s.compute_idle_mean_ms = mean(compute_idle_);
    s.compute_max_ms = max(compute_);
    s.compute_idle_max_ms = max(compute_idle_);
    return s;
  }

  // [images/s] of three consecutive windows of the timed batches (one window below three
  // batches), each from the completion before its first batch to its last batch's.
  std::vector<double> WindowThroughputs() const {
    const std::size_t n = done_.size(), windows = n >= 3 ? 3 : (n > 0 ? 1 : 0);
    std::vector<double> ips;
    Clock::time_point begin = first_done_;
    for (std::size_t w = 0; w < windows; ++w) {
      const std::size_t first = n * w / windows, end = n * (w + 1) / windows;
      const double s = std::chrono::duration<double>(done_[end - 1] - begin).count();
      if (s > 0) ips.push_back(static_cast<double>(end - first) * p_.batch / s);
      begin = done_[end - 1];
    }
    return ips;
  }

  // Waits for each batch's D2H in order; times it; stops when the latencies are stable.
  void Complete() {
    c10::InferenceMode inference;
    const TimingOptions timing = p_.ctx.Timing();
    const auto min_measured =
        std::max<std::size_t>(static_cast<std::size_t>(timing.min_repeats), 2 * slots_.size());
    std::size_t next_check = min_measured;
    for (long long j = 0; ring_.WaitFor(j, Stage::d2h); ++j) {
      Slot& s = SlotFor(j);
      s.d1.Synchronize();
      const auto done = Clock::now();
      bool finished = false;
      if (j == warm_batches_ - 1) first_done_ = done;
      // The compute stream's timeline: where this forward pass began, the previous one ended.
      const double compute_start_ms = s.c0.ElapsedMsSince(origin_);
      const double previous_end_ms = last_compute_end_ms_;
      last_compute_end_ms_ = s.c1.ElapsedMsSince(origin_);
      if (j >= warm_batches_) {
        done_.push_back(done);
        compute_idle_.push_back(std::max(0.0, compute_start_ms - previous_end_ms));
        if (latency_.empty()) CheckFinite(s.host_out_t, "pipeline");
        latency_.push_back(
            std::chrono::duration<double, std::milli>(done - ring_.FillStart(j)).count());
        preprocess_.push_back(ring_.FillMs(j));
        h2d_.push_back(s.h1.ElapsedMsSince(s.h0));
        compute_.push_back(s.c1.ElapsedMsSince(s.c0));
        d2h_.push_back(s.d1.ElapsedMsSince(s.d0));
        last_done_ = done;
        const double measured_s = std::chrono::duration<double>(done - first_done_).count();
        if (latency_.size() >= next_check && measured_s >= timing.min_time_s) {
          next_check = latency_.size() + std::max<std::size_t>(1, latency_.size() / 32);
          if (Summarise(latency_, "").RelativeSpread() < timing.target_spread) {
            stop_reason_ = "spread";
            finished = true;
          }
        }
        if (!finished && measured_s >= timing.time_cap_s) {
          stop_reason_ = "time_cap";
          finished = true;
        }
      }
      s.x = torch::Tensor();
      s.out = torch::Tensor();
      ring_.Release(j);
      if (finished) return;
    }
  }

  const Point& p_;
  BatchRing ring_;
  DeviceStream h2d_stream_, compute_stream_, d2h_stream_;
  DeviceEvent origin_;  // recorded on the compute stream before the first batch
  std::vector<std::unique_ptr<Slot>> slots_;
  bool async_ = false;  // pinned host buffers: copies do not block the issuing thread
  DeviceGraph graph_;
  torch::Tensor static_in_, static_out_;

  std::mutex error_mutex_;
  std::exception_ptr error_;

  // Written by the completion (calling) thread only.
  long long warm_batches_ = 1;
  std::vector<double> latency_, preprocess_, h2d_, compute_, d2h_, compute_idle_;
  std::vector<Clock::time_point> done_;  // completion of each timed batch
  double last_compute_end_ms_ = 0;       // [ms] since origin_: the latest forward pass's end
  Clock::time_point first_done_, last_done_;
  std::string stop_reason_;
};

// CUPTI breakdown of one untimed iteration; null (and a note) when unavailable.
template <typename Iteration>
void AttachBreakdown(const Point& p, PipelineRecord* r, std::vector<std::string>* notes,
                     Iteration&& iteration) {
#if VITPERF_HAVE_CUPTI
  if (p.ctx.cupti == CuptiBreakdown::off || !p.d.cuda) return;
  Synchronize(p.d);
  std::string warning;
  auto tracer = CuptiTracer::Start(&warning);
  if (tracer) {
    iteration();
    Synchronize(p.d);
    r->breakdown = tracer->Stop(&warning, p.ctx.cupti == CuptiBreakdown::detach);
  }
  if (!warning.empty()) notes->push_back("CUPTI breakdown unavailable: " + warning);
#else
  (void)p;
  (void)r;
  (void)notes;
  (void)iteration;
#endif
}

// The compiled package against the eager module on one random input (same weights, same
// input): the largest absolute difference, and that over the eager output's largest magnitude.
// Recorded before the check so that a failing point still says by how much.
void CheckAgreement(const Point& p, nlohmann::json* record) {
  c10::InferenceMode inference;
  ScopedTf32 tf32(p.config.precision == Precision::tf32);
  // A generator of its own: the global ones stay where eager points leave them, so the timed
  // inputs that follow are the same values as an eager point's.
  auto generator = at::detail::createCPUGenerator(p.ctx.seed + 2);
  const auto x = torch::randn(p.in_shape, generator, torch::TensorOptions().dtype(torch::kFloat))
                     .to(p.tdev, p.dtype);
  const auto eager = p.Eager(x).to(torch::kFloat);
  const auto compiled = p.compiled->Run(x).to(torch::kFloat);
  if (compiled.sizes() != eager.sizes())
    throw std::runtime_error("compiled output has shape " + ShapeText(compiled.sizes()) +
                             ", eager " + ShapeText(eager.sizes()));
  CheckFinite(compiled, "compiled forward");
  const double max_abs = (compiled - eager).abs().max().item<double>();
  const double scale = eager.abs().max().item<double>();
  const double max_rel = scale > 0 ? max_abs / scale : max_abs;
  const double tolerance = AgreementTolerance(p.config.precision);
  (*record)["agreement"] = {{"max_abs_diff", max_abs},
                            {"max_rel_diff", max_rel},
                            {"eager_max_abs", scale},
                            {"tolerance", tolerance}};
  if (!(max_rel <= tolerance))
    throw std::runtime_error("compiled output differs from eager by " + std::to_string(max_rel) +
                             " of its largest magnitude, over the " + std::to_string(tolerance) +
                             " tolerance of " + ToString(p.config.precision));
}

void Measure(const Point& p, PipelineRecord* r, std::vector<std::string>* notes) {
  c10::InferenceMode inference;
  ScopedTf32 tf32(p.config.precision == Precision::tf32);
  {
    ComputeRunner compute(p);
    r->compute = TimeOnDevice(
        p.d, [&] { compute.Iteration(); }, p.ctx.Timing());
    CheckFinite(compute.output(), "forward");
    if (p.options.compute_only) {
      r->latency = r->compute;
      r->compute_ms = r->compute.median_ms;
      r->throughput_ips = p.batch / (r->compute.median_ms * 1e-3);
      AttachBreakdown(p, r, notes, [&] { compute.Iteration(); });
      return;
    }
  }  // the compute runner's graph and buffers go before the pipeline's are made
  if (p.options.pipeline == PipelineMode::sequential) {
    SequentialRunner runner(p);
    runner.Measure(r);
    AttachBreakdown(p, r, notes, [&] { runner.Iteration(); });
    return;
  }
  {
    OverlappedRunner runner(p);
    runner.Measure(r);
  }
  // The kernel mix of a batch does not depend on overlap: trace one sequential iteration.
  if (p.ctx.cupti != CuptiBreakdown::off && p.d.cuda) {
    SequentialRunner runner(p);
    AttachBreakdown(p, r, notes, [&] { runner.Iteration(); });
  }
}

}  // namespace

std::string PipelinePointId(const ViTConfig& c, int batch, const PipelineOptions& o,
                            const std::string& device) {
  std::ostringstream id;
  id << c.name << "|" << c.image_height << "x" << c.image_width << "|p" << c.patch << "|d" << c.dim
     << "x" << c.depth << "h" << c.heads << "m" << c.mlp_ratio << "|" << ToString(c.precision)
     << (c.autocast ? "|autocast" : "") << "|" << ToString(c.attention) << "|" << ToString(c.output)
     << "|" << ToString(c.pooling) << (c.class_token ? "" : "|nocls") << "|c" << c.channels << "k"
     << c.classes << "|b" << batch << "|" << ToString(o.execution)
     << (o.execution == ExecutionMode::compiled && o.compile_mode != CompileMode::standard
             ? "-" + ToString(o.compile_mode)
             : "")
     << "|" << ToString(o.input) << "|" << ToString(o.host_memory) << "|" << ToString(o.pipeline)
     << "|q" << o.queue_depth << "|t" << o.producer_threads << "|" << ToString(o.numa)
     << (o.compute_only ? "|compute_only" : "")
     << (o.start == ImageStart::pinned ? "|start-pinned" : "")
     << (o.normalize_on == NormalizeOn::compute_stream ? "|normalize-compute" : "") << "|"
     << device;
  return id.str();
}

PipelineRecord RunPipelinePoint(const ViTConfig& config, int batch, const PipelineOptions& options,
                                const ProbeContext& ctx) {
  ValidateOrThrow(config);
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);
  if (batch < 1) throw std::invalid_argument("batch: must be at least 1");
  if (!ctx.Timing().IsValid(&why)) throw std::invalid_argument(why);
  const Device d = ParseDevice(ctx.device);
  why = AutocastUnsupportedReason(config, options.execution, d.cuda);
  if (!why.empty()) throw std::invalid_argument(why);

  const auto wall_start = Clock::now();
  PipelineRecord r;
  r.device = d.ToString();
  r.id = PipelinePointId(config, batch, options, r.device);
  r.config = config;
  r.batch = batch;
  r.options = options;
  r.provenance = ctx.provenance;
  r.breakdown = nullptr;

  // A compiled package's weights live outside the allocator: free them before another mode runs.
  if (options.execution != ExecutionMode::compiled) ReleaseCachedAotiRunner();
  std::optional<AotiPackage> package;
  if (options.execution == ExecutionMode::compiled) {
    std::string missing;
    if (AotiAvailable())
      package = FindAotiPackage(ctx.aoti_dir, config, options.compile_mode, batch, ctx.seed,
                                d.cuda ? "cuda" : "cpu", &missing);
    if (!package) {
      r.status = PointStatus::skipped;
      r.message = AotiAvailable() ? missing : AotiUnavailableMessage();
      return r;
    }
    r.provenance["compiled"] = CompiledProvenance(*package);
  }
  if (options.execution == ExecutionMode::graph && !d.cuda) {
    r.status = PointStatus::skipped;
    r.message = "CUDA graphs need a CUDA device";
    return r;
  }

  std::vector<std::string> notes;
  bool fell_back = false;
  ResetPeakMemory(d);
  const std::optional<double> allocated_before = CurrentAllocatedBytes(d);
  r.status = RunClassified(
      d,
      [&] {
        const Point p(config, batch, options, ctx, d,
                      package ? CachedAotiRunner(package->path, TorchDevice(d)) : nullptr);
        fell_back = p.model->fused_fell_back();
        if (p.compiled) CheckAgreement(p, &r.provenance["compiled"]);
        const double launch_before_us = QuickLaunchUs(d);
        Measure(p, &r, &notes);
        r.host_launch_us = 0.5 * (launch_before_us + QuickLaunchUs(d));
      },
      &r.message);
  if (r.status != PointStatus::ok) {
    // Partial numbers of a failed point must not look like measurements.
    const std::string message = r.message;
    const PointStatus status = r.status;
    PipelineRecord clean;
    clean.id = r.id;
    clean.device = r.device;
    clean.config = r.config;
    clean.batch = r.batch;
    clean.options = r.options;
    clean.provenance = r.provenance;
    clean.breakdown = nullptr;
    r = clean;
    r.status = status;
    r.message = message;
  } else {
    if (fell_back) notes.insert(notes.begin(), kFusedFallbackMessage);
    if (!d.cuda && !options.compute_only)
      notes.push_back(
          "CPU device: no pinned memory or second memory; host buffers are pageable and "
          "h2d/d2h are host copies");
    // A point whose tensors outlive it (a cache, a reference kept) would starve every later
    // point of the sweep; the record names it. Reserved-but-free blocks are not counted: the
    // 81 GiB of dead graphs' pools of 2026-12-05 were those (fixed in DeviceGraph::Capture).
    // Above cuBLAS's per-stream workspaces (~33 MB each, three streams an overlapped point).
    constexpr double kLeftBehindNoteBytes = 256e6;
    const std::optional<double> allocated_after = CurrentAllocatedBytes(d);
    if (allocated_before && allocated_after &&
        *allocated_after - *allocated_before > kLeftBehindNoteBytes) {
      std::ostringstream note;
      note << std::fixed << std::setprecision(2) << (*allocated_after - *allocated_before) / 1e9
           << " GB of device memory still allocated after the point";
      notes.push_back(note.str());
    }
    for (const auto& note : notes) r.message += (r.message.empty() ? "" : "; ") + note;
  }
  const auto peak = PeakMemoryBytes(d);
  r.peak_memory_bytes = peak ? *peak : 0;  // 0 on the CPU: not measured
  r.wall_s = std::chrono::duration<double>(Clock::now() - wall_start).count();
  return r;
}

}  // namespace vitperf::measure
