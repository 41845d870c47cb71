"""Reads a timm ViT module's architecture into a vitperf config dict (model/vit_config.h).

Duck-typed: it looks at the submodules timm builds (patch embedding, blocks, tokens, norms,
pooling, head), so it works on any object with timm's VisionTransformer, Eva or Beit attribute
layout and needs neither torch nor timm to be imported. scripts/timm_zoo.py reads the zoo with
the same functions.
"""

import math


class Unsupported(Exception):
    """The module has a part vitperf's ViTConfig cannot express; the message names it."""


def type_name(module):
    return type(module).__name__ if module is not None else "None"


def is_identity(module):
    return module is None or type_name(module) == "Identity"


def has_bias(linear):
    return linear is not None and getattr(linear, "bias", None) is not None


def numel(tensor):
    return int(math.prod(tensor.shape)) if tensor is not None else 0


def read_mlp(mlp, dim):
    """(kind, hidden width feeding fc2, hidden norm) of a timm Mlp / GluMlp / SwiGLU."""
    kind_name = type_name(mlp)
    norm = not is_identity(getattr(mlp, "norm", None))
    if hasattr(mlp, "fc1_g") and hasattr(mlp, "fc1_x"):  # timm.layers.SwiGLU: two up-projections
        if mlp.fc1_g.out_features != mlp.fc1_x.out_features:
            raise Unsupported("SwiGLU with unequal gate and value widths")
        return "swiglu", mlp.fc1_x.out_features, norm
    fc1, fc2 = mlp.fc1, mlp.fc2
    if fc1.in_features != dim or fc2.out_features != dim:
        raise Unsupported(f"MLP {kind_name} is not dim -> hidden -> dim")
    if fc1.out_features == 2 * fc2.in_features:  # GluMlp / SwiGLUPacked: fc1 holds both halves
        return "swiglu_packed", fc2.in_features, norm
    if fc1.out_features != fc2.in_features:
        raise Unsupported(f"MLP {kind_name} with fc1 {fc1.out_features} -> fc2 {fc2.in_features}")
    return "gelu", fc1.out_features, norm


def read_qkv_bias(attn):
    """'qkv' (one biased fused linear), 'qv' (BEiT/EVA: q and v bias parameters, k none), 'none'."""
    if getattr(attn, "q_bias", None) is not None:
        if getattr(attn, "v_bias", None) is None:
            raise Unsupported("q bias without v bias")
        if has_bias(getattr(attn, "qkv", None)):
            raise Unsupported("both a qkv bias and separate q/v biases")
        return "qv"
    qkv = getattr(attn, "qkv", None)
    if qkv is None:  # separate q/k/v projections (Eva with qkv_fused=False)
        biases = [has_bias(getattr(attn, n)) for n in ("q_proj", "k_proj", "v_proj")]
        if biases == [True, True, True]:
            return "qkv"
        if biases == [True, False, True]:
            return "qv"
        if not any(biases):
            return "none"
        raise Unsupported(f"q/k/v biases {biases}")
    return "qkv" if has_bias(qkv) else "none"


def read_pooling(model):
    pool = getattr(model, "global_pool", "token")
    if pool in ("token", ""):
        return "cls"
    if pool == "avg":
        return "mean"
    if pool == "map":
        return "map"
    raise Unsupported(f"global_pool '{pool}'")


def read_config(model, name, input_size):
    """The vitperf ViTConfig JSON of a timm VisionTransformer, Eva or Beit module."""
    proj = model.patch_embed.proj
    if proj.kernel_size[0] != proj.kernel_size[1] or tuple(proj.stride) != tuple(proj.kernel_size):
        raise Unsupported(f"patch embedding kernel {proj.kernel_size} stride {proj.stride}")
    dim = proj.out_channels
    blocks = list(model.blocks)
    block = blocks[0]
    attn = block.attn
    heads = attn.num_heads
    mlp_kind, mlp_hidden, mlp_norm = read_mlp(block.mlp, dim)

    # Layer scale: timm's LayerScale modules (ls1/ls2) or BEiT/EVA's gamma_1/gamma_2 parameters.
    layer_scale = not is_identity(getattr(block, "ls1", None)) or (
        getattr(block, "gamma_1", None) is not None)
    q_norm = not is_identity(getattr(attn, "q_norm", None))
    k_norm = not is_identity(getattr(attn, "k_norm", None))
    if q_norm != k_norm:
        raise Unsupported("q norm without k norm")
    if not is_identity(getattr(attn, "norm", None)):
        raise Unsupported("attention inner norm (scale_attn_inner)")
    rel_pos_bias = getattr(attn, "relative_position_bias_table", None) is not None
    if getattr(model, "rel_pos_bias", None) is not None:
        raise Unsupported("shared relative position bias")
    rope = getattr(model, "rope", None) is not None

    class_token = getattr(model, "cls_token", None) is not None
    reg_token = getattr(model, "reg_token", None)
    registers = int(reg_token.shape[1]) if reg_token is not None else 0
    prefix = (1 if class_token else 0) + registers
    grid = model.patch_embed.grid_size
    patches = int(grid[0]) * int(grid[1])
    pos = getattr(model, "pos_embed", None)
    if pos is None:
        pos_embed = "none"
    elif pos.shape[1] == patches + prefix:
        pos_embed = "learned"
    elif pos.shape[1] == patches:
        pos_embed = "patches"
    else:
        raise Unsupported(f"position embedding of {pos.shape[1]} tokens ({patches} patches)")

    norm = not is_identity(getattr(model, "norm", None))
    fc_norm = not is_identity(getattr(model, "fc_norm", None))
    if norm and fc_norm:
        raise Unsupported("both a token norm and a pooled norm")
    final_norm = "tokens" if norm else ("pooled" if fc_norm else "none")
    head = getattr(model, "head", None)
    classes = head.out_features if head is not None and not is_identity(head) else 0
    if getattr(model, "head_drop", None) is not None and type_name(model.head_drop) not in (
            "Dropout", "Identity"):
        raise Unsupported("head_drop " + type_name(model.head_drop))

    for b in blocks[1:]:
        if read_mlp(b.mlp, dim) != (mlp_kind, mlp_hidden, mlp_norm) or b.attn.num_heads != heads:
            raise Unsupported("blocks differ from each other")

    config = {
        "name": name,
        "image_height": int(input_size[1]),
        "image_width": int(input_size[2]),
        "patch": int(proj.kernel_size[0]),
        "channels": int(proj.in_channels),
        "dim": int(dim),
        "depth": len(blocks),
        "heads": int(heads),
        "mlp_hidden": int(mlp_hidden),
        "classes": int(classes),
        "class_token": class_token,
        "register_tokens": registers,
        "pooling": read_pooling(model),
        "output": "logits" if classes > 0 else "pooled",
        "mlp": mlp_kind,
        "mlp_norm": mlp_norm,
        "layer_scale": layer_scale,
        "pre_norm": not is_identity(getattr(model, "norm_pre", None)),
        "patch_bias": proj.bias is not None,
        "qk_norm": q_norm,
        "qkv_bias": read_qkv_bias(attn),
        "qkv_fused": getattr(attn, "qkv", None) is not None,
        "pos_embed": pos_embed,
        "rope": rope,
        "rel_pos_bias": rel_pos_bias,
        "final_norm": final_norm,
    }
    # A stride-p convolution drops the rows and columns past the last whole patch (So400m/14 at
    # 384 px sees 27 x 14 = 378): the config describes the pixels the model reads.
    if grid[0] != input_size[1] // config["patch"] or grid[1] != input_size[2] // config["patch"]:
        raise Unsupported(f"input {input_size} does not give the patch grid {grid}")
    config["image_height"] = int(grid[0]) * config["patch"]
    config["image_width"] = int(grid[1]) * config["patch"]
    return config


def config_from_timm(model, name=None, input_size=None):
    """The vitperf config dict of a live timm ViT (VisionTransformer, Eva or Beit).

    ``input_size``: (channels, height, width); default the model's pretrained_cfg input size, else
    its patch embedding's image size. ``name``: default the pretrained_cfg architecture, else the
    class name. Raises Unsupported naming a part vitperf's config cannot express.
    """
    cfg = getattr(model, "pretrained_cfg", None) or {}
    if input_size is None:
        if "input_size" in cfg:
            input_size = tuple(cfg["input_size"])
        else:
            img_size = getattr(model.patch_embed, "img_size", None)
            if img_size is None:
                raise Unsupported("no input size: pass input_size=(3, height, width)")
            if isinstance(img_size, int):
                img_size = (img_size, img_size)
            input_size = (int(model.patch_embed.proj.in_channels), *img_size)
    if name is None:
        name = cfg.get("architecture") or type_name(model)
    return read_config(model, name, tuple(int(v) for v in input_size))
