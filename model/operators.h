// The operator list of one ViT forward pass at a given batch: FLOPs, minimum bytes moved
// through device memory, matrix-product shapes and kernel launches, per operator.
#pragma once

#include <array>
#include <string>

#include "model/architecture.h"
#include "model/conv_path.h"
#include "model/enum_names.h"
#include "model/pipeline_options.h"
#include "model/vit_config.h"

namespace vitperf {

enum class OpKind {
  input_normalize,  // uint8 -> float, (x - mean) / std on the device
  conv_layout,      // cuDNN's NCHW -> NHWC copies of image and weight before a tensor-core conv
  patch_embed,      // stride = kernel conv: counted as a GEMM over patches, timed as a conv
  embed_assemble,   // class token concat + position embedding add
  layernorm,
  qkv,
  attn_scores,   // math: Q K^T, materialises B*H*N*N
  softmax,       // math
  attn_values,   // math: P V
  attn_fused,    // flash / SDPA: scores never reach device memory
  attn_reshape,  // head split / merge copies
  proj,
  residual_add,
  mlp_up,
  gelu,
  mlp_down,
  final_norm,
  pool,
  head,
  // Architecture variants (model/vit_config.h); absent from the original ViT's list.
  pre_norm,       // LayerNorm before the blocks (CLIP)
  qk_norm,        // LayerNorm of q and of k over the head dim
  rope,           // rotary embedding of q and k, patch tokens only (EVA02)
  rel_pos_bias,   // gather of the relative position bias table into [heads, N, N] (BEiT)
  layer_scale,    // per-channel scale of each branch before its residual add
  mlp_gate,       // SwiGLU's separate gate projection
  glu,            // SwiGLU's SiLU(gate) * value
  mlp_norm,       // LayerNorm over the MLP's hidden width (EVA02)
  map_kv,         // attention-pool head: keys and values of every token
  map_attention,  // attention-pool head: one latent query per image over the tokens
  map_q_proj,     // attention-pool head: latent query and output projections
  map_mlp,        // attention-pool head: MLP up and down on one vector per image
  autocast_cast,  // autocast's casts (eager): every weight, and fp32 activations to the products
};

// Which fitted efficiency applies to the operator's compute time.
enum class OpClass { matmul, attention, elementwise };

template <>
struct EnumNames<OpKind> {
  static constexpr const char* kField = "operator";
  static constexpr std::array<std::pair<OpKind, const char*>, 32> kNames{{
      {OpKind::input_normalize, "input_normalize"},
      {OpKind::conv_layout, "conv_layout"},
      {OpKind::patch_embed, "patch_embed"},
      {OpKind::embed_assemble, "embed_assemble"},
      {OpKind::layernorm, "layernorm"},
      {OpKind::qkv, "qkv"},
      {OpKind::attn_scores, "attn_scores"},
      {OpKind::softmax, "softmax"},
      {OpKind::attn_values, "attn_values"},
      {OpKind::attn_fused, "attn_fused"},
      {OpKind::attn_reshape, "attn_reshape"},
      {OpKind::proj, "proj"},
      {OpKind::residual_add, "residual_add"},
      {OpKind::mlp_up, "mlp_up"},
      {OpKind::gelu, "gelu"},
      {OpKind::mlp_down, "mlp_down"},
      {OpKind::final_norm, "final_norm"},
      {OpKind::pool, "pool"},
      {OpKind::head, "head"},
      {OpKind::pre_norm, "pre_norm"},
      {OpKind::qk_norm, "qk_norm"},
      {OpKind::rope, "rope"},
      {OpKind::rel_pos_bias, "rel_pos_bias"},
      {OpKind::layer_scale, "layer_scale"},
      {OpKind::mlp_gate, "mlp_gate"},
      {OpKind::glu, "glu"},
      {OpKind::mlp_norm, "mlp_norm"},
      {OpKind::map_kv, "map_kv"},
      {OpKind::map_attention, "map_attention"},
      {OpKind::map_q_proj, "map_q_proj"},
      {OpKind::map_mlp, "map_mlp"},
      {OpKind::autocast_cast, "autocast_cast"},
  }};
};
template <>
struct EnumNames<OpClass> {
  static constexpr const char* kField = "op_class";
  static constexpr std::array<std::pair<OpClass, const char*>, 3> kNames{{
      {OpClass::matmul, "matmul"},
      {OpClass::attention, "attention"},
      {OpClass::elementwise, "elementwise"},
  }};
};
VITPERF_ENUM_JSON(OpKind)
VITPERF_ENUM_JSON(OpClass)

// C[m x n] = A[m x k] B[k x n], `count` independent products (batched over images x heads).
struct GemmShape {
  double m = 0, n = 0, k = 0, count = 0;
  bool aligned = true;  // leading dimensions meet the architecture's alignment rule
  // The SIMT fallback (fp32 FMAs on the CUDA cores, no tensor cores) that some libraries take
  // for large misaligned batched products (Architecture::MisalignedGemmRunsOnSimt).
  bool simt = false;
};

struct Operator {
  OpKind kind = OpKind::layernorm;
  OpClass op_class = OpClass::elementwise;
  double repeat = 1;  // instances per forward pass (depth for per-block operators)
  // Per instance:
  double flops = 0;  // a multiply-add counts 2
  double macs = 0;   // multiply-accumulates in matrix products (timm/fvcore's count)
  double bytes = 0;  // minimum device-memory traffic: inputs read once, outputs written once
  // Of those bytes, the ones read from non-contiguous tensors, which eager PyTorch's elementwise
  // kernels load without vector loads: in runs of the head dim (q, k, v split into heads), at the
  // architecture's strided_read_bytes_per_sm_cycle; or one element at a time (a token-transposed
  // stream), at transposed_read_elements_per_sm_cycle: a load per element whatever its width
  // (CUPTI, autocast_study: SigLIP's transposed copies took 6.6 ms in fp32, 6.1 ms in fp16).
  double strided_read_bytes = 0;
  double transposed_read_bytes = 0;
  double transposed_read_elements = 0;  // of those bytes
  // Of the launches, those that run PyTorch's unvectorised elementwise kernel (an operand that
  // is non-contiguous or broadcast): a thread's scalar loads and index arithmetic add a second
  // dependent latency to each (CUPTI, zoo_study at batch 1, 0.3-0.6 MB: 2.65-3.1 us against
  // 1.47-1.50 us for the vectorised residual add of the same tensors).
  double unvectorised_kernels = 0;
  double live_bytes = 0;  // activations alive while it runs (inputs, outputs, residual stream)
  double kernels = 0;     // launches
  // Framework calls the host dispatches in eager mode, views and kernel-less ops included
  // (LibTorch pays its per-op cost for a reshape as for a GEMM), as the ViT module makes them.
  double host_ops = 0;
  double rows = 0;             // rows reduced one at a time (LayerNorm, softmax); 0 for others
  bool additive_bias = false;  // fused attention adding a bias to its scores (BEiT)
  // A GEMM (or the patch conv) that compiled code runs as a generated kernel (max-autotune's
  // Triton templates) instead of calling the library: its own rate, launched as generated code.
  bool template_gemm = false;
  GemmShape gemm;                       // zero count when not a matrix product
  ConvPath conv_path = ConvPath::simt;  // patch_embed: the kernel that runs it (architecture)
  double conv_row_bytes = 0;            // patch_embed: one patch row [bytes], patch x element
};

// Structural choices that change the operator list (not its efficiencies).
struct ForwardOptions {
  bool normalize_input_on_device = false;  // uint8 input: add the normalise kernel
  bool fuse_elementwise = false;           // compiled: elementwise work folded into neighbours
  // compiled with max-autotune: GEMMs and the patch conv become generated template kernels
  // (CUPTI, rq3_compiled: triton_tem_* in place of cuBLAS and cuDNN, no NHWC copies).
  bool template_gemms = false;
  // The GPU's kernel choices (patch convolution, alignment, SIMT fallbacks); none: a SIMT
  // patch convolution, 16-byte alignment and no fallback.
  const Architecture* architecture = nullptr;
  // The normalisation in the model's input dtype (a cast, then a multiply-add in place: two
  // kernels); false: through float32 temporaries, as records measured before
  // kNormalizeInModelDtypeSince (model/measurement_record.h) ran it.
  bool normalize_in_model_dtype = true;
};

ForwardOptions ForwardOptionsFor(const PipelineOptions& pipeline);
ForwardOptions ForwardOptionsFor(const PipelineOptions& pipeline, const Architecture& architecture);

struct OperatorList {
  static constexpr int kCapacity = 40;
  std::array<Operator, kCapacity> ops{};
  int size = 0;

  const Operator* begin() const { return ops.data(); }
  const Operator* end() const { return ops.data() + size; }
  Operator& Add(OpKind kind, OpClass cls, double repeat) {
    Operator& op = ops[size++];
    op = Operator{};
    op.kind = kind;
    op.op_class = cls;
    op.repeat = repeat;
    return op;
  }
  double TotalFlops() const;
  double TotalBytes() const;
  double TotalKernels() const;
  double TotalHostOps() const;
  double PeakLiveBytes() const;
  double MatmulMacs() const;  // multiply-accumulates in matrix products (what timm/fvcore count)
};

// Dependent trips through device memory on the critical path of an operator's kernels, each
// costing kernel_latency_us beyond the kernel's matrix or streaming time. A streaming
// (elementwise) kernel overlaps its stores with later loads: one trip. A kernel whose output
// waits for a reduction (GEMM over k, attention over the keys, LayerNorm and softmax over a
// row) exposes its loads and then its stores: two. An operator's other kernels (a conv's bias
// add, the scale before a batched GEMM) stream. A kernel that moves no data makes no trip; the
// launch probe's kernel reads and writes one element, one trip.
double DependentPasses(const Operator& op);

// Builds the forward pass of `config` at `batch` images. No allocation.
void BuildOperators(const ViTConfig& config, int batch, const ForwardOptions& options,
                    OperatorList* out);

// A readable shape string for reports: "B*197 x 2304 x 768" etc.
std::string DescribeShape(const Operator& op);

}  // namespace vitperf
