"""The Python module against the command line: same content, same refusals.

Run by ctest (python_module) with PYTHONPATH=<build>/python and VITPERF_BINARY=<build>/cli/vitperf:
    python3 -m unittest discover -s tests/python -v
"""

import json
import os
import subprocess
import unittest

import vitperf

CLI = os.environ.get("VITPERF_BINARY", "")
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def cli_json(*args):
    out = subprocess.run([CLI, *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def cli_error(*args):
    """(exit status, stderr) of a command that must fail."""
    out = subprocess.run([CLI, *args], capture_output=True, text=True)
    return out.returncode, out.stderr.strip()


def without_argv(doc):
    doc = json.loads(json.dumps(doc))
    del doc["meta"]["argv"]
    return doc


@unittest.skipUnless(CLI and os.path.exists(CLI), "VITPERF_BINARY names no built vitperf")
class SameAsCommandLine(unittest.TestCase):
    def test_predict(self):
        py = vitperf.predict(model="vit_b16", gpu="h100", batch=[1, 64])
        self.assertEqual(without_argv(py),
                         without_argv(cli_json("predict", "--model", "vit_b16", "--gpu", "h100",
                                               "--batch", "1,64")))
        self.assertEqual([r["batch"] for r in py["rows"]], [1, 64])
        self.assertEqual(py["meta"]["argv"][:2], ["python", "vitperf.predict"])

    def test_predict_with_overrides_and_pipeline(self):
        py = vitperf.predict(model="vit_l16", gpu="h200", res=512, precision="fp16",
                             execution="compiled", compile_mode="max-autotune",
                             pipeline="overlapped", compute_only=False,
                             latency_slo=50, operators=True)
        self.assertEqual(
            without_argv(py),
            without_argv(cli_json("predict", "--model", "vit_l16", "--gpu", "h200", "--res",
                                  "512", "--precision", "fp16", "--execution", "compiled",
                                  "--compile-mode", "max-autotune",
                                  "--pipeline", "overlapped", "--latency-slo", "50",
                                  "--operators")))

    def test_predict_images_in_pinned_memory(self):
        py = vitperf.predict(model="vit_b16", gpu="h100", batch=256, start="pinned")
        self.assertEqual(without_argv(py),
                         without_argv(cli_json("predict", "--model", "vit_b16", "--gpu", "h100",
                                               "--batch", "256", "--start", "pinned")))
        self.assertEqual(py["options"]["start"], "pinned")

    def test_predict_under_autocast(self):
        py = vitperf.predict(model="vit_b16", gpu="rtx4090", batch=256, precision="fp16",
                             autocast=True, compute_only=True)
        self.assertEqual(without_argv(py),
                         without_argv(cli_json("predict", "--model", "vit_b16", "--gpu",
                                               "rtx4090", "--batch", "256", "--precision", "fp16",
                                               "--autocast", "on", "--compute-only")))
        self.assertTrue(py["config"]["autocast"])
        pure = vitperf.predict(model="vit_b16", gpu="rtx4090", batch=256, precision="fp16",
                               compute_only=True)
        # the fp32 stream and the casts cost time eager
        self.assertLess(py["rows"][0]["throughput_ips"], pure["rows"][0]["throughput_ips"])

    def test_best(self):
        py = vitperf.best(model="vit_s16", gpu="l4", latency_slo=20, top=3)
        self.assertEqual(without_argv(py),
                         without_argv(cli_json("best", "--model", "vit_s16", "--gpu", "l4",
                                               "--latency-slo", "20", "--top", "3")))
        self.assertLessEqual(len(py["top"]), 3)

    def test_models_and_gpus(self):
        self.assertEqual(without_argv(vitperf.models()), without_argv(cli_json("models")))
        gpus = vitperf.gpus()
        self.assertEqual(without_argv(gpus), without_argv(cli_json("gpus")))
        self.assertIn("h100-sxm", [g["name"] for g in gpus["gpus"]])

    def test_validate(self):
        data = os.path.join(SOURCE_DIR, "data", "measurements", "h200", "quick_test.jsonl")
        py = vitperf.validate("h200", data, max_mape=1000)
        self.assertEqual(without_argv(py),
                         without_argv(cli_json("validate", "--profile", "h200", "--data", data,
                                               "--max-mape", "1000")))
        self.assertTrue(py["passed"])
        failing = vitperf.validate("h200", [data], max_mape=0)
        self.assertFalse(failing["passed"])  # a failed bound is a result, not an exception

    def test_config_dict_as_model(self):
        config = vitperf.models()["models"][0]["config"]
        by_dict = vitperf.predict(model=config, gpu="a100-80gb", batch=8)
        by_name = vitperf.predict(model=config["name"], gpu="a100-80gb", batch=8)
        self.assertEqual(by_dict["rows"], by_name["rows"])


@unittest.skipUnless(CLI and os.path.exists(CLI), "VITPERF_BINARY names no built vitperf")
class RefusesAsCommandLine(unittest.TestCase):
    """Bad input: ValueError with the command line's one line (which exits 2)."""

    def check_same(self, cli_args, **kwargs):
        code, stderr = cli_error(*cli_args)
        self.assertEqual(code, 2, stderr)
        with self.assertRaises(ValueError) as raised:
            vitperf.predict(**kwargs)
        self.assertEqual("vitperf: error: " + str(raised.exception), stderr)

    def test_unknown_model(self):
        self.check_same(["predict", "--model", "vit_b17"], model="vit_b17")

    def test_bad_precision(self):
        self.check_same(["predict", "--precision", "fp7"], precision="fp7")

    def test_autocast_at_fp32(self):
        self.check_same(["predict", "--autocast", "on", "--precision", "fp32"], autocast=True,
                        precision="fp32")

    def test_bad_batch(self):
        self.check_same(["predict", "--batch", "0"], batch=0)

    def test_resolution_out_of_range(self):
        self.check_same(["predict", "--res", "0"], res=0)

    def test_unknown_gpu(self):
        self.check_same(["predict", "--gpu", "h1000"], gpu="h1000")

    def test_unknown_keyword(self):
        with self.assertRaisesRegex(ValueError, r"^resolution: not a keyword of vitperf.predict "
                                                r"\(accepted: model, .*res, .*\)$"):
            vitperf.predict(resolution=512)

    def test_bad_config_dict(self):
        with self.assertRaisesRegex(ValueError, "depth"):
            vitperf.predict(model={"depth": "twelve"})


class _Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class _Tensor:
    def __init__(self, *shape):
        self.shape = shape


def _module(kind, **attributes):
    """An object whose class is named like timm's (the reader looks at class names)."""
    return type(kind, (), attributes)()


def _linear(i, o, bias=True):
    return _module("Linear", in_features=i, out_features=o, bias=_Tensor(o) if bias else None)


def fake_timm_vit(dim=192, heads=3, depth=12, patch=16, img=224, reg=0, classes=1000,
                  global_pool="token", fc_norm=False):
    """The attribute layout of timm.models.vision_transformer.VisionTransformer."""
    grid = (img // patch, img // patch)
    prefix = 1 + reg
    identity = lambda: _module("Identity")  # noqa: E731
    block = _Obj(attn=_Obj(num_heads=heads, qkv=_linear(dim, 3 * dim), q_norm=identity(),
                           k_norm=identity(), norm=identity()),
                 mlp=_module("Mlp", fc1=_linear(dim, 4 * dim), fc2=_linear(4 * dim, dim),
                             norm=identity()),
                 ls1=identity())
    return _Obj(
        patch_embed=_Obj(proj=_Obj(kernel_size=(patch, patch), stride=(patch, patch),
                                   out_channels=dim, in_channels=3, bias=_Tensor(dim)),
                         grid_size=grid, img_size=(img, img)),
        blocks=[block] * depth, cls_token=_Tensor(1, 1, dim),
        reg_token=_Tensor(1, reg, dim) if reg else None,
        pos_embed=_Tensor(1, grid[0] * grid[1] + prefix, dim),
        norm=identity() if fc_norm else _module("LayerNorm"),
        fc_norm=_module("LayerNorm") if fc_norm else identity(), norm_pre=identity(),
        global_pool=global_pool, head=_linear(dim, classes) if classes else identity(),
        pretrained_cfg={"architecture": "vit_tiny_patch16_224", "input_size": (3, img, img)})


class ConfigFromTimm(unittest.TestCase):
    def test_vit_tiny_layout_is_the_preset(self):
        config = vitperf.config_from_timm(fake_timm_vit())
        self.assertEqual(config["name"], "vit_tiny_patch16_224")
        self.assertEqual((config["patch"], config["dim"], config["depth"], config["heads"]),
                         (16, 192, 12, 3))
        self.assertEqual(config["mlp_hidden"], 768)
        self.assertTrue(config["class_token"])
        self.assertEqual(config["pooling"], "cls")
        # The config predicts exactly as the ViT-Ti/16 preset of the same architecture.
        by_config = vitperf.predict(model=config, gpu="h100", batch=[1, 32])
        by_name = vitperf.predict(model="vit_ti16", gpu="h100", batch=[1, 32])
        self.assertEqual(by_config["parameters"], by_name["parameters"])
        self.assertEqual([r["throughput_ips"] for r in by_config["rows"]],
                         [r["throughput_ips"] for r in by_name["rows"]])

    def test_registers_mean_pooling_and_image_size(self):
        model = fake_timm_vit(dim=384, heads=6, reg=4, img=256, global_pool="avg", fc_norm=True,
                              classes=0)
        del model.pretrained_cfg  # falls back to the patch embedding's image size
        config = vitperf.config_from_timm(model, name="reg4")
        self.assertEqual(config["register_tokens"], 4)
        self.assertEqual(config["pooling"], "mean")
        self.assertEqual(config["final_norm"], "pooled")
        self.assertEqual(config["output"], "pooled")
        self.assertEqual((config["image_height"], config["image_width"]), (256, 256))
        self.assertEqual(vitperf.predict(model=config, batch=1)["config"]["register_tokens"], 4)

    def test_unsupported_part_is_named(self):
        model = fake_timm_vit()
        model.global_pool = "avgmax"
        with self.assertRaisesRegex(vitperf.Unsupported, "global_pool 'avgmax'"):
            vitperf.config_from_timm(model)

    def test_real_timm_model(self):
        try:
            import timm  # noqa: F401
            import torch
        except ImportError:
            self.skipTest("timm/torch not importable here (only this case needs them)")
        with torch.device("meta"):
            model = timm.create_model("vit_base_patch16_224", pretrained=False)
        config = vitperf.config_from_timm(model)
        params = sum(int(p.numel()) for p in model.parameters())
        self.assertEqual(vitperf.predict(model=config, batch=1)["parameters"], params)


if __name__ == "__main__":
    unittest.main()
