#include "model/operators.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace vitperf {

ForwardOptions ForwardOptionsFor(const PipelineOptions& pipeline) {
  ForwardOptions f;
  f.normalize_input_on_device = !pipeline.compute_only && pipeline.input == InputFormat::uint8;
  f.normalize_in_model_dtype = pipeline.normalize_in_model_dtype;
  f.fuse_elementwise = pipeline.execution == ExecutionMode::compiled;
  f.template_gemms = f.fuse_elementwise && pipeline.compile_mode == CompileMode::max_autotune;
  return f;
}

ForwardOptions ForwardOptionsFor(const PipelineOptions& pipeline,
                                 const Architecture& architecture) {
  ForwardOptions f = ForwardOptionsFor(pipeline);
  f.architecture = &architecture;
  return f;
}

namespace {

// The operators of a transformer block, which run beside its residual stream.
bool InsideBlock(OpKind kind) {
  switch (kind) {
    case OpKind::qkv:
    case OpKind::qk_norm:
    case OpKind::rope:
    case OpKind::rel_pos_bias:
    case OpKind::attn_fused:
    case OpKind::attn_scores:
    case OpKind::softmax:
    case OpKind::attn_values:
    case OpKind::attn_reshape:
    case OpKind::proj:
    case OpKind::layer_scale:
    case OpKind::residual_add:
    case OpKind::mlp_gate:
    case OpKind::mlp_up:
    case OpKind::glu:
    case OpKind::gelu:
    case OpKind::mlp_norm:
    case OpKind::mlp_down:
      return true;
    default:
      return false;
  }
}

}  // namespace

void BuildOperators(const ViTConfig& c, int batch, const ForwardOptions& options,
                    OperatorList* out) {
  out->size = 0;
  const bool fused = options.fuse_elementwise;
  // [bytes] per element: of the products' operands and outputs (e); under autocast, of the
  // residual stream, the LayerNorms and the prefix tokens (es) and of the stored parameters (ew).
  const double e = ElementBytes(c.precision);
  const double es = c.autocast ? 4 : e, ew = c.autocast ? 4 : e;
  const double b = batch;
  const double n = c.Tokens(), d = c.dim, f = c.MlpHidden(), h = c.heads, hd = c.HeadDim();
  const double p = c.Patches(), pixels = static_cast<double>(c.PixelsPerImage());
  const double depth = c.depth;
  const double bnd = b * n * d * e;  // [bytes] one token-stream tensor at the products' precision
  const double stream = b * n * d * es;  // [bytes] the residual stream
  const double bnf = b * n * f * e;
  const double scores = b * h * n * n * e;
  // Autocast (eager) casts each weight when its product is called and each fp32 activation a
  // product reads (the stream after a LayerNorm, fp32 images); compiled code folds the weight
  // casts into its constants and the activation casts into their producers. Collected here as
  // the operators are built, emitted as one operator at the end.
  const bool casts = c.autocast && !fused;
  double cast_elements = 0, cast_calls = 0;
  auto add_cast = [&](double elements, double calls) {
    if (!casts) return;
    cast_elements += elements;
    cast_calls += calls;
  };
  // Without a prefix token nothing makes the patch embedding's flatten-and-transpose view
  // contiguous (the concatenation does), and eager elementwise ops keep their first operand's
  // layout: the residual stream stays token-transposed through every block, each LayerNorm
  // copies it to contiguous first and each residual add reads its branch across that layout
  // (CUPTI, layout_study: a direct_copy and a non-vectorised add per LayerNorm and add; a ViT-B/16
  // without its class token runs 37% slower at batch 256). Compiled code picks its layouts.
  const bool transposed_stream = !fused && c.PrefixTokens() == 0;
  auto gemm = [&](Operator& op, double m, double nn, double k, double count, double in_bytes,
                  double weight_bytes, double out_bytes) {
    op.gemm = {m, nn, k, count};
    op.macs = m * nn * k * count;
    op.flops = 2 * op.macs;
    op.bytes = in_bytes + weight_bytes + out_bytes;
    op.kernels = 1;
    op.host_ops = 3;  // linear -> view, addmm, view
    op.template_gemm = options.template_gemms;
    if (weight_bytes > 0) add_cast(op.repeat * weight_bytes / e, op.repeat * 2);  // weight, bias
  };
  // LayerNorm reads at `in_e` and writes at `out_e` [bytes per element]; autocast runs it in fp32,
  // and compiled code writes the cast its consumer needs.
  auto layernorm = [&](OpKind kind, double repeat, double rows, double width, double in_e,
                       double out_e) {
    Operator& op = out->Add(kind, OpClass::elementwise, repeat);
    op.flops = 8 * rows * width;
    op.bytes = rows * width * (in_e + out_e) + 2 * width * ew;
    op.live_bytes = rows * width * (in_e + out_e);
    op.kernels = 1;
    op.host_ops = 2;  // layer_norm -> native_layer_norm
    // ATen's kernel reduces its rows with a latency each; compiled code's generated
    // (persistent) reduction streams them (CUPTI, rq3_compiled: Triton's add + LayerNorm moves
    // its bytes at about the copy rate at widths 384-1024, ATen's at under half of it).
    op.rows = fused ? 0 : rows;
    return &op;
  };
  // A LayerNorm over the residual stream: with a token-transposed stream, the contiguous copy
  // that layer_norm makes first.
  auto stream_layernorm = [&](OpKind kind, double repeat) {
    Operator* op = layernorm(kind, repeat, b * n, d, es, fused ? e : es);
    if (transposed_stream) {
      op->bytes += 2 * stream;
      op->transposed_read_bytes = stream;
      op->transposed_read_elements = b * n * d;
      op->kernels += 1;
      op->unvectorised_kernels = 1;
      op->host_ops += 1;  // contiguous
    }
    return op;
  };

  if (options.normalize_input_on_device) {
    Operator& op = out->Add(OpKind::input_normalize, OpClass::elementwise, 1);
    op.flops = 2 * b * pixels;
    const double ie = c.InputElementBytes();  // the module's input: fp32 under autocast
    if (options.normalize_in_model_dtype) {
      // Eager in every execution mode (a compiled package takes normalised images): the cast
      // [1 + ie B/px], then the multiply-add in place [ie + ie].
      op.bytes = b * pixels * (1 + 3 * ie);
      op.kernels = 2;
      op.live_bytes = b * pixels * ie;  // the uint8 input is the pipeline's io buffer
    } else if (fused) {
      op.bytes = b * pixels * (1 + e);  // as earlier compiled records were priced: one kernel
      op.kernels = 1;
      op.live_bytes = op.bytes;
    } else {
      // to(float32) [1 + 4 B/px], addcmul in float32 [4 + 4], to(precision) [4 + e; none for
      // float32 tensors, and none under autocast, whose model takes float32 images]: the
      // intermediates are float32 whatever the model's precision.
      const bool cast = e != 4 && !c.autocast;
      op.bytes = b * pixels * (5 + 8 + (cast ? 4 + e : 0));
      op.kernels = cast ? 3 : 2;
      op.live_bytes = b * pixels * (4 + 4);  // both float32 temporaries (uint8 input: io buffers)
    }
    // The host calls are eager in every execution mode: to, addcmul_out; before: mean/std
    // constants (tensor, view, to) x2, to(float), addcmul, to.
    op.host_ops = options.normalize_in_model_dtype ? 2 : 9;
  }
  const double patch_k = c.channels * c.patch * c.patch;  // the conv's inner dimension
  add_cast(b * pixels, 1);  // autocast: the fp32 images to the conv's precision
  const Architecture* arch = options.architecture;
  const ConvPath conv_path =
      arch ? arch->PatchConvPathFor(c.precision, std::max(c.image_height, c.image_width), c.dim,
                                    c.patch, b * pixels)
           : ConvPath::simt;
  const bool nhwc_conv = conv_path == ConvPath::tensor_core || conv_path == ConvPath::implicit_gemm;
  if (nhwc_conv && !options.template_gemms) {
    // The tensor-core kernels take NHWC: cuDNN copies the image and the weight first, two
    // kernels inside the one conv2d call. A 3-channel transpose streams badly (CUPTI: a twelfth
    // to a sixteenth of the copy bandwidth), so it has its own rate per SM cycle.
    Operator& op = out->Add(OpKind::conv_layout, OpClass::elementwise, 1);
    op.bytes = 2 * (b * pixels + patch_k * d) * e;
    op.live_bytes = 2 * b * pixels * e;
    op.kernels = 2;
    op.host_ops = 0;
  }
  {
    Operator& op = out->Add(OpKind::patch_embed, OpClass::matmul, 1);
    const double bias = c.patch_bias ? d : 0;
    gemm(op, b * p, d, patch_k, 1, b * pixels * e, (patch_k * d + bias) * e, b * p * d * e);
    op.conv_path = conv_path;
    op.conv_row_bytes = c.patch * e;
    op.live_bytes = b * pixels * e + b * p * d * e;
    op.kernels = fused || !c.patch_bias ? 1 : 2;  // convolution + bias
    op.host_ops = 4;  // conv2d (two dispatch levels), flatten, transpose
  }
  {
    // Prefix tokens (class, registers) concatenated in front of the patches; the learned
    // position embedding added over all tokens or the patches only.
    const bool prefix = c.PrefixTokens() > 0, position = c.pos_embed != PosEmbed::none;
    Operator& op = out->Add(OpKind::embed_assemble, OpClass::elementwise, 1);
    op.flops = position ? b * c.PositionTokens() * d : 0;
    op.kernels = fused ? (prefix || position ? 1 : 0) : (prefix ? 1 : 0) + (position ? 1 : 0);
    op.bytes = op.kernels > 0 ? b * p * d * e + c.PositionTokens() * d * ew + stream : 0;
    // The patches are read across the conv's channel-major layout by the first kernel to touch
    // them. Compiled code fuses the assembly into the first LayerNorm as a two-pass reduction,
    // statistics then output, each reading them so (CUPTI, rq3_compiled at batch 256: two
    // triton_red_fused_add_cat_..._layer_norm_transpose kernels at 0.6-1.0 elements per SM
    // cycle; held out, compiled 9.6% -> 8.4%). Eager's cat reads them so too (CatArrayBatchedCopy,
    // 0.45-0.55 per cycle), but pricing it did not pay held out: only a position add without a
    // cat is priced across the layout.
    if (op.kernels > 0 && (fused || (position && transposed_stream))) {
      const double passes = fused ? 2 : 1;
      op.kernels = fused ? 2 : op.kernels;
      op.bytes += (passes - 1) * b * p * d * e;
      op.transposed_read_bytes = passes * b * p * d * e;
      op.transposed_read_elements = passes * b * p * d;
    }
    op.live_bytes = b * p * d * e + stream;
    // expand per prefix kind, cat, add
    op.host_ops = (c.class_token ? 1 : 0) + (c.register_tokens > 0 ? 1 : 0) + (prefix ? 1 : 0) +
                  (position ? 1 : 0);
  }
  if (c.pre_norm) stream_layernorm(OpKind::pre_norm, 1);
  // Pre-norm blocks: two LayerNorms and two residual adds per block.
  stream_layernorm(OpKind::layernorm, 2 * depth);
  {
    const double bias =
        c.qkv_bias == QkvBias::qkv ? 3 * d : (c.qkv_bias == QkvBias::qv ? 2 * d : 0);
    // Autocast casts the normalised fp32 stream once per projection that reads it.
    add_cast(depth * (c.qkv_fused ? 1 : 3) * b * n * d, depth * (c.qkv_fused ? 1 : 3));
    if (c.qkv_fused) {
      Operator& op = out->Add(OpKind::qkv, OpClass::matmul, depth);
      gemm(op, b * n, 3 * d, d, 1, bnd, (3 * d * d + bias) * e, 3 * bnd);
      op.live_bytes = 5 * bnd;  // residual, normed input, q/k/v
    } else {
      // q, k and v projected apart (EVA02): three GEMMs of a third of the width each.
      Operator& op = out->Add(OpKind::qkv, OpClass::matmul, 3 * depth);
      gemm(op, b * n, d, d, 1, bnd, (d * d + bias / 3) * e, bnd);
      op.live_bytes = 5 * bnd;
    }
  }
  if (c.qk_norm) {
    // q and k normalised apart over the head dim: one row per token and head.
    // Autocast runs it in fp32: q and k cast up (the cast is the contiguous copy eager makes
    // anyway) and cast back for the attention.
    Operator* op =
        layernorm(OpKind::qk_norm, depth, 2 * b * n * h, hd, fused ? e : es, fused ? e : es);
    op->kernels = 2;
    op->host_ops = 4;
    op->live_bytes = 5 * bnd;
    if (!fused) {  // q and k are head-split views: layer_norm copies each to contiguous first
      op->bytes += 2 * (bnd + b * n * d * es);
      op->strided_read_bytes = 2 * bnd;
      op->kernels += 2;
      op->unvectorised_kernels = 2;
      op->host_ops += 2;
    }
    add_cast(depth * 2 * b * n * d, depth * 2);
  }
  if (c.rope) {
    // x * cos + rotate_half(x) * sin over the patch tokens of q and of k, then concatenated
    // back behind the prefix: eager runs neg, stack, two muls, add and cat per tensor, each a
    // pass over it (12 passes in all); compiled, one kernel per tensor reads and writes it once.
    const double q = b * n * d * e;  // [bytes] q or k, all heads
    const double table = 2 * p * hd * e;
    Operator& op = out->Add(OpKind::rope, OpClass::elementwise, depth);
    op.flops = 2 * 3 * b * p * d;
    op.kernels = fused ? 2 : 12;
    op.bytes = fused ? 2 * (2 * q + table) : 2 * (12 * q + 2 * table);
    if (!fused) {
      // The input is a head-split view, so no pass vectorises (CUPTI, zoo_study: neg, two copies
      // for the stack, two muls, add, cat): 4.5 q of the reads in head-dim runs; the cat reads
      // its non-contiguous input element by element (as slowly as a transposed copy).
      op.strided_read_bytes = 2 * 4.5 * q;
      op.transposed_read_bytes = 2 * q;
      op.transposed_read_elements = 2 * b * n * d;
      op.kernels = 14;
      op.unvectorised_kernels = 14;
    }
    op.live_bytes = 5 * bnd + 2 * q;
    op.host_ops = 22;
  }
  if (c.rel_pos_bias) {
    // The per-block table gathered into [heads, N, N] (index, then a contiguous copy); the
    // attention reads it once per image. Math attention adds it to the scores in a pass of its own.
    const double bias = h * n * n * e;
    Operator& op = out->Add(OpKind::rel_pos_bias, OpClass::elementwise, depth);
    op.kernels = 2;
    op.bytes = 4 * bias;
    // The gather reads the table element by element and the copy reads it permuted: neither
    // vectorises (CUPTI, zoo_study, BEiT at batch 1: scatter_gather 6.3 us, direct_copy 3.1 us
    // for a 0.93 MB bias).
    op.strided_read_bytes = 2 * bias;
    op.unvectorised_kernels = 2;
    op.host_ops = 6;  // view, index, view, permute, contiguous, unsqueeze
    if (c.attention == AttentionImpl::math) {
      op.flops = b * h * n * n;
      op.bytes += 2 * scores + bias;
      op.kernels += 1;
      op.host_ops += 1;
    }
    op.live_bytes = 4 * bnd + bias + (c.attention == AttentionImpl::math ? scores : 0);
  }
  const double bias_read = c.rel_pos_bias ? b * h * n * n * e : 0;  // [bytes] by the attention
  if (c.rel_pos_bias) add_cast(depth * h * n * n, depth);  // autocast: the fp32 bias for the scores
  if (c.attention == AttentionImpl::fused) {
    Operator& op = out->Add(OpKind::attn_fused, OpClass::attention, depth);
    op.gemm = {n, n, hd, b * h};       // the score product's tiling drives the wave count
    op.macs = 2 * b * h * n * n * hd;  // Q K^T and P V
    op.flops = 2 * op.macs + 5 * b * h * n * n;
    op.bytes = 4 * bnd + bias_read;  // read q, k, v (and the bias); write the output
    op.additive_bias = c.rel_pos_bias;
    op.live_bytes = 5 * bnd + (c.rel_pos_bias ? h * n * n * e : 0);
    op.kernels = 1;
    op.host_ops = 4;  // scaled_dot_product_attention, backend choice, kernel call, view
  } else {
    Operator& s = out->Add(OpKind::attn_scores, OpClass::matmul, depth);
    // The score matrix's leading dimension is the token count: unless its rows are a multiple
    // of 16 B (8 bf16 elements; odd with the class token) both products miss the aligned
    // (TMA/wgmma) kernels and run on align1 or SIMT fallbacks.
    const bool aligned = std::fmod(n * e, arch ? arch->gemm_alignment_bytes : 16.0) == 0;
    gemm(s, n, n, hd, b * h, 2 * bnd, 0, scores);
    s.gemm.aligned = aligned;
    s.gemm.simt = !aligned && arch && arch->MisalignedGemmRunsOnSimt(b * h * n * n);
    s.bytes += 2 * bnd / 3;  // q * scale, a separate pass over q
    s.kernels = fused ? 1 : 2;
    s.host_ops = 7;  // q * scale, transpose, matmul (expand, reshape, bmm, view)
    s.live_bytes = 4 * bnd + scores;
    Operator& sm = out->Add(OpKind::softmax, OpClass::elementwise, depth);
    sm.flops = 5 * b * h * n * n;
    // A row of up to 1024 elements stays in one warp's registers (read once, written once);
    // longer rows go to the block softmax, which reads its input three times (max, sum of
    // exponentials, normalised output) before the one write.
    // Autocast runs softmax in fp32 on a cast-up copy; the product with v casts it back.
    const double scores_in = casts ? b * h * n * n * 4 : scores;
    sm.bytes = (n <= 1024 ? 2 : 4) * scores_in;
    add_cast(depth * 2 * b * h * n * n, depth * 2);
    sm.live_bytes = 4 * bnd + 2 * scores;
    sm.kernels = 1;
    sm.host_ops = 1;
    sm.rows = b * h * n;
    Operator& v = out->Add(OpKind::attn_values, OpClass::matmul, depth);
    gemm(v, n, hd, n, b * h, scores + bnd / 3, 0, bnd);
    v.gemm.aligned = aligned;
    v.live_bytes = 4 * bnd + scores + bnd;
    v.host_ops = 5;  // matmul (expand, reshape, bmm, view)
  }
  if (!fused) {
    // Copies that make heads contiguous: the math path splits q, k, v and merges the output
    // (4 copies). The fused kernel reads strided q, k, v and writes its output in token-major
    // order, so the head merge is a view: no kernel (CUPTI: 10 kernels per block, none a copy).
    const double copies = c.attention == AttentionImpl::math ? 4 : 0;
    Operator& op = out->Add(OpKind::attn_reshape, OpClass::elementwise, depth);
    op.bytes = 2 * copies * bnd;
    op.live_bytes = 5 * bnd;
    op.kernels = copies;
    op.host_ops = 7;  // reshape, permute, three selects; transpose, reshape
  }
  {
    Operator& op = out->Add(OpKind::proj, OpClass::matmul, depth);
    gemm(op, b * n, d, d, 1, bnd, (d * d + d) * e, bnd);
    op.live_bytes = 3 * bnd;
  }
  if (c.layer_scale) {
    // gamma * branch before each residual add; compiled, it folds into the add.
    Operator& op = out->Add(OpKind::layer_scale, OpClass::elementwise, 2 * depth);
    op.flops = b * n * d;
    // gamma is a parameter: under autocast fp32, so the scaled branch is fp32 too.
    op.bytes = fused ? 0 : bnd + b * n * d * es + d * ew;
    // gamma broadcasts over the tokens, so eager's multiply is unvectorised and reads the branch
    // with scalar loads (CUPTI, zoo_study: DeiT-III's at batch 256 moves 1.5 TB/s, the
    // vectorised residual add beside it 4.3 TB/s).
    op.strided_read_bytes = fused ? 0 : bnd;
    op.unvectorised_kernels = fused ? 0 : 1;
    op.live_bytes = 3 * bnd;
    op.kernels = fused ? 0 : 1;
    op.host_ops = fused ? 0 : 1;
  }
  {
    Operator& op = out->Add(OpKind::residual_add, OpClass::elementwise, 2 * depth);
    op.flops = b * n * d;
    // Fused into the next LayerNorm (which reads one operand and writes the normalised
    // stream), the add reads the other operand and writes the sum: never re-read separately.
    // Under autocast the sum is fp32: the stream read and written at es, the branch at e (at es
    // once an fp32 layer scale has multiplied it).
    const double branch = c.layer_scale && !fused ? b * n * d * es : bnd;
    op.bytes = fused ? branch + stream : 2 * stream + branch;
    if (transposed_stream) {  // the branch, across the stream
      op.transposed_read_bytes = branch;
      op.transposed_read_elements = b * n * d;
      op.unvectorised_kernels = 1;
    }
    op.live_bytes = 3 * bnd;
    op.kernels = fused ? 0 : 1;
    op.host_ops = fused ? 0 : 1;
  }
  const bool glu = c.mlp != MlpKind::gelu;
  const double mlp_inputs = c.mlp == MlpKind::swiglu ? 2 : 1;  // projections reading the stream
  add_cast(depth * mlp_inputs * b * n * d, depth * mlp_inputs);
  if (c.mlp == MlpKind::swiglu) {
    Operator& op = out->Add(OpKind::mlp_gate, OpClass::matmul, depth);
    gemm(op, b * n, f, d, 1, bnd, (d * f + f) * e, bnf);
    op.live_bytes = 2 * bnd + bnf;
  }
  {
    // Packed SwiGLU: one projection to gate and value side by side, twice the width.
    const double width = c.mlp == MlpKind::swiglu_packed ? 2 * f : f;
    Operator& op = out->Add(OpKind::mlp_up, OpClass::matmul, depth);
    gemm(op, b * n, width, d, 1, bnd, (d * width + width) * e, b * n * width * e);
    op.live_bytes = 2 * bnd + (glu ? 2 * bnf : bnf);
  }
  if (glu) {
    // SiLU(gate) * value: two kernels eager (silu, mul: 5 passes of a hidden-width tensor); one
    // compiled (gate and value read, product written).
    Operator& op = out->Add(OpKind::glu, OpClass::elementwise, depth);
    op.flops = 6 * b * n * f;
    op.bytes = fused ? 3 * bnf : 5 * bnf;
    op.live_bytes = bnd + 3 * bnf;
    op.kernels = fused ? 1 : 2;
    op.host_ops = fused ? 1 : 3;  // chunk, silu, mul
  } else {
    // Compiled too: Inductor's default mode keeps cuBLAS for the up-projection (an extern
    // kernel, no epilogue it controls) and runs GELU as a kernel of its own (CUPTI, rq3_compiled,
    // AOTInductor: triton_poi_fused_gelu, one per block, the eager kernel's time).
    Operator& op = out->Add(OpKind::gelu, OpClass::elementwise, depth);
    op.flops = 8 * b * n * f;
    op.bytes = 2 * bnf;
    op.live_bytes = bnd + 2 * bnf;
    op.kernels = 1;
    op.host_ops = 1;
  }
  if (c.mlp_norm) {
    // Autocast: the hidden activations cast up for an fp32 LayerNorm, and back for fc2.
    Operator* op = layernorm(OpKind::mlp_norm, depth, b * n, f, fused ? e : es, fused ? e : es);
    op->live_bytes = bnd + 2 * bnf;
    add_cast(depth * 2 * b * n * f, depth * 2);
  }
  {
    Operator& op = out->Add(OpKind::mlp_down, OpClass::matmul, depth);
    gemm(op, b * n, d, f, 1, bnf, (f * d + d) * e, bnd);
    op.live_bytes = 2 * bnd + bnf;
  }
  if (c.final_norm == FinalNorm::tokens) stream_layernorm(OpKind::final_norm, 1);
  if (c.output != OutputKind::tokens) {
    if (c.pooling == Pooling::map) {
      // timm's AttentionPoolLatent: one latent query per image attends over all tokens, then
      // proj, norm, a GELU MLP and the residual add on one vector per image.
      add_cast(b * n * d + 2 * b * d, 3);  // autocast: the stream for kv, the query and MLP inputs
      Operator& kv = out->Add(OpKind::map_kv, OpClass::matmul, 1);
      gemm(kv, b * n, 2 * d, d, 1, bnd, (2 * d * d + 2 * d) * e, 2 * bnd);
      kv.live_bytes = 3 * bnd;
      Operator& q = out->Add(OpKind::map_q_proj, OpClass::matmul, 2);
      gemm(q, b, d, d, 1, b * d * e, (d * d + d) * e, b * d * e);
      q.live_bytes = 2 * bnd + 2 * b * d * e;
      Operator& at = out->Add(OpKind::map_attention, OpClass::attention, 1);
      at.gemm = {1, n, hd, b * h};
      at.macs = 2 * b * h * n * hd;
      at.flops = 2 * at.macs + 5 * b * h * n;
      at.bytes = 2 * bnd + 2 * b * d * e;
      at.live_bytes = 2 * bnd + 2 * b * d * e;
      at.kernels = 1;
      at.host_ops = 4;
      Operator& mlp = out->Add(OpKind::map_mlp, OpClass::matmul, 2);  // up and down
      gemm(mlp, b, f, d, 1, b * d * e, (d * f + f) * e, b * f * e);
      mlp.live_bytes = 2 * b * (d + f) * e;
    }
    Operator& op = out->Add(OpKind::pool, OpClass::elementwise, 1);
    switch (c.pooling) {
      case Pooling::cls:
        // The class token is a select, a view the head GEMM reads with a row stride: no kernel.
        op.live_bytes = bnd + b * d * e;
        op.host_ops = 1;  // select
        break;
      case Pooling::mean:
        op.flops = b * p * d;  // the patch tokens, prefix excluded
        op.bytes = b * p * d * es + b * d * es;
        op.live_bytes = bnd + b * d * e;
        op.kernels = 1;
        op.host_ops = 2;  // narrow + mean
        break;
      case Pooling::map:
        // The head's LayerNorm, GELU and residual add on [B, dim] and [B, hidden] vectors.
        op.flops = 8 * b * d + 8 * b * f + b * d;
        op.bytes = (4 * b * d + 2 * b * f + 3 * b * d) * e;
        op.live_bytes = 2 * b * (d + f) * e;
        op.kernels = 3;
        op.rows = b;
        op.host_ops = 20;  // expand, reshapes, transposes, unbind, sdpa wrapper, norm, gelu, add
        break;
    }
    if (c.final_norm == FinalNorm::pooled) layernorm(OpKind::final_norm, 1, b, d, es, es);
  }
  if (c.output == OutputKind::logits) {
    add_cast(b * d, 1);  // autocast: the fp32 pooled feature
    Operator& op = out->Add(OpKind::head, OpClass::matmul, 1);
    gemm(op, b, c.classes, d, 1, b * d * e, (d * c.classes + c.classes) * e, b * c.classes * e);
    op.live_bytes = b * d * e + b * c.classes * e;
  }
  if (c.autocast) {
    // Activations alive beside each block operator: the residual stream is fp32 (counted at the
    // products' precision above), and in eager mode a product reading the normalised stream
    // holds its fp32 original beside the cast copy.
    const double stream_extra = stream - bnd;
    for (int i = 0; i < out->size; ++i) {
      Operator& op = out->ops[i];
      if (!InsideBlock(op.kind)) continue;
      op.live_bytes += stream_extra;
      const bool reads_stream =
          op.kind == OpKind::qkv || op.kind == OpKind::mlp_up || op.kind == OpKind::mlp_gate;
      if (casts && reads_stream) op.live_bytes += stream;
    }
  }
  if (cast_calls > 0) {
    // Each cast reads fp32 and writes the products' precision: a streaming kernel, dispatched
    // as to -> _to_copy -> copy_.
    Operator& op = out->Add(OpKind::autocast_cast, OpClass::elementwise, 1);
    op.bytes = cast_elements * (4 + e);
    op.kernels = cast_calls;
    op.host_ops = 2 * cast_calls;
    op.live_bytes = b * pixels * (4 + e);
  }
}

double DependentPasses(const Operator& op) {
  if (op.kernels <= 0) return 0;
  const bool reduces = op.op_class != OpClass::elementwise || op.rows > 0;
  if (reduces) return 2 + (op.kernels - 1) + op.unvectorised_kernels;
  return op.bytes > 0 ? op.kernels + op.unvectorised_kernels : 0;
}

double OperatorList::TotalFlops() const {
  double t = 0;
  for (const auto& op : *this) t += op.repeat * op.flops;
  return t;
}
double OperatorList::TotalBytes() const {
  double t = 0;
  for (const auto& op : *this) t += op.repeat * op.bytes;
  return t;
}
double OperatorList::TotalKernels() const {
  double t = 0;
  for (const auto& op : *this) t += op.repeat * op.kernels;
  return t;
}
double OperatorList::TotalHostOps() const {
  double t = 0;
  for (const auto& op : *this) t += op.repeat * op.host_ops;
  return t;
}
double OperatorList::PeakLiveBytes() const {
  double peak = 0;
  for (const auto& op : *this) peak = op.live_bytes > peak ? op.live_bytes : peak;
  return peak;
}
double OperatorList::MatmulMacs() const {
  double macs = 0;
  for (const auto& op : *this) macs += op.repeat * op.macs;
  return macs;
}

std::string DescribeShape(const Operator& op) {
  std::ostringstream s;
  if (op.gemm.count > 0) {
    s << static_cast<long long>(op.gemm.m) << "x" << static_cast<long long>(op.gemm.n) << "x"
      << static_cast<long long>(op.gemm.k);
    if (op.gemm.count > 1) s << " (x" << static_cast<long long>(op.gemm.count) << ")";
  } else {
    s << static_cast<long long>(op.bytes) << " B";
  }
  return s.str();
}

}  // namespace vitperf
