// The AOTInductor plumbing that runs anywhere: the weights archive, the requests an experiment
// needs, the package lookup and its reasons, and the compile_mode option. Loading and running a
// package needs LibTorch >= 2.6 and a built package: the GPU run covers that.
#include "measure/aoti_package.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "measure/experiment.h"
#include "measure/tensor_archive.h"
#include "measure/vit_module.h"
#include "model/input_file.h"
#include "tests/measure/test_helpers.h"
#include "tests/measure/tiny_config.h"

namespace vitperf::measure {
namespace {

namespace fs = std::filesystem;
using testing::ErrorOf;

std::string FreshDir(const std::string& name) {
  const std::string dir = std::string(VITPERF_TEST_TMP) + "/" + name;
  fs::remove_all(dir);
  return dir;
}

// Every variant that adds parameters or buffers: registers, rope buffers, q/v biases, qk norm,
// layer scale, a relative position bias, SwiGLU, an attention-pool head.
ViTConfig Variants() {
  ViTConfig c = Tiny();
  c.register_tokens = 2;
  c.rope = true;
  c.qkv_bias = QkvBias::qv;
  c.qk_norm = true;
  c.layer_scale = true;
  c.mlp = MlpKind::swiglu;
  c.pooling = Pooling::map;
  c.pos_embed = PosEmbed::patches;
  return c;
}

TEST(TensorArchive, RoundTripsAModuleStateBitForBit) {
  const std::string dir = FreshDir("archive");
  fs::create_directories(dir);
  for (const ViTConfig& config : {Tiny(), Variants()}) {
    const VitModule module(config, 7);
    const NamedTensors state = ModuleState(*module);
    WriteTensorArchive(state, dir + "/w.json", dir + "/w.bin");
    const NamedTensors back = ReadTensorArchive(dir + "/w.json");
    ASSERT_EQ(back.size(), state.size());
    for (std::size_t i = 0; i < state.size(); ++i) {
      EXPECT_EQ(back[i].first, state[i].first);
      EXPECT_TRUE(torch::equal(back[i].second, state[i].second)) << state[i].first;
    }
  }
  // The names are the dotted module paths the Python model mirrors.
  const NamedTensors state = ModuleState(*VitModule(Variants(), 0));
  std::set<std::string> names;
  for (const auto& [name, t] : state) names.insert(name);
  for (const char* name : {"patch_embed.weight", "blocks.1.attn.qkv.weight", "blocks.0.attn.q_bias",
                           "blocks.0.attn.q_norm.weight", "blocks.0.gamma1",
                           "blocks.0.mlp.fc1_g.bias", "attn_pool.latent", "reg_token", "rope_sin"})
    EXPECT_EQ(names.count(name), 1u) << name;
}

// scripts/vitperf_vit.py reads the archive the C++ side writes: the same names and values
// (byte order, offsets), checked by its torch-free decoder.
TEST(TensorArchive, ThePythonReaderDecodesWhatCppWrote) {
  if (std::system("python3 -c 'import json, struct' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "no python3";
  const std::string dir = FreshDir("archive_python");
  fs::create_directories(dir);
  const NamedTensors state = ModuleState(*VitModule(Variants(), 11));
  WriteTensorArchive(state, dir + "/w.json", dir + "/w.bin");
  nlohmann::json expect = nlohmann::json::object();
  for (const auto& [name, t] : state) {
    const auto flat = t.flatten();
    std::vector<double> first;
    for (int64_t i = 0; i < std::min<int64_t>(4, flat.numel()); ++i)
      first.push_back(flat[i].item<double>());
    expect[name] = first;
  }
  const std::string expect_path = dir + "/expect.json";
  std::ofstream(expect_path) << expect.dump();
  const std::string script = std::string(VITPERF_SOURCE_DIR) + "/scripts/aoti_compile.py";
  const std::string log = dir + "/self_test.log";
  const std::string command = "VITPERF_ARCHIVE_EXPECT=\"$(cat " + expect_path + ")\" python3 " +
                              script + " --self-test " + dir + "/w.json >" + log + " 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << ReadInputFile(log, "log", 1 << 20);
  EXPECT_NE(ReadInputFile(log, "log", 1 << 20)
                .find("(" + std::to_string(state.size()) + " tensors, " +
                      std::to_string(state.size()) + " checked)"),
            std::string::npos)
      << ReadInputFile(log, "log", 1 << 20);
}

TEST(TensorArchive, BadArchivesAreOneClearLine) {
  const std::string dir = FreshDir("archive_bad");
  fs::create_directories(dir);
  WriteTensorArchive({{"a", torch::ones({2, 3})}, {"b", torch::arange(4)}}, dir + "/w.json",
                     dir + "/w.bin");
  std::ofstream(dir + "/w.bin", std::ios::app) << "x";  // one byte too many
  EXPECT_NE(ErrorOf([&] { ReadTensorArchive(dir + "/w.json"); }).find("data_bytes"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] {
              WriteTensorArchive({{"h", torch::ones({2}, torch::kHalf)}}, dir + "/h.json",
                                 dir + "/h.bin");
            }).find("is not one of float32, int64"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] {
              WriteTensorArchive({{"a", torch::ones({1})}, {"a", torch::ones({1})}},
                                 dir + "/d.json", dir + "/d.bin");
            }).find("name given twice"),
            std::string::npos);
}

TEST(AotiPackage, StemsSeparateConfigsAndStayFileNames) {
  ViTConfig a = Tiny();
  a.name = "vit_base_patch16_clip_224.openai";
  ViTConfig b = a;
  b.qk_norm = true;  // same name, resolution and precision: only the hash tells them apart
  EXPECT_NE(AotiModelStem(a), AotiModelStem(b));
  EXPECT_EQ(AotiModelStem(a).find('.'), std::string::npos) << AotiModelStem(a);
  EXPECT_EQ(AotiModelStem(a).rfind("vit_base_patch16_clip_224_openai-64x64-fp32-fused-", 0), 0u)
      << AotiModelStem(a);
  const AotiFiles f = AotiFilesFor("/x", a, CompileMode::max_autotune);
  EXPECT_EQ(f.package, "/x/" + AotiModelStem(a) + ".max-autotune.pt2");
  EXPECT_EQ(f.sidecar, f.package + ".json");
  EXPECT_EQ(f.StaticPackage(8), "/x/" + AotiModelStem(a) + ".max-autotune.b8.pt2");
}

std::vector<PlannedPoint> CompiledGrid() {
  const auto spec = ParseExperiment(
      R"({"schema": "vitperf.experiment", "schema_version": 1, "name": "t", "sweeps": [
          {"name": "s", "fixed": {"model": "vit_ti16", "res": 64, "precision": "fp32"},
           "axes": {"execution": ["eager", "compiled"], "compile_mode": ["default", "max-autotune"],
                    "batch": [4, 1]}}]})",
      "t.json");
  return ExpandExperiment(spec, "cpu");
}

TEST(AotiPackage, RequestsMergeBatchesPerModelAndMode) {
  const auto points = CompiledGrid();
  // eager x 2 modes is one point per batch: compile_mode describes compiled points only.
  ASSERT_EQ(points.size(), 2u + 4u);
  for (const auto& p : points) {
    if (p.options.execution == ExecutionMode::eager) {
      EXPECT_EQ(p.options.compile_mode, CompileMode::standard);
    }
  }
  const auto requests = AotiRequestsFor(points);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].mode, CompileMode::standard);
  EXPECT_EQ(requests[1].mode, CompileMode::max_autotune);
  for (const auto& r : requests) EXPECT_EQ(r.batches, (std::vector<int>{1, 4}));
}

// The RQ3 grid is sized for one GPU run (scripts/gpu_rq3.sh): a change that adds packages or
// points changes its compile and measuring time, and must change this test and the script.
TEST(AotiPackage, Rq3GridNeedsEightDefaultAndThreeMaxAutotunePackages) {
  ExperimentSpec spec = LoadExperiment("rq3_compiled");
  ApplyOverrides({}, false, &spec);
  const auto points = ExpandExperiment(spec, "cuda:0");
  int pipeline = 0, compiled = 0;
  for (const auto& p : points) {
    if (p.kind != PlannedPoint::Kind::pipeline) continue;
    ++pipeline;
    compiled += p.options.execution == ExecutionMode::compiled;
    EXPECT_EQ(p.config.precision, Precision::bf16);
  }
  EXPECT_EQ(pipeline, 95);
  EXPECT_EQ(compiled, 8 * 3 + 3 * 3 + 4 + 2);
  const auto requests = AotiRequestsFor(points);
  int standard = 0, autotuned = 0;
  std::set<int> depths, widths, resolutions;
  for (const auto& r : requests) {
    (r.mode == CompileMode::standard ? standard : autotuned) += 1;
    EXPECT_EQ(r.batches.back(), 256) << r.config.Label();  // one dynamic package up to 256
    depths.insert(r.config.depth);
    widths.insert(r.config.dim);
    resolutions.insert(r.config.image_height);
  }
  EXPECT_EQ(standard, 8);
  EXPECT_EQ(autotuned, 3);
  EXPECT_EQ(*depths.begin(), 2);
  EXPECT_EQ(*depths.rbegin(), 24);
  EXPECT_EQ(*widths.begin(), 256);
  EXPECT_EQ(*widths.rbegin(), 1280);
  EXPECT_EQ(resolutions, (std::set<int>{224, 384, 512}));
}

TEST(AotiPackage, WritesTheEagerModelsWeightsAndARequestPerMode) {
  const std::string dir = FreshDir("requests");
  const auto requests = AotiRequestsFor(CompiledGrid());
  const auto written = WriteAotiRequests(requests, dir, "cpu", 3);
  ASSERT_EQ(written.size(), 2u);
  for (std::size_t i = 0; i < written.size(); ++i) {
    const AotiFiles f = AotiFilesFor(dir, requests[i].config, requests[i].mode);
    EXPECT_EQ(written[i], f.request);
    const auto j = nlohmann::json::parse(ReadInputFile(f.request, "request", 1 << 20));
    EXPECT_EQ(j["schema"], kAotiRequestSchema);
    EXPECT_EQ(j["config"], nlohmann::json(requests[i].config));
    EXPECT_EQ(j["compile_mode"], AotiModeName(requests[i].mode));
    EXPECT_EQ(j["device"], "cpu");
    EXPECT_EQ(j["seed"], 3);
    EXPECT_EQ(j["batches"], nlohmann::json({1, 4}));
    EXPECT_EQ(j["package"], fs::path(f.package).filename().string());
    EXPECT_EQ(j["weights"], fs::path(f.weights_index).filename().string());
    // The weights are the ones a probe with seed 3 runs.
    const NamedTensors archived = ReadTensorArchive(f.weights_index);
    const NamedTensors eager = ModuleState(*VitModule(requests[i].config, 3));
    ASSERT_EQ(archived.size(), eager.size());
    for (std::size_t t = 0; t < eager.size(); ++t)
      EXPECT_TRUE(torch::equal(archived[t].second, eager[t].second)) << eager[t].first;
  }
}

// A sidecar as scripts/aoti_compile.py writes it, beside an (empty) package file: the lookup
// reads only these.
void FakeBuilt(const std::string& package, const nlohmann::json& sidecar) {
  fs::create_directories(fs::path(package).parent_path());
  std::ofstream(package) << "";
  std::ofstream(package + ".json") << sidecar.dump();
}

nlohmann::json Sidecar(const ViTConfig& c, const char* mode) {
  return {{"schema", kAotiSidecarSchema},
          {"schema_version", kAotiSchemaVersion},
          {"config", c},
          {"compile_mode", mode},
          {"device", "cuda"},
          {"seed", 0},
          {"dynamic_batch", true},
          {"batch_min", 1},
          {"batch_max", 64},
          {"compile_s", 42.0}};
}

TEST(AotiPackage, LookupNamesWhatIsMissingOrWrong) {
  const std::string dir = FreshDir("lookup");
  const ViTConfig c = Tiny();
  std::string why;
  EXPECT_FALSE(FindAotiPackage("", c, CompileMode::standard, 1, 0, "cuda", &why));
  EXPECT_NE(why.find("--aoti-dir"), std::string::npos) << why;
  EXPECT_FALSE(FindAotiPackage(dir, c, CompileMode::standard, 1, 0, "cuda", &why));
  EXPECT_NE(why.find(AotiFilesFor(dir, c, CompileMode::standard).package), std::string::npos);
  EXPECT_NE(why.find("scripts/aoti_compile.py " + dir), std::string::npos) << why;

  const AotiFiles f = AotiFilesFor(dir, c, CompileMode::standard);
  FakeBuilt(f.package, Sidecar(c, "default"));
  const auto found = FindAotiPackage(dir, c, CompileMode::standard, 64, 0, "cuda", &why);
  ASSERT_TRUE(found) << why;
  EXPECT_EQ(found->path, f.package);
  EXPECT_TRUE(found->dynamic_batch);
  EXPECT_EQ(found->sidecar["compile_s"], 42.0);

  auto reason = [&](int batch, std::uint64_t seed, const char* device, CompileMode mode) {
    std::string w;
    EXPECT_FALSE(FindAotiPackage(dir, c, mode, batch, seed, device, &w));
    return w;
  };
  EXPECT_NE(reason(65, 0, "cuda", CompileMode::standard).find("covers batch 1..64"),
            std::string::npos);
  EXPECT_NE(reason(1, 5, "cuda", CompileMode::standard).find("seed"), std::string::npos);
  EXPECT_NE(reason(1, 0, "cpu", CompileMode::standard).find("device"), std::string::npos);
  // Another model's sidecar under this name (a stale folder) is refused, not run.
  ViTConfig other = c;
  other.depth = 3;
  FakeBuilt(f.package, Sidecar(other, "default"));
  EXPECT_NE(reason(1, 0, "cuda", CompileMode::standard).find("config"), std::string::npos);

  // Export could not keep the batch dynamic: one package per batch.
  const AotiFiles m = AotiFilesFor(dir, c, CompileMode::max_autotune);
  nlohmann::json fixed = Sidecar(c, "max-autotune");
  fixed["dynamic_batch"] = false;
  fixed["batch"] = 8;
  FakeBuilt(m.StaticPackage(8), fixed);
  const auto static_found = FindAotiPackage(dir, c, CompileMode::max_autotune, 8, 0, "cuda", &why);
  ASSERT_TRUE(static_found) << why;
  EXPECT_FALSE(static_found->dynamic_batch);
  EXPECT_EQ(static_found->path, m.StaticPackage(8));
  EXPECT_NE(reason(16, 0, "cuda", CompileMode::max_autotune).find(m.package), std::string::npos);
  // A dynamic package from batch 2 on (export specialised batch 1) beside one for batch 1.
  nlohmann::json from2 = Sidecar(c, "max-autotune");
  from2["batch_min"] = 2;
  FakeBuilt(m.package, from2);
  fixed["batch"] = 1;
  FakeBuilt(m.StaticPackage(1), fixed);
  const auto one = FindAotiPackage(dir, c, CompileMode::max_autotune, 1, 0, "cuda", &why);
  ASSERT_TRUE(one) << why;
  EXPECT_EQ(one->path, m.StaticPackage(1));
  const auto two = FindAotiPackage(dir, c, CompileMode::max_autotune, 2, 0, "cuda", &why);
  ASSERT_TRUE(two) << why;
  EXPECT_EQ(two->path, m.package);
}

TEST(AotiPackage, CompileModeIsAnOptionOfCompiledPointsOnly) {
  PipelineOptions o;
  EXPECT_FALSE(nlohmann::json(o).contains("compile_mode"));  // eager records stay as they were
  o.execution = ExecutionMode::compiled;
  o.compile_mode = CompileMode::max_autotune;
  const nlohmann::json j = o;
  EXPECT_EQ(j["compile_mode"], "max-autotune");
  EXPECT_EQ(j.get<PipelineOptions>().compile_mode, CompileMode::max_autotune);
  o.execution = ExecutionMode::graph;
  std::string why;
  EXPECT_FALSE(o.IsValid(&why));
  EXPECT_EQ(why, "compile_mode: max-autotune applies to execution=compiled only");
  EXPECT_EQ(ErrorOf([] { ParseOverride("compile_mode=fast"); }), "(no error)");
  const std::string bad = ErrorOf([] {
    auto spec = ParseExperiment(
        R"({"schema": "vitperf.experiment", "schema_version": 1, "name": "t", "sweeps": [
            {"name": "s", "fixed": {"model": "vit_ti16", "execution": "compiled",
                                    "compile_mode": "fast"}}]})",
        "t.json");
    ExpandExperiment(spec, "cpu");
  });
  EXPECT_NE(bad.find("compile_mode: 'fast' is not one of default, max-autotune"), std::string::npos)
      << bad;
}

TEST(AotiPackage, ToleranceIsLooserForNarrowerTypes) {
  EXPECT_GT(AgreementTolerance(Precision::bf16), AgreementTolerance(Precision::fp16));
  EXPECT_GT(AgreementTolerance(Precision::fp16), AgreementTolerance(Precision::fp32));
  EXPECT_LE(AgreementTolerance(Precision::bf16), 0.1);  // a wrong network differs by ~100%
}

}  // namespace
}  // namespace vitperf::measure
