// Automatic mixed precision (ViTConfig::autocast, torch.autocast): hand-counted bytes of the fp32
// residual stream and of autocast's casts, what compiled code folds, the weights' memory, the
// output size, and the config's validation and JSON.
#include <gtest/gtest.h>

#include "model/evaluate.h"
#include "model/hardware_profile.h"
#include "model/memory.h"
#include "model/parameter_count.h"
#include "model/presets.h"
#include "model/transfers.h"
#include "operator_lookup.h"

namespace vitperf {
namespace {

ViTConfig Small(bool autocast) {
  ViTConfig c;
  c.name = "small";
  c.image_height = c.image_width = 32;  // 4 x 4 patches of 8 px, 17 tokens
  c.patch = 8;
  c.dim = 32;
  c.depth = 2;
  c.heads = 2;
  c.classes = 10;
  c.precision = Precision::fp16;
  c.autocast = autocast;
  return c;
}

bool HasKind(const OperatorList& ops, OpKind kind) {
  for (const Operator& op : ops)
    if (op.kind == kind) return true;
  return false;
}

TEST(Autocast, ResidualStreamIsFp32AndBranchesAreNot) {
  const int batch = 3;
  const double b = batch, n = 17, d = 32;
  const OperatorList ops = Build(Small(true), batch);
  // stream read and written in fp32, the branch (a product's output) read in fp16
  EXPECT_DOUBLE_EQ(Find(ops, OpKind::residual_add).bytes, b * n * d * (4 + 4 + 2));
  // LayerNorm in fp32: stream in, fp32 out, fp32 weight and bias
  EXPECT_DOUBLE_EQ(Find(ops, OpKind::layernorm).bytes, b * n * d * (4 + 4) + 2 * d * 4);
  // products unchanged: they read the fp16 copies
  EXPECT_DOUBLE_EQ(Find(ops, OpKind::qkv).bytes,
                   Find(Build(Small(false), batch), OpKind::qkv).bytes);
}

TEST(Autocast, EagerCastsEveryWeightAndEveryFp32InputOfAProduct) {
  const int batch = 3;
  const double b = batch, n = 17, d = 32, f = 128, depth = 2, classes = 10;
  const OperatorList ops = Build(Small(true), batch);
  ASSERT_TRUE(HasKind(ops, OpKind::autocast_cast));
  const Operator cast = Find(ops, OpKind::autocast_cast);
  const double weights = (3 * 64 * d + d) +
                         depth * ((3 * d * d + 3 * d) + (d * d + d) + (d * f + f) + (f * d + d)) +
                         (d * classes + classes);
  const double images = b * 3 * 32 * 32;
  const double stream_inputs = depth * 2 * b * n * d;  // qkv and fc1 read the normalised stream
  const double head_input = b * d;
  EXPECT_DOUBLE_EQ(cast.bytes, (weights + images + stream_inputs + head_input) * (4 + 2));
  // a weight and a bias per product (conv, 4 per block, head), and the 1 + 2 * depth + 1
  // activation casts
  EXPECT_DOUBLE_EQ(cast.kernels, 2 * (1 + 4 * depth + 1) + (1 + 2 * depth + 1));
  EXPECT_FALSE(HasKind(Build(Small(false), batch), OpKind::autocast_cast));
}

TEST(Autocast, CompiledFoldsTheCastsAndWritesTheProductsPrecision) {
  const int batch = 3;
  const double b = batch, n = 17, d = 32;
  const OperatorList ops = Build(Small(true), batch, false, /*fused=*/true);
  EXPECT_FALSE(HasKind(ops, OpKind::autocast_cast));
  // the fused LayerNorm reads the fp32 stream and writes the fp16 input of the next product
  EXPECT_DOUBLE_EQ(Find(ops, OpKind::layernorm).bytes, b * n * d * (4 + 2) + 2 * d * 4);
  // the add folded into it reads the fp16 branch and writes the fp32 sum
  EXPECT_DOUBLE_EQ(Find(ops, OpKind::residual_add).bytes, b * n * d * (2 + 4));
}

TEST(Autocast, TheFp32StreamAndTheCastOriginalsStayAlive) {
  const int batch = 3;
  const double stream = 3.0 * 17 * 32 * 4, bnd = 3.0 * 17 * 32 * 2;
  const OperatorList amp = Build(Small(true), batch), pure = Build(Small(false), batch);
  // beside every block operator the residual is fp32; the up-projection also holds the fp32
  // normalised stream its input was cast from
  EXPECT_DOUBLE_EQ(Find(amp, OpKind::proj).live_bytes - Find(pure, OpKind::proj).live_bytes,
                   stream - bnd);
  EXPECT_DOUBLE_EQ(Find(amp, OpKind::mlp_up).live_bytes - Find(pure, OpKind::mlp_up).live_bytes,
                   stream - bnd + stream);
  EXPECT_GT(amp.PeakLiveBytes(), pure.PeakLiveBytes());
}

TEST(Autocast, WeightsStayFp32BesideTheirCastCopiesAndTheOutputFollowsItsProducer) {
  const ViTConfig amp = Small(true);
  const HardwareProfile profile = LoadProfile("h100");
  PipelineOptions o;
  o.compute_only = true;
  OperatorList ops;
  BuildOperators(amp, 2, ForwardOptionsFor(o, profile.architecture), &ops);
  const double params = static_cast<double>(CountParameters(amp).Total());
  EXPECT_DOUBLE_EQ(EstimateMemory(amp, 2, o, ops, profile).weights_bytes, params * (4 + 2));
  EXPECT_DOUBLE_EQ(OutputBytes(amp, 2), 2.0 * 10 * 2);  // logits: the head's fp16 output
  ViTConfig pooled = amp;
  pooled.output = OutputKind::pooled;
  EXPECT_DOUBLE_EQ(OutputBytes(pooled, 2), 2.0 * 32 * 4);  // the fp32 stream's class token
}

TEST(Autocast, CompilingGainsMoreUnderAutocast) {
  // Fusing the casts and the fp32 stream's passes is most of what compiling buys an autocast
  // model; a model already in fp16 has less to fuse.
  const HardwareProfile profile = LoadProfile("h100");
  ViTConfig c = PresetByName("vit_b16");
  c.precision = Precision::fp16;
  PipelineOptions eager;
  eager.compute_only = true;
  PipelineOptions compiled = eager;
  compiled.execution = ExecutionMode::compiled;
  auto gain = [&](bool autocast) {
    c.autocast = autocast;
    return Evaluate(c, 256, eager, profile).compute_s /
           Evaluate(c, 256, compiled, profile).compute_s;
  };
  EXPECT_GT(gain(true), gain(false) + 0.05);
}

TEST(Autocast, ConfigNamesTheFieldAndTheAcceptedPrecisions) {
  ViTConfig c = Small(true);
  c.precision = Precision::fp32;
  std::string why;
  EXPECT_FALSE(c.IsValid(&why));
  EXPECT_NE(why.find("autocast"), std::string::npos);
  EXPECT_NE(why.find("fp16 or bf16"), std::string::npos);

  nlohmann::json off = Small(false), on = Small(true);
  EXPECT_FALSE(off.contains("autocast"));  // ids of pure-precision records unchanged
  EXPECT_TRUE(on.at("autocast").get<bool>());
  EXPECT_TRUE(on.get<ViTConfig>().autocast);
  EXPECT_EQ(Small(true).Label(), "small 32px fp16 autocast");
}

}  // namespace
}  // namespace vitperf
