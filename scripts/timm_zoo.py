#!/usr/bin/env python3
"""Writes data/models/timm_zoo.json: the ViTs people run, read from timm's own model definitions.

For every model listed in ZOO below, timm builds it (pretrained=False, random weights, on the meta
device so nothing is allocated), and this script reads from the built module:
  * the architecture, as a vitperf ViTConfig (the fields of model/vit_config.h), by looking at the
    submodules timm actually created (class/register tokens, position embedding, norms, q/k norm,
    qkv biases, layer scale, MLP kind and hidden width, rotary embedding, relative position bias,
    pooling, head width);
  * the exact parameter count (sum of numel over model.parameters()), which vitperf's
    CountParameters must equal (tests/model/timm_zoo_test.cpp);
  * the multiply-accumulates of one image at the model's resolution, counted by
    torch.utils.flop_counter.FlopCounterMode on a forward pass (meta device; CPU when the meta
    forward fails). timm's pip package ships no infer_gmacs (those live in the repository's
    results/*.csv, not installed), so the JSON says where its MACs come from ("macs_source").

Nothing is typed by hand: change the list, rerun, commit the JSON.

Usage (where timm and torch are installed; no internet needed):
    python3 scripts/timm_zoo.py -o data/models/timm_zoo.json
    python3 scripts/timm_zoo.py --self-test        # checks the reading logic without timm
"""

import argparse
import datetime
import importlib.util
import json
import os
import sys
import traceback

# The reading logic lives in the Python module's timm_config.py, loaded by path so that this
# script runs without the compiled module.
_spec = importlib.util.spec_from_file_location(
    "timm_config", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python",
                                "vitperf", "timm_config.py"))
_timm_config = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_timm_config)
Unsupported, type_name, read_config, read_qkv_bias, numel = (
    _timm_config.Unsupported, _timm_config.type_name, _timm_config.read_config,
    _timm_config.read_qkv_bias, _timm_config.numel)

SCHEMA_VERSION = 1

# (family, timm model name with its pretrained tag). The tag matters: it sets the head width
# (num_classes) timm builds with, e.g. 0 for feature extractors and 512 for CLIP's projection.
ZOO = [
    ("ViT (AugReg)", "vit_tiny_patch16_224.augreg_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_tiny_patch16_384.augreg_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_small_patch32_224.augreg_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_small_patch16_224.augreg_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_small_patch16_384.augreg_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_base_patch32_224.augreg_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_base_patch16_224.augreg2_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_base_patch16_384.augreg_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_base_patch8_224.augreg2_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_large_patch16_224.augreg_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_large_patch16_384.augreg_in21k_ft_in1k"),
    ("ViT (AugReg)", "vit_huge_patch14_224.orig_in21k"),
    ("ViT-Medium", "vit_medium_patch16_gap_256.sw_in12k_ft_in1k"),
    ("ViT-Medium", "vit_medium_patch16_gap_384.sw_in12k_ft_in1k"),
    ("ViT-Medium", "vit_medium_patch16_reg4_gap_256.sbb_in12k_ft_in1k"),
    ("ViT-Betwixt", "vit_betwixt_patch16_reg4_gap_256.sbb_in12k_ft_in1k"),
    ("DeiT", "deit_tiny_patch16_224.fb_in1k"),
    ("DeiT", "deit_small_patch16_224.fb_in1k"),
    ("DeiT", "deit_base_patch16_224.fb_in1k"),
    ("DeiT", "deit_base_patch16_384.fb_in1k"),
    ("DeiT-III", "deit3_small_patch16_224.fb_in22k_ft_in1k"),
    ("DeiT-III", "deit3_medium_patch16_224.fb_in22k_ft_in1k"),
    ("DeiT-III", "deit3_base_patch16_224.fb_in22k_ft_in1k"),
    ("DeiT-III", "deit3_base_patch16_384.fb_in22k_ft_in1k"),
    ("DeiT-III", "deit3_large_patch16_224.fb_in22k_ft_in1k"),
    ("DeiT-III", "deit3_huge_patch14_224.fb_in22k_ft_in1k"),
    ("CLIP", "vit_base_patch32_clip_224.openai"),
    ("CLIP", "vit_base_patch16_clip_224.openai"),
    ("CLIP", "vit_large_patch14_clip_224.openai"),
    ("CLIP", "vit_large_patch14_clip_336.openai"),
    ("CLIP", "vit_huge_patch14_clip_224.laion2b"),
    ("CLIP", "vit_gigantic_patch14_clip_224.laion2b"),  # bigG/14
    ("DINOv2", "vit_small_patch14_dinov2.lvd142m"),
    ("DINOv2", "vit_base_patch14_dinov2.lvd142m"),
    ("DINOv2", "vit_large_patch14_dinov2.lvd142m"),
    ("DINOv2", "vit_giant_patch14_dinov2.lvd142m"),
    ("DINOv2", "vit_small_patch14_reg4_dinov2.lvd142m"),
    ("DINOv2", "vit_base_patch14_reg4_dinov2.lvd142m"),
    ("DINOv2", "vit_large_patch14_reg4_dinov2.lvd142m"),
    ("DINOv2", "vit_giant_patch14_reg4_dinov2.lvd142m"),
    ("SigLIP", "vit_base_patch16_siglip_224.webli"),
    ("SigLIP", "vit_base_patch16_siglip_256.webli"),
    ("SigLIP", "vit_base_patch16_siglip_384.webli"),
    ("SigLIP", "vit_base_patch16_siglip_512.webli"),
    ("SigLIP", "vit_large_patch16_siglip_256.webli"),
    ("SigLIP", "vit_large_patch16_siglip_384.webli"),
    ("SigLIP", "vit_so400m_patch14_siglip_224.webli"),
    ("SigLIP", "vit_so400m_patch14_siglip_384.webli"),
    ("EVA02", "eva02_base_patch14_224.mim_in22k"),
    ("EVA02", "eva02_base_patch14_448.mim_in22k_ft_in22k_in1k"),
    ("EVA02", "eva02_large_patch14_224.mim_in22k"),
    ("EVA02", "eva02_large_patch14_448.mim_m38m_ft_in22k_in1k"),
    ("BEiT", "beit_base_patch16_224.in22k_ft_in22k_in1k"),
    ("BEiT", "beit_base_patch16_384.in22k_ft_in22k_in1k"),
    ("BEiT", "beit_large_patch16_224.in22k_ft_in22k_in1k"),
    ("BEiT", "beit_large_patch16_512.in22k_ft_in22k_in1k"),
]


def count_macs(torch, model, input_size):
    """Multiply-accumulates of one image: FlopCounterMode's FLOPs / 2, by operator."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    model.requires_grad_(False)  # no autograd hooks: the attention-pool head trips them otherwise
    device = next(model.parameters()).device
    x = torch.randn((1, *input_size), device=device)
    with torch.no_grad(), counter:
        model(x)
    by_op = {}
    for op, flops in counter.get_flop_counts().get("Global", {}).items():
        parts = str(op).split(".")  # "aten.convolution" or "aten.convolution.default"
        key = parts[1] if len(parts) > 1 else parts[0]
        by_op[key] = by_op.get(key, 0) + int(flops) // 2
    return counter.get_total_flops() // 2, by_op


def build(timm, torch, full_name, device):
    if device == "meta":
        with torch.device("meta"):
            return timm.create_model(full_name, pretrained=False)
    return timm.create_model(full_name, pretrained=False)


def describe(timm, torch, family, full_name):
    base, _, tag = full_name.partition(".")
    model = build(timm, torch, full_name, "meta").eval()
    input_size = tuple(model.pretrained_cfg["input_size"])
    entry = {
        "family": family,
        "timm_name": base,
        "pretrained_tag": tag,
        "model_class": type_name(model),
        "config": read_config(model, base, input_size),
        "input_size": [int(v) for v in input_size],
        "parameters": sum(numel(p) for p in model.parameters()),
    }
    try:
        macs, by_op = count_macs(torch, model, input_size)
        entry["macs_counted_on"] = "meta"
    except Exception:  # some timm code paths read tensor values; count on the CPU instead
        model = build(timm, torch, full_name, "cpu").eval()
        macs, by_op = count_macs(torch, model, input_size)
        entry["macs_counted_on"] = "cpu"
    entry["macs_per_image"] = macs
    entry["macs_by_operator"] = by_op
    published = model.pretrained_cfg.get("infer_gmacs") if model.pretrained_cfg else None
    if published is not None:
        entry["published_infer_gmacs"] = published
    return entry


def generate(out_path, names):
    import torch
    import timm

    models, failures = [], []
    for family, full_name in ZOO:
        if names and full_name.split(".")[0] not in names and full_name not in names:
            continue
        try:
            models.append(describe(timm, torch, family, full_name))
            print(f"{full_name}: {models[-1]['parameters']} parameters", file=sys.stderr)
        except Exception as e:  # recorded, never silently dropped
            failures.append({"model": full_name, "error": f"{type(e).__name__}: {e}"})
            print(f"{full_name}: FAILED {type(e).__name__}: {e}", file=sys.stderr)
            if not isinstance(e, Unsupported):
                traceback.print_exc(file=sys.stderr)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "generated_by": "scripts/timm_zoo.py",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "timm_version": timm.__version__,
        "torch_version": torch.__version__,
        "python_version": sys.version.split()[0],
        "macs_source": "torch.utils.flop_counter.FlopCounterMode on one forward pass at the "
                       "model's input size (FLOPs / 2); timm's pip package ships no infer_gmacs",
        "models": models,
        "failures": failures,
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out_path}: {len(models)} models, {len(failures)} failures", file=sys.stderr)
    return 1 if failures else 0


# --- self-test: the reading logic on stand-in modules shaped like timm's, no timm needed -------


class _Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class _Tensor:
    def __init__(self, *shape):
        self.shape = shape


def _identity():
    return type("Identity", (), {})()


def _linear(i, o, bias=True):
    return type("Linear", (), {"in_features": i, "out_features": o,
                               "bias": _Tensor(o) if bias else None})()


def _layernorm():
    return type("LayerNorm", (), {})()


def _fake_vit(dim=384, heads=6, depth=2, grid=(16, 16), patch=14, cls=True, reg=0,
              no_embed_class=False, mlp="gelu", pool="token", classes=1000, pre_norm=False):
    hidden = 4 * dim
    if mlp == "gelu":
        m = type("Mlp", (), {"fc1": _linear(dim, hidden), "fc2": _linear(hidden, dim),
                             "norm": _identity()})()
    else:
        m = type("GluMlp", (), {"fc1": _linear(dim, 2 * hidden), "fc2": _linear(hidden, dim),
                                "norm": _identity()})()
    attn = _Obj(num_heads=heads, qkv=_linear(dim, 3 * dim), q_norm=_identity(),
                k_norm=_identity(), norm=_identity())
    block = _Obj(attn=attn, mlp=m, ls1=_identity())
    patches = grid[0] * grid[1]
    prefix = (1 if cls else 0) + reg
    proj = _Obj(kernel_size=(patch, patch), stride=(patch, patch), out_channels=dim,
                in_channels=3, bias=None if pre_norm else _Tensor(dim))
    return _Obj(patch_embed=_Obj(proj=proj, grid_size=grid), blocks=[block] * depth,
                cls_token=_Tensor(1, 1, dim) if cls else None,
                reg_token=_Tensor(1, reg, dim) if reg else None,
                pos_embed=_Tensor(1, patches + (0 if no_embed_class else prefix), dim),
                norm=_layernorm(), fc_norm=_identity(),
                norm_pre=_layernorm() if pre_norm else _identity(), global_pool=pool,
                head=_linear(dim, classes) if classes else _identity())


def self_test():
    c = read_config(_fake_vit(), "dino", (3, 224, 224))
    assert c["pos_embed"] == "learned" and c["class_token"] and c["register_tokens"] == 0, c
    assert c["mlp"] == "gelu" and c["mlp_hidden"] == 1536 and c["qkv_bias"] == "qkv", c
    assert c["qkv_fused"], c
    assert c["pooling"] == "cls" and c["final_norm"] == "tokens" and c["classes"] == 1000, c
    c = read_config(_fake_vit(reg=4, no_embed_class=True, mlp="glu", classes=0), "r", (3, 224, 224))
    assert c["register_tokens"] == 4 and c["pos_embed"] == "patches", c
    assert c["mlp"] == "swiglu_packed" and c["mlp_hidden"] == 1536 and c["output"] == "pooled", c
    c = read_config(_fake_vit(cls=False, pool="map", pre_norm=True, grid=(16, 8), patch=16),
                    "s", (3, 256, 128))
    assert c["pooling"] == "map" and not c["class_token"] and c["pre_norm"], c
    assert not c["patch_bias"] and c["image_height"] == 256 and c["image_width"] == 128, c
    c = read_config(_fake_vit(grid=(27, 27)), "so", (3, 384, 384))
    assert c["image_height"] == 378 and c["image_width"] == 378, c
    try:
        read_config(_fake_vit(grid=(16, 16)), "bad", (3, 256, 256))
        raise AssertionError("an input size off the patch grid was accepted")
    except Unsupported:
        pass
    attn = _Obj(q_bias=_Tensor(8), v_bias=_Tensor(8), qkv=_linear(8, 24, bias=False))
    assert read_qkv_bias(attn) == "qv"
    names = [n for _, n in ZOO]
    assert len(names) == len(set(names)), "duplicate model in ZOO"
    assert all("." in n for n in names), "every ZOO entry names its pretrained tag"
    print("timm_zoo.py self-test: ok")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", default="data/models/timm_zoo.json")
    parser.add_argument("--only", nargs="*", default=[], help="model names to include")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    return generate(args.output, set(args.only))


if __name__ == "__main__":
    sys.exit(main())
