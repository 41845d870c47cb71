// The tuned overlapped pipeline on the CPU (issue 24): producers splitting each batch, the
// issuing threads per stage, images that start in pinned memory (options.start), the option's
// validation and JSON, and the RQ5 experiment end to end through the command line.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "measure/experiment.h"
#include "measure/pipeline_probe.h"
#include "model/measurement_record.h"
#include "model/pipeline_options.h"
#include "tests/cli/run_command.h"
#include "tests/measure/test_helpers.h"
#include "tests/measure/tiny_config.h"

namespace vitperf::measure {
namespace {

using testing::ErrorOf;
using testing::FastCpu;

PipelineOptions Overlapped(int queue_depth, int producers) {
  PipelineOptions o;
  o.pipeline = PipelineMode::overlapped;
  o.queue_depth = queue_depth;
  o.producer_threads = producers;
  return o;
}

void ExpectOk(const PipelineRecord& r) {
  ASSERT_EQ(r.status, PointStatus::ok) << r.message;
  EXPECT_GT(r.throughput_ips, 0);
  EXPECT_GT(r.latency.median_ms, 0);
  EXPECT_GE(r.latency.p99_ms, r.latency.p90_ms);
  EXPECT_GE(r.latency.p90_ms, r.latency.median_ms);
  EXPECT_GT(r.compute.median_ms, 0);
}

TEST(OverlappedPipeline, MoreProducersThanImagesAndDeepRingsRun) {
  // batch 3 with 8 producers: 3 one-image chunks per batch, 5 producers always waiting;
  // queue depth 8 over 3-image batches.
  for (auto [q, producers] : {std::pair{2, 8}, std::pair{8, 3}, std::pair{3, 1}}) {
    ProbeContext ctx = FastCpu();
    std::atomic<int> bound{0};
    ctx.bind_thread = [&] { ++bound; };
    const PipelineRecord r = RunPipelinePoint(Tiny(), 3, Overlapped(q, producers), ctx);
    ExpectOk(r);
    EXPECT_EQ(bound.load(), producers) << "every producer binds itself once";
    EXPECT_GE(r.latency.repeats, 2 * q);
    EXPECT_GT(r.preprocess_ms, 0);
    // A batch's latency spans its own stages at least.
    EXPECT_GE(r.latency.p99_ms, r.h2d_ms + r.compute_ms + r.d2h_ms);
  }
}

TEST(OverlappedPipeline, HostBuffersComeFromTheHooksOncePerSlotNeverPerBatch) {
  ProbeContext ctx = FastCpu();
  std::atomic<int> allocs{0}, frees{0};
  ctx.host_alloc = [&](std::size_t n) {
    return (++allocs, std::aligned_alloc(64, (n + 63) / 64 * 64));
  };
  ctx.host_free = [&](void* p, std::size_t) {
    ++frees;
    std::free(p);
  };
  ctx.cupti = CuptiBreakdown::off;
  const PipelineRecord r = RunPipelinePoint(Tiny(), 4, Overlapped(3, 2), ctx);
  ExpectOk(r);
  EXPECT_GT(r.latency.repeats, 3);
  EXPECT_EQ(allocs.load(), 2 * 3) << "one input and one output buffer per slot";
  EXPECT_EQ(frees.load(), allocs.load());
}

TEST(OverlappedPipeline, ImagesStartingInPinnedMemoryAreNotStaged) {
  // Images of 768 KiB: staging 8 of them is a 6 MiB copy, far from free; with start=pinned
  // the producers only hand the batch over.
  ViTConfig c = Tiny();
  c.image_height = c.image_width = 512;
  for (PipelineMode mode : {PipelineMode::sequential, PipelineMode::overlapped}) {
    PipelineOptions o = mode == PipelineMode::overlapped ? Overlapped(2, 2) : PipelineOptions{};
    const PipelineRecord staged = RunPipelinePoint(c, 8, o, FastCpu());
    o.start = ImageStart::pinned;
    const PipelineRecord pinned = RunPipelinePoint(c, 8, o, FastCpu());
    ExpectOk(staged);
    ExpectOk(pinned);
    EXPECT_LT(pinned.preprocess_ms * 10, staged.preprocess_ms)
        << ToString(mode) << ": staged " << staged.preprocess_ms << " ms, pinned start "
        << pinned.preprocess_ms << " ms";
    EXPECT_EQ(pinned.options.start, ImageStart::pinned);
    EXPECT_NE(pinned.id, staged.id);
  }
}

TEST(OverlappedPipeline, StartOptionIsValidatedAndKeepsOldRecordsAsTheyWere) {
  PipelineOptions o;
  const nlohmann::json plain = o;
  EXPECT_FALSE(plain.contains("start")) << "records of other points stay as they were";
  EXPECT_EQ(PipelinePointId(Tiny(), 4, o, "cpu").find("start"), std::string::npos);

  o.start = ImageStart::pinned;
  const nlohmann::json pinned = o;
  EXPECT_EQ(pinned.at("start"), "pinned");
  EXPECT_EQ(pinned.get<PipelineOptions>().start, ImageStart::pinned);
  EXPECT_NE(PipelinePointId(Tiny(), 4, o, "cpu").find("|start-pinned|"), std::string::npos);

  const std::string expected =
      "start: pinned (images already in pinned memory) needs input=uint8 and host_memory=pinned; "
      "accepted otherwise: pageable";
  std::string why;
  o.input = InputFormat::float32;
  EXPECT_FALSE(o.IsValid(&why));
  EXPECT_EQ(why, expected);
  o.input = InputFormat::uint8;
  o.host_memory = HostMemory::pageable;
  EXPECT_FALSE(o.IsValid(&why));
  EXPECT_EQ(why, expected);
  EXPECT_EQ(ErrorOf([&] { RunPipelinePoint(Tiny(), 1, o, FastCpu()); }), expected);

  nlohmann::json bad = nlohmann::json(PipelineOptions{});
  bad["start"] = "gpu";
  EXPECT_NE(ErrorOf([&] { (void)bad.get<PipelineOptions>(); }).find("start: 'gpu' is not one of"),
            std::string::npos);
}

TEST(OverlappedPipeline, NormalizingOnTheComputeStreamIsAPointOfItsOwn) {
  // Both placements run (each checks its logits are finite), and their records and resume ids
  // tell the two apart while every earlier record keeps its id.
  PipelineOptions input = Overlapped(2, 2);
  PipelineOptions compute = input;
  compute.normalize_on = NormalizeOn::compute_stream;
  const PipelineRecord a = RunPipelinePoint(Tiny(), 4, input, FastCpu());
  const PipelineRecord b = RunPipelinePoint(Tiny(), 4, compute, FastCpu());
  ExpectOk(a);
  ExpectOk(b);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(b.id.find("|normalize-compute|"), std::string::npos) << b.id;
  EXPECT_EQ(a.id.find("normalize"), std::string::npos) << "earlier ids stay as they were";
  const nlohmann::json ja = a, jb = b;
  EXPECT_FALSE(ja["options"].contains("normalize_on"));
  EXPECT_EQ(jb["options"]["normalize_on"], "compute_stream");
  EXPECT_EQ(jb.get<PipelineRecord>().options.normalize_on, NormalizeOn::compute_stream);
}

TEST(OverlappedPipeline, NormalizeOnIsValidatedInOneLine) {
  PipelineOptions o;  // sequential
  o.normalize_on = NormalizeOn::compute_stream;
  const std::string expected =
      "normalize_on: compute_stream applies to pipeline=overlapped only (a sequential pipeline "
      "runs every stage on one stream); accepted otherwise: input_stream";
  std::string why;
  EXPECT_FALSE(o.IsValid(&why));
  EXPECT_EQ(why, expected);
  EXPECT_EQ(ErrorOf([&] { RunPipelinePoint(Tiny(), 1, o, FastCpu()); }), expected);
  nlohmann::json bad = nlohmann::json(Overlapped(2, 1));
  bad["normalize_on"] = "gpu";
  EXPECT_NE(
      ErrorOf([&] { (void)bad.get<PipelineOptions>(); }).find("normalize_on: 'gpu' is not one of"),
      std::string::npos);
}

TEST(Rq5Experiment, ExpandsToTheStudyOnTheGpuAndToATinyRunOnTheCpu) {
  ExperimentSpec spec = LoadExperiment("rq5_pipeline");
  ApplyOverrides({}, false, &spec);
  const auto gpu = ExpandExperiment(spec, "cuda:0");
  std::set<std::string> models_side_by_side;
  std::set<int> queue_depths, producers;
  int pinned_start = 0, sequential_with_a_queue = 0;
  for (const auto& p : gpu) {
    if (p.kind != PlannedPoint::Kind::pipeline) continue;
    if (p.sweep == "side_by_side") {
      models_side_by_side.insert(p.config.name);
      EXPECT_EQ(p.batch, 256);
      EXPECT_EQ(p.config.image_height, 224);
      EXPECT_EQ(p.config.precision, Precision::bf16);
    }
    if (p.options.pipeline == PipelineMode::overlapped) {
      queue_depths.insert(p.options.queue_depth);
      producers.insert(p.options.producer_threads);
    }
    sequential_with_a_queue +=
        p.options.pipeline == PipelineMode::sequential && p.options.queue_depth != 1;
    pinned_start += p.options.start == ImageStart::pinned;
  }
  EXPECT_EQ(models_side_by_side,
            (std::set<std::string>{"vit_s16", "vit_b16", "vit_b32", "vit_l16"}));
  EXPECT_EQ(queue_depths, (std::set<int>{2, 3, 4, 6, 8}));
  EXPECT_EQ(producers, (std::set<int>{1, 2, 3, 4, 6, 8}));
  EXPECT_EQ(pinned_start, 12);  // side_by_side: 4 models x eager/graph; normalize_compute: x graph
  EXPECT_EQ(sequential_with_a_queue, 0) << "a sequential record must not claim a queue";
  // Sized for one device call next to the build and the Python side (scripts/gpu_rq5.sh).
  EXPECT_LE(gpu.size(), 120u);

  ExperimentSpec cpu_spec = LoadExperiment("rq5_pipeline");
  ApplyOverrides({}, true, &cpu_spec);
  const auto cpu = ExpandExperiment(cpu_spec, "cpu");
  for (const auto& p : cpu)
    if (p.kind == PlannedPoint::Kind::pipeline) {
      EXPECT_LE(p.config.image_height, 128);
    }
}

std::vector<nlohmann::json> JsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(Rq5Experiment, RunsOnTheCpuThroughTheCommandLine) {
  const std::string out = std::string(VITPERF_TEST_TMP) + "/rq5_cpu.jsonl";
  std::filesystem::remove(out);
  const auto r = vitperf::testing::RunVitperf(
      "measure -e rq5_pipeline --device cpu --cupti off sweep=side_by_side,producers -o " + out,
      "rq5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int> by_status;
  int pinned_ok = 0;
  for (const auto& j : JsonLines(out)) {
    if (j.value("kind", "") != "pipeline") continue;
    const std::string status = j["status"];
    ++by_status[status];
    if (j["options"]["execution"] == "graph") {
      EXPECT_EQ(status, "skipped");
      EXPECT_EQ(j["message"], "CUDA graphs need a CUDA device");
      continue;
    }
    EXPECT_EQ(status, "ok") << j["message"];
    pinned_ok += j["options"].value("start", "pageable") == "pinned";
    if (j["options"]["pipeline"] == "overlapped") {
      // Timed in consecutive windows, as the Python side by side times its loop.
      ASSERT_TRUE(j.contains("window_ips")) << j.dump();
      const auto& windows = j["window_ips"];
      EXPECT_TRUE(windows.size() == 3 || windows.size() == 1) << windows.dump();
      for (const auto& w : windows) EXPECT_GT(w.get<double>(), 0);
      EXPECT_GE(j["stage_ms"].value("compute_idle", 0.0), 0);
      // The means and maxima beside the medians: a mean is at most the maximum, and the
      // compute stage's maximum at least its median.
      ASSERT_TRUE(j.contains("stage_mean_ms") && j.contains("stage_max_ms")) << j.dump();
      const auto& mean = j["stage_mean_ms"];
      const auto& max = j["stage_max_ms"];
      EXPECT_GT(mean["compute"].get<double>(), 0);
      EXPECT_LE(mean["compute"].get<double>(), max["compute"].get<double>());
      EXPECT_GE(max["compute"].get<double>(), j["stage_ms"]["compute"].get<double>());
      EXPECT_LE(mean["compute_idle"].get<double>(), max["compute_idle"].get<double>());
      const PipelineRecord read = j.get<PipelineRecord>();
      ASSERT_TRUE(read.stage_spread.has_value());
      EXPECT_DOUBLE_EQ(read.stage_spread->compute_max_ms, max["compute"].get<double>());
    } else {
      EXPECT_FALSE(j.contains("stage_mean_ms")) << "a sequential record has no spread";
    }
  }
  EXPECT_EQ(pinned_ok, 1);
  EXPECT_EQ(by_status["skipped"], 2);
  EXPECT_EQ(by_status["ok"], 2 + 3);  // side_by_side eager x 2 starts, producers 1/3/8

  // The tables script reads what the run wrote.
  if (std::system("python3 --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no python3";
  const std::string tables = out + ".md";
  const std::string command =
      "python3 " + std::string(VITPERF_SOURCE_DIR) + "/scripts/rq5_table.py " + out + " >" + tables;
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string text = vitperf::testing::ReadWholeFile(tables);
  EXPECT_NE(text.find("## Pipeline efficiency"), std::string::npos) << text;
  EXPECT_NE(text.find("| vit_p16_d2_w64 | 64 | 4 | eager |"), std::string::npos) << text;
}

TEST(Rq5Scripts, SelfTestsPass) {
  if (std::system("python3 --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no python3";
  for (const char* script : {"scripts/python_pipeline_compare.py", "scripts/rq5_table.py"}) {
    const std::string command =
        "python3 " + std::string(VITPERF_SOURCE_DIR) + "/" + script + " --self-test >/dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0) << script;
  }
}

TEST(Rq5Experiment, BadStartIsOneLineAndExitTwo) {
  const std::string out = std::string(VITPERF_TEST_TMP) + "/rq5_bad.jsonl";
  std::filesystem::remove(out);
  for (const std::string& args :
       {std::string("start=pinned input=float32"), std::string("start=pinned host_memory=pageable"),
        std::string("start=dram")}) {
    const auto r = vitperf::testing::RunVitperf(
        "measure -e rq5_pipeline --device cpu sweep=side_by_side " + args + " -o " + out, "rq5bad");
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("start: "), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(vitperf::testing::LineCount(r.err), 1) << args << "\n" << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << args;
  }
}

}  // namespace
}  // namespace vitperf::measure
