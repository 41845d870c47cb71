"""The ViT of a vitperf ViTConfig in PyTorch: the same network as measure/vit_module.cpp, module
for module and operator for operator, with the same parameter names, so that the weights the C++
module draws (written by `vitperf measure --aoti-prepare` as a tensor archive, see
measure/tensor_archive.h) load into it unchanged and both compute the same function.

Shared by scripts/aoti_compile.py (torch.export + AOTInductor) and
scripts/python_compile_compare.py (torch.compile vs eager). Needs PyTorch >= 2.0 (SDPA); the
archive reader and the config checks below need only the standard library.

Keep in step with measure/vit_module.cpp: a change there is a change here.
"""

import json
import math
import os
import struct

TENSOR_ARCHIVE_SCHEMA = "vitperf.tensor_archive"
AOTI_REQUEST_SCHEMA = "vitperf.aoti_request"
AOTI_SIDECAR_SCHEMA = "vitperf.aoti_package"
AOTI_SCHEMA_VERSION = 1

# The ViTConfig fields (model/vit_config.h) with their defaults; JSON omits a variant at its
# default.
CONFIG_DEFAULTS = {
    "name": "custom", "image_height": 224, "image_width": 224, "patch": 16, "channels": 3,
    "dim": 768, "depth": 12, "heads": 12, "mlp_ratio": 4.0, "classes": 1000,
    "class_token": True, "pooling": "cls", "output": "logits", "precision": "bf16",
    "attention": "fused", "register_tokens": 0, "mlp": "gelu", "mlp_hidden": 0,
    "mlp_norm": False, "layer_scale": False, "pre_norm": False, "patch_bias": True,
    "qk_norm": False, "qkv_bias": "qkv", "qkv_fused": True, "pos_embed": "learned",
    "rope": False, "rel_pos_bias": False, "final_norm": "tokens",
}
ENUMS = {
    "pooling": ("cls", "mean", "map"), "output": ("logits", "pooled", "tokens"),
    "precision": ("fp32", "tf32", "fp16", "bf16"), "attention": ("math", "fused"),
    "mlp": ("gelu", "swiglu_packed", "swiglu"), "qkv_bias": ("qkv", "qv", "none"),
    "pos_embed": ("learned", "patches", "none"), "final_norm": ("tokens", "pooled", "none"),
}


class ConfigError(ValueError):
    """A config field outside what the C++ side accepts; the message names the field."""


def read_config(obj):
    """A ViTConfig JSON object -> a dict with every field. Raises ConfigError naming the field."""
    if not isinstance(obj, dict):
        raise ConfigError("config: expected a JSON object")
    unknown = sorted(set(obj) - set(CONFIG_DEFAULTS))
    if unknown:
        raise ConfigError("config: unknown key '%s' (accepted: %s)"
                          % (unknown[0], ", ".join(CONFIG_DEFAULTS)))
    c = dict(CONFIG_DEFAULTS)
    c.update(obj)
    for key, values in ENUMS.items():
        if c[key] not in values:
            raise ConfigError("%s: '%s' is not one of %s" % (key, c[key], ", ".join(values)))
    for key in ("image_height", "image_width", "patch", "channels", "dim", "depth", "heads"):
        if not isinstance(c[key], int) or isinstance(c[key], bool) or c[key] <= 0:
            raise ConfigError("%s: must be a positive integer" % key)
    if c["image_height"] % c["patch"] or c["image_width"] % c["patch"]:
        raise ConfigError("patch: %d does not divide the image" % c["patch"])
    if c["dim"] % c["heads"]:
        raise ConfigError("heads: %d does not divide dim %d" % (c["heads"], c["dim"]))
    return c


def mlp_hidden(c):
    """As timm and ViTConfig::MlpHidden: int(dim * ratio) unless given."""
    return c["mlp_hidden"] if c["mlp_hidden"] > 0 else int(c["dim"] * c["mlp_ratio"])


def grid(c):
    return c["image_height"] // c["patch"], c["image_width"] // c["patch"]


def prefix_tokens(c):
    return (1 if c["class_token"] else 0) + c["register_tokens"]


def position_tokens(c):
    gh, gw = grid(c)
    patches = gh * gw
    if c["pos_embed"] == "learned":
        return patches + prefix_tokens(c)
    return patches if c["pos_embed"] == "patches" else 0


def relative_distances(c):
    gh, gw = grid(c)
    return (2 * gh - 1) * (2 * gw - 1) + 3


# ---- the tensor archive (measure/tensor_archive.h), read with the standard library ----------

def read_archive_index(index_path):
    """The archive's index, checked against its data file; raises ValueError naming the field."""
    with open(index_path, "r", encoding="utf-8") as f:
        index = json.load(f)
    where = "weights index %s" % index_path
    if index.get("schema") != TENSOR_ARCHIVE_SCHEMA or index.get("schema_version") != 1:
        raise ValueError("%s: schema: expected %s version 1" % (where, TENSOR_ARCHIVE_SCHEMA))
    if index.get("byte_order") != "little":
        raise ValueError("%s: byte_order: only little-endian archives are read" % where)
    data_path = os.path.join(os.path.dirname(index_path), index["data"])
    size = os.path.getsize(data_path)
    if size != index["data_bytes"]:
        raise ValueError("%s: data: %s has %d bytes, data_bytes says %d"
                         % (where, data_path, size, index["data_bytes"]))
    element = {"float32": 4, "int64": 8}
    for t in index["tensors"]:
        if t["dtype"] not in element:
            raise ValueError("%s: %s: dtype: '%s' is not one of float32, int64"
                             % (where, t["name"], t["dtype"]))
        numel = 1
        for extent in t["shape"]:
            numel *= extent
        if t["bytes"] != numel * element[t["dtype"]] or t["offset"] + t["bytes"] > size:
            raise ValueError("%s: %s: bytes or offset do not match the shape" % (where, t["name"]))
    return index, data_path


def archive_first_values(index_path, count=4):
    """{name: first `count` values} decoded with struct: what the self-test compares."""
    index, data_path = read_archive_index(index_path)
    out = {}
    with open(data_path, "rb") as f:
        for t in index["tensors"]:
            fmt = "<f" if t["dtype"] == "float32" else "<q"
            size = struct.calcsize(fmt)
            n = min(count, t["bytes"] // size)
            f.seek(t["offset"])
            raw = f.read(n * size)
            out[t["name"]] = [struct.unpack_from(fmt, raw, i * size)[0] for i in range(n)]
    return out


def load_archive(torch, index_path):
    """{name: CPU tensor} of an archive, bit for bit what the C++ module held."""
    index, data_path = read_archive_index(index_path)
    with open(data_path, "rb") as f:
        blob = bytearray(f.read())
    dtypes = {"float32": torch.float32, "int64": torch.int64}
    state = {}
    for t in index["tensors"]:
        if t["bytes"] == 0:
            state[t["name"]] = torch.empty(t["shape"], dtype=dtypes[t["dtype"]])
            continue
        flat = torch.frombuffer(blob, dtype=dtypes[t["dtype"]],
                                count=t["bytes"] // (4 if t["dtype"] == "float32" else 8),
                                offset=t["offset"])
        state[t["name"]] = flat.clone().reshape(t["shape"])
    return state


# ---- the network ----------------------------------------------------------------------------

def torch_dtype(torch, precision):
    """Storage type of weights and activations (ComputeDtype: tf32 stores fp32)."""
    return {"fp16": torch.float16, "bf16": torch.bfloat16,
            "fp32": torch.float32, "tf32": torch.float32}[precision]


def build_model(torch, config):
    """A torch.nn.Module computing what VitModule computes for `config` (a dict from
    read_config), with default-initialised weights: load the archive before using it."""
    nn = torch.nn
    F = torch.nn.functional
    c = config
    fused = c["attention"] == "fused"

    def layer_norm(width):
        return nn.LayerNorm(width, eps=1e-6)  # timm's eps

    def attend(q, k, v, bias, scale):
        if fused:
            return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        scores = torch.matmul(q * scale, k.transpose(-2, -1))  # math: N x N materialised
        if bias is not None:
            scores = scores + bias
        return torch.matmul(scores.softmax(-1), v)

    def apply_rope(x, sin, cos):
        # timm's rot(): (x0, x1) -> (-x1, x0) per channel pair, then x * cos + rot(x) * sin.
        rotated = torch.stack([-x[..., 1::2], x[..., 0::2]], -1).reshape(x.shape)
        return x * cos + rotated * sin

    def rotate_patches(x, sin, cos, prefix):
        if prefix == 0:
            return apply_rope(x, sin, cos)
        return torch.cat([x.narrow(2, 0, prefix),
                          apply_rope(x.narrow(2, prefix, x.size(2) - prefix), sin, cos)], 2)

    def relative_position_index():
        gh, gw = grid(c)
        n = gh * gw + 1
        distances = relative_distances(c)
        ys = torch.arange(gh, dtype=torch.long).repeat_interleave(gw)
        xs = torch.arange(gw, dtype=torch.long).repeat(gh)
        dy = ys.unsqueeze(1) - ys.unsqueeze(0) + (gh - 1)
        dx = xs.unsqueeze(1) - xs.unsqueeze(0) + (gw - 1)
        index = torch.empty((n, n), dtype=torch.long)
        index[1:, 1:] = dy * (2 * gw - 1) + dx
        index[0, :] = distances - 3
        index[:, 0] = distances - 2
        index[0, 0] = distances - 1
        return index

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            d, hd = c["dim"], c["dim"] // c["heads"]
            self.heads = c["heads"]
            self.prefix = prefix_tokens(c)
            self.scale = 1.0 / math.sqrt(hd)
            self.fused_qkv = c["qkv_fused"]
            self.has_qv_bias = c["qkv_fused"] and c["qkv_bias"] == "qv"
            if c["qkv_fused"]:
                self.qkv = nn.Linear(d, 3 * d, bias=c["qkv_bias"] == "qkv")
                if self.has_qv_bias:
                    self.q_bias = nn.Parameter(torch.zeros(d))
                    self.v_bias = nn.Parameter(torch.zeros(d))
            else:
                q_v = c["qkv_bias"] != "none"
                self.q_proj = nn.Linear(d, d, bias=q_v)
                self.k_proj = nn.Linear(d, d, bias=c["qkv_bias"] == "qkv")
                self.v_proj = nn.Linear(d, d, bias=q_v)
            self.qk_norm = c["qk_norm"]
            if self.qk_norm:
                self.q_norm = layer_norm(hd)
                self.k_norm = layer_norm(hd)
            self.rel_pos = c["rel_pos_bias"]
            if self.rel_pos:
                self.relative_position_bias_table = nn.Parameter(
                    torch.zeros(relative_distances(c), c["heads"]))
                # Not in the archive (C++ keeps it unregistered); integer, so .to(dtype) keeps it.
                self.register_buffer("relative_position_index", relative_position_index(),
                                     persistent=False)
            self.proj = nn.Linear(d, d)

        def forward(self, x, rope):
            b, n, ch = x.shape
            hd = ch // self.heads
            if self.fused_qkv:
                bias = self.qkv.bias
                if self.has_qv_bias:
                    bias = torch.cat([self.q_bias, torch.zeros_like(self.q_bias), self.v_bias])
                qkv = F.linear(x, self.qkv.weight, bias).reshape(b, n, 3, self.heads, hd)
                q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
            else:
                def split(layer):
                    return F.linear(x, layer.weight, layer.bias).reshape(
                        b, n, self.heads, hd).transpose(1, 2)
                q, k, v = split(self.q_proj), split(self.k_proj), split(self.v_proj)
            if self.qk_norm:
                q, k = self.q_norm(q), self.k_norm(k)
            if rope is not None:
                q = rotate_patches(q, rope[0], rope[1], self.prefix)
                k = rotate_patches(k, rope[0], rope[1], self.prefix)
            bias = None
            if self.rel_pos:
                bias = self.relative_position_bias_table.index_select(
                    0, self.relative_position_index.view(-1)).view(n, n, self.heads)
                bias = bias.permute(2, 0, 1).contiguous().unsqueeze(0).to(q.dtype)
            out = attend(q, k, v, bias, self.scale)
            return self.proj(out.transpose(1, 2).reshape(b, n, ch))

    class Mlp(nn.Module):
        def __init__(self, kind, hidden, norm):
            super().__init__()
            d = c["dim"]
            self.kind = kind
            if kind == "gelu":
                self.fc1 = nn.Linear(d, hidden)
            elif kind == "swiglu_packed":
                self.fc1 = nn.Linear(d, 2 * hidden)
            else:
                self.fc1_g = nn.Linear(d, hidden)
                self.fc1_x = nn.Linear(d, hidden)
            self.has_norm = norm
            if norm:
                self.norm = layer_norm(hidden)
            self.fc2 = nn.Linear(hidden, d)

        def forward(self, x):
            if self.kind == "gelu":
                h = F.gelu(self.fc1(x))  # exact (erf) GELU
            elif self.kind == "swiglu_packed":
                gate, value = self.fc1(x).chunk(2, -1)
                h = F.silu(gate) * value
            else:
                h = F.silu(self.fc1_g(x)) * self.fc1_x(x)
            if self.has_norm:
                h = self.norm(h)
            return self.fc2(h)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1 = layer_norm(c["dim"])
            self.attn = Attention()
            self.norm2 = layer_norm(c["dim"])
            self.mlp = Mlp(c["mlp"], mlp_hidden(c), c["mlp_norm"])
            self.layer_scale = c["layer_scale"]
            if self.layer_scale:
                self.gamma1 = nn.Parameter(torch.full((c["dim"],), 1e-5))
                self.gamma2 = nn.Parameter(torch.full((c["dim"],), 1e-5))

        def forward(self, x, rope):
            a = self.attn(self.norm1(x), rope)
            x = x + (a * self.gamma1 if self.layer_scale else a)
            m = self.mlp(self.norm2(x))
            return x + (m * self.gamma2 if self.layer_scale else m)

    class AttentionPool(nn.Module):
        def __init__(self):
            super().__init__()
            d = c["dim"]
            self.heads = c["heads"]
            self.latent = nn.Parameter(torch.zeros(1, 1, d))
            self.q = nn.Linear(d, d)
            self.kv = nn.Linear(d, 2 * d)
            self.proj = nn.Linear(d, d)
            self.norm = layer_norm(d)
            self.mlp = Mlp("gelu", mlp_hidden(c), False)

        def forward(self, x):
            b, n, ch = x.shape
            hd = ch // self.heads
            q = self.q(self.latent.expand(b, -1, -1)).reshape(b, 1, self.heads, hd).transpose(1, 2)
            kv = self.kv(x).reshape(b, n, 2, self.heads, hd).permute(2, 0, 3, 1, 4)
            o = attend(q, kv[0], kv[1], None, 1.0 / math.sqrt(hd))
            o = self.proj(o.transpose(1, 2).reshape(b, 1, ch))
            o = o + self.mlp(self.norm(o))
            return o.select(1, 0)

    class VisionTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            d = c["dim"]
            self.patch_embed = nn.Conv2d(c["channels"], d, c["patch"], stride=c["patch"],
                                         bias=c["patch_bias"])
            if c["class_token"]:
                self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
            if c["register_tokens"] > 0:
                self.reg_token = nn.Parameter(torch.zeros(1, c["register_tokens"], d))
            if position_tokens(c) > 0:
                self.pos_embed = nn.Parameter(torch.zeros(1, position_tokens(c), d))
            if c["rope"]:
                gh, gw = grid(c)
                hd = d // c["heads"]
                self.register_buffer("rope_sin", torch.zeros(gh * gw, hd))
                self.register_buffer("rope_cos", torch.zeros(gh * gw, hd))
            if c["pre_norm"]:
                self.norm_pre = layer_norm(d)
            self.blocks = nn.ModuleList([Block() for _ in range(c["depth"])])
            if c["final_norm"] == "tokens":
                self.norm = layer_norm(d)
            pools = c["output"] != "tokens"
            if pools and c["pooling"] == "map":
                self.attn_pool = AttentionPool()
            if c["final_norm"] == "pooled":
                self.fc_norm = layer_norm(d)
            if c["output"] == "logits":
                self.head = nn.Linear(d, c["classes"])

        def forward(self, images):
            x = self.patch_embed(images).flatten(2).transpose(1, 2)
            b = x.size(0)
            if c["pos_embed"] == "patches":
                x = x + self.pos_embed
            parts = []
            if c["class_token"]:
                parts.append(self.cls_token.expand(b, -1, -1))
            if c["register_tokens"] > 0:
                parts.append(self.reg_token.expand(b, -1, -1))
            if parts:
                x = torch.cat(parts + [x], 1)
            if c["pos_embed"] == "learned":
                x = x + self.pos_embed
            if c["pre_norm"]:
                x = self.norm_pre(x)
            rope = None
            if c["rope"]:
                rope = (self.rope_sin.to(x.dtype), self.rope_cos.to(x.dtype))
            for block in self.blocks:
                x = block(x, rope)
            if c["final_norm"] == "tokens":
                x = self.norm(x)
            if c["output"] == "tokens":
                return x
            prefix = prefix_tokens(c)
            if c["pooling"] == "cls":
                pooled = x.select(1, 0)
            elif c["pooling"] == "mean":
                pooled = x.narrow(1, prefix, x.size(1) - prefix).mean(1)
            else:
                pooled = self.attn_pool(x)
            if c["final_norm"] == "pooled":
                pooled = self.fc_norm(pooled)
            if c["output"] == "pooled":
                return pooled
            return self.head(pooled)

    return VisionTransformer()


def load_model(torch, config, weights_index, device):
    """build_model with the archive's weights (strict: every name on both sides), cast to the
    config's dtype and moved to `device`, in eval mode."""
    model = build_model(torch, config)
    state = load_archive(torch, weights_index)
    expected = set(model.state_dict().keys())
    missing, extra = sorted(expected - set(state)), sorted(set(state) - expected)
    if missing or extra:
        raise ValueError("weights %s do not fit the model: missing %s, unexpected %s"
                         % (weights_index, missing[:5], extra[:5]))
    model.load_state_dict(state, strict=True)
    model = model.to(device=device, dtype=torch_dtype(torch, config["precision"]))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


# ---- kernel classes (measure/cupti_tracer.h KernelClass, the same substrings in order) -----

def kernel_class(name):
    n = name.lower()

    def any_of(needles):
        return any(s in n for s in needles)
    if any_of(("flash", "fmha", "attention", "softmax", "sdpa")):
        return "attention"
    if any_of(("gemm", "cutlass", "xmma", "sm90_", "cublas", "nvjet", "gemv", "triton_tem_")):
        return "matmul"
    if any_of(("layer_norm", "layernorm", "elementwise", "vectorized", "reduce", "gelu", "add",
               "triton_poi_", "triton_red_", "triton_per_")):
        return "norm_elementwise"
    return "other"


def kernel_class_with_patch(name):
    """kernel_class, with the patch embedding's kernels apart: in a ViT the only convolution is
    the patch embedding (cuDNN's fprop kernels, its layout transposes, Inductor's fused
    convolution epilogues and templates)."""
    n = name.lower()
    if any(s in n for s in ("conv", "fprop", "nchwtonhwc", "nhwctonchw")):
        return "patch_embed"
    return kernel_class(name)


# ---- provenance -------------------------------------------------------------------------------

def git_revision(repo_root):
    """The tree's revision: .deps/git_revision on the GPU host (the tree arrives without .git,
    scripts/stamp_revision.sh wrote it), else git, else "unknown"."""
    stamped = os.path.join(repo_root, ".deps", "git_revision")
    if os.path.isfile(stamped):
        with open(stamped, "r", encoding="utf-8") as f:
            return f.read().strip() or "unknown"
    try:
        import subprocess
        out = subprocess.run(["git", "-C", repo_root, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, ValueError):
        pass
    return "unknown"


def versions(torch):
    """torch, triton, CUDA and (when there is one) the GPU and its driver."""
    out = {"torch_version": torch.__version__, "cuda_version": torch.version.cuda}
    try:
        import triton
        out["triton_version"] = triton.__version__
    except ImportError:
        out["triton_version"] = None
    if torch.cuda.is_available():
        out["device_name"] = torch.cuda.get_device_name()
        out["driver_version"] = driver_version()
    return out


def driver_version():
    try:
        import subprocess
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
        if out.returncode == 0:
            return out.stdout.strip().splitlines()[0]
    except (OSError, ValueError, IndexError):
        pass
    return None
