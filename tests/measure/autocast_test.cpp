// Automatic mixed precision (config.autocast, timm's --amp) on the CPU: the module stays fp32,
// AutocastScope behaves as Python's `with torch.autocast(...)` (state restored, cast cache
// cleared when the outermost scope ends), the mixed forward pass agrees with the fp32 one, and
// probes, experiments and the command line carry autocast points or refuse them in one line.
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "measure/aoti_package.h"
#include "measure/autocast_scope.h"
#include "measure/experiment.h"
#include "measure/pipeline_probe.h"
#include "measure/vit_module.h"
#include "tests/cli/run_command.h"
#include "tests/measure/test_helpers.h"
#include "tests/measure/tiny_config.h"

namespace vitperf::measure {
namespace {

using testing::ErrorOf;
using testing::FastCpu;

constexpr bool kCpuFp16Autocast = TORCH_VERSION_MAJOR > 2 ||
                                  (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4);

// The thread's CPU autocast state, read with the API of this LibTorch.
bool CpuAutocastEnabled() {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  return at::autocast::is_autocast_enabled(at::kCPU);
#else
  return at::autocast::is_cpu_enabled();
#endif
}
at::ScalarType CpuAutocastDtype() {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  return at::autocast::get_autocast_dtype(at::kCPU);
#else
  return at::autocast::get_autocast_cpu_dtype();
#endif
}
void SetCpuAutocastDtype(at::ScalarType t) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_dtype(at::kCPU, t);
#else
  at::autocast::set_autocast_cpu_dtype(t);
#endif
}

ViTConfig TinyAmp(OutputKind output = OutputKind::logits) {
  ViTConfig c = Tiny();
  c.precision = Precision::bf16;
  c.autocast = true;
  c.output = output;
  return c;
}

// The module as a pipeline point holds it: on the device in ModelDtype.
VitModule Built(const ViTConfig& c, std::uint64_t seed = 0) {
  VitModule m(c, seed);
  m->to(ModelDtype(c));
  m->eval();
  return m;
}

torch::Tensor AmpForward(VitModule& m, const torch::Tensor& x) {
  AutocastScope scope(m->config().precision, /*cuda=*/false);
  return m->forward(x);
}

TEST(Autocast, ModuleParametersAndBuffersStayFp32) {
  ViTConfig c = TinyAmp();
  c.rope = true;  // a buffer too
  EXPECT_EQ(ModelDtype(c), torch::kFloat);
  const VitModule m = Built(c);
  for (const auto& p : m->named_parameters())
    EXPECT_EQ(p.value().scalar_type(), torch::kFloat) << p.key();
  for (const auto& b : m->named_buffers())
    EXPECT_EQ(b.value().scalar_type(), torch::kFloat) << b.key();
  c.autocast = false;
  EXPECT_EQ(ModelDtype(c), torch::kBFloat16);  // pure bf16 is cast as before
}

TEST(Autocast, ForwardIsFiniteWithTheExpectedShapesAndDtypes) {
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 3, 64, 64});  // fp32 images, as timm's --amp feeds them
  VitModule logits = Built(TinyAmp(OutputKind::logits));
  const auto y = AmpForward(logits, x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(y.scalar_type(), torch::kBFloat16);  // the head is a matrix product
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  // The residual stream is fp32 (cls token and position embedding are fp32 parameters).
  VitModule tokens = Built(TinyAmp(OutputKind::tokens));
  const auto t = AmpForward(tokens, x);
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{2, 17, 64}));
  EXPECT_EQ(t.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::isfinite(t).all().item<bool>());
}

TEST(Autocast, AgreesWithTheFp32ForwardOfTheSameWeights) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(11);
  const auto x = torch::randn({2, 3, 64, 64});
  for (OutputKind output : {OutputKind::logits, OutputKind::pooled}) {
    ViTConfig amp = TinyAmp(output), fp32 = amp;
    fp32.autocast = false;
    fp32.precision = Precision::fp32;
    VitModule a = Built(amp, 5), f = Built(fp32, 5);  // same seed: same weights
    const auto mixed = AmpForward(a, x).to(torch::kFloat);
    const auto exact = f->forward(x);
    const double scale = exact.abs().max().item<double>();
    const double rel = (mixed - exact).abs().max().item<double>() / scale;
    EXPECT_GT(scale, 0);
    EXPECT_LT(rel, AgreementTolerance(Precision::bf16)) << ToString(output);
    EXPECT_GT(rel, 0) << "autocast changed nothing: the products did not run at bf16";
  }
}

TEST(Autocast, ScopeRestoresTheStateAndClearsTheCastCacheAtTheOutermostExit) {
  torch::NoGradGuard no_grad;
  const bool was_enabled = CpuAutocastEnabled();
  const at::ScalarType was_dtype = CpuAutocastDtype();
  // A previous dtype the scope must put back (LibTorch 1.13 refuses any CPU dtype but bf16).
  const at::ScalarType before = kCpuFp16Autocast ? at::kHalf : at::kBFloat16;
  SetCpuAutocastDtype(before);
  // A leaf fp32 weight that requires grad: what autocast caches casts of.
  const auto w = torch::randn({8, 8}).requires_grad_(true);
  auto cast = [&] { return at::autocast::cached_cast(at::kBFloat16, w, at::kCPU); };
  torch::Tensor first, inner;
  {
    AutocastScope outer(Precision::bf16, false);
    EXPECT_TRUE(CpuAutocastEnabled());
    EXPECT_EQ(CpuAutocastDtype(), at::kBFloat16);
    first = cast();
    EXPECT_EQ(first.scalar_type(), at::kBFloat16);
    EXPECT_TRUE(cast().is_same(first));  // cached within the pass
    {
      AutocastScope nested(Precision::bf16, false);
      inner = cast();
    }
    EXPECT_TRUE(inner.is_same(first));  // a nested exit keeps the cache
    EXPECT_TRUE(cast().is_same(first));
    EXPECT_TRUE(CpuAutocastEnabled());
  }
  EXPECT_EQ(CpuAutocastEnabled(), was_enabled);
  EXPECT_EQ(CpuAutocastDtype(), before);
  {
    AutocastScope again(Precision::bf16, false);
    EXPECT_FALSE(cast().is_same(first));  // the next pass casts anew
  }
  SetCpuAutocastDtype(was_dtype);
}

TEST(Autocast, UnsupportedCombinationsAreOneLineErrorsNamingTheField) {
  for (Precision p : {Precision::fp32, Precision::tf32}) {
    const std::string why = ErrorOf([&] { AutocastScope s(p, false); });
    EXPECT_EQ(why.rfind("autocast: ", 0), 0u) << why;
    EXPECT_NE(why.find("fp16 or bf16"), std::string::npos) << why;
  }
  const std::string fp16 = ErrorOf([] { AutocastScope s(Precision::fp16, false); });
  if (kCpuFp16Autocast) {
    EXPECT_EQ(fp16, "(no error)");
  } else {
    EXPECT_EQ(fp16.rfind("autocast: ", 0), 0u) << fp16;
    EXPECT_NE(fp16.find("accepted: bf16"), std::string::npos) << fp16;
    EXPECT_EQ(fp16.find('\n'), std::string::npos) << fp16;
    EXPECT_EQ(AutocastUnsupportedReason(Precision::fp16, /*cuda=*/true), "");
  }
  EXPECT_FALSE(CpuAutocastEnabled());  // a refused scope changed nothing

  ViTConfig c = TinyAmp();
  EXPECT_EQ(AutocastUnsupportedReason(c, ExecutionMode::eager, false), "");
  const std::string compiled = AutocastUnsupportedReason(c, ExecutionMode::compiled, true);
  EXPECT_EQ(compiled.rfind("autocast: ", 0), 0u) << compiled;
  EXPECT_NE(compiled.find("compiled"), std::string::npos) << compiled;
  EXPECT_NE(compiled.find("accepted:"), std::string::npos) << compiled;
  c.autocast = false;
  EXPECT_EQ(AutocastUnsupportedReason(c, ExecutionMode::compiled, true), "");
}

void ExpectAutocastRecord(const PipelineRecord& r, int batch) {
  EXPECT_EQ(r.status, PointStatus::ok) << r.message;
  EXPECT_TRUE(r.config.autocast);
  EXPECT_EQ(nlohmann::json(r.config).value("autocast", false), true);
  EXPECT_NE(r.id.find("|bf16|autocast|"), std::string::npos) << r.id;
  EXPECT_GT(r.throughput_ips, 0);
  EXPECT_EQ(r.batch, batch);
  EXPECT_FALSE(CpuAutocastEnabled());  // every scope closed
}

TEST(Autocast, PipelinePointsRunUnderAutocast) {
  PipelineOptions o;
  o.compute_only = true;
  ExpectAutocastRecord(RunPipelinePoint(TinyAmp(), 2, o, FastCpu()), 2);
  // Full pipelines: bf16 logits and fp32 tokens out, uint8 and fp32 images in.
  o.compute_only = false;
  o.pipeline = PipelineMode::sequential;
  o.input = InputFormat::uint8;
  ExpectAutocastRecord(RunPipelinePoint(TinyAmp(OutputKind::logits), 2, o, FastCpu()), 2);
  o.pipeline = PipelineMode::overlapped;
  o.queue_depth = 2;
  o.input = InputFormat::float32;
  ExpectAutocastRecord(RunPipelinePoint(TinyAmp(OutputKind::tokens), 2, o, FastCpu()), 2);
  // The id of the same point without autocast is what it was before autocast existed.
  ViTConfig plain = TinyAmp();
  plain.autocast = false;
  EXPECT_EQ(PipelinePointId(plain, 2, o, "cpu").find("autocast"), std::string::npos);
}

TEST(Autocast, PipelinePointsRefuseWhatIsNotMeasured) {
  PipelineOptions o;
  o.execution = ExecutionMode::compiled;
  const std::string compiled = ErrorOf([&] { RunPipelinePoint(TinyAmp(), 1, o, FastCpu()); });
  EXPECT_NE(compiled.find("autocast: compiled"), std::string::npos) << compiled;
  if (!kCpuFp16Autocast) {
    ViTConfig fp16 = TinyAmp();
    fp16.precision = Precision::fp16;
    const std::string why =
        ErrorOf([&] { RunPipelinePoint(fp16, 1, PipelineOptions(), FastCpu()); });
    EXPECT_EQ(why.rfind("autocast: ", 0), 0u) << why;
  }
}

ExperimentSpec AutocastExperiment(const std::string& precision, const std::string& execution) {
  ExperimentSpec spec;
  spec.name = "autocast_test";
  SweepSpec sweep;
  sweep.name = "amp";
  sweep.axes = {{"patch", {"16"}},
                {"dim", {"64"}},
                {"depth", {"2"}},
                {"res", {"64"}},
                {"classes", {"10"}},
                {"precision", {precision}},
                {"autocast", {"false", "true"}},
                {"execution", {execution}},
                {"batch", {"1"}}};
  spec.sweeps.push_back(sweep);
  return spec;
}

TEST(Autocast, ExperimentsSweepItAndRefuseUnsupportedPointsBeforeMeasuring) {
  const auto points = ExpandExperiment(AutocastExperiment("bf16", "eager"), "cpu");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_FALSE(points[0].config.autocast);
  EXPECT_TRUE(points[1].config.autocast);
  EXPECT_NE(points[0].id, points[1].id);
  EXPECT_NE(points[1].Label().find("autocast"), std::string::npos) << points[1].Label();

  const std::string compiled =
      ErrorOf([] { ExpandExperiment(AutocastExperiment("bf16", "compiled"), "cuda:0"); });
  EXPECT_NE(compiled.find("autocast: compiled"), std::string::npos) << compiled;
  const std::string fp16 =
      ErrorOf([] { ExpandExperiment(AutocastExperiment("fp16", "eager"), "cpu"); });
  if (kCpuFp16Autocast) {
    EXPECT_EQ(fp16, "(no error)");
  } else {
    EXPECT_NE(fp16.find("autocast: "), std::string::npos) << fp16;
  }
  EXPECT_EQ(ErrorOf([] { ExpandExperiment(AutocastExperiment("fp16", "eager"), "cuda:0"); }),
            "(no error)");
}

TEST(Autocast, MeasureCommandRecordsAutocastPointsAndRefusesFp16OnThisCpu) {
  namespace fs = std::filesystem;
  if (vitperf::testing::RunVitperf("measure --help", "amp_help").exit_code != 0)
    GTEST_SKIP() << "vitperf built without measure/";
  const std::string out = std::string(VITPERF_TEST_TMP) + "/autocast_measure.jsonl";
  fs::remove(out);
  const std::string point =
      " --device cpu sweep=tiny probes=none attention=fused input=uint8 batch=1 autocast=true";
  const auto ok = vitperf::testing::RunVitperf(
      "measure -e ci_cpu" + point + " precision=bf16 -o " + out, "amp_measure");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  std::ifstream in(out);
  std::string line;
  int pipeline = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j.value("kind", "") != "pipeline") continue;
    ++pipeline;
    EXPECT_EQ(j["status"], "ok") << line;
    EXPECT_EQ(j["config"]["autocast"], true) << line;
    EXPECT_EQ(j["config"]["precision"], "bf16") << line;
  }
  EXPECT_EQ(pipeline, 1);

  const std::string refused = std::string(VITPERF_TEST_TMP) + "/autocast_measure_fp16.jsonl";
  fs::remove(refused);
  const auto fp16 = vitperf::testing::RunVitperf(
      "measure -e ci_cpu" + point + " precision=fp16 -o " + refused, "amp_measure_fp16");
  if (kCpuFp16Autocast) {
    EXPECT_EQ(fp16.exit_code, 0) << fp16.err;
  } else {
    EXPECT_EQ(fp16.exit_code, 2) << fp16.err;
    EXPECT_NE(fp16.err.find("autocast: "), std::string::npos) << fp16.err;
    EXPECT_EQ(vitperf::testing::LineCount(fp16.err), 1) << fp16.err;
    EXPECT_FALSE(fs::exists(refused));  // refused before anything was written
  }
}

}  // namespace
}  // namespace vitperf::measure
