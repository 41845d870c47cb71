"""scripts/timm_amp_study.py and scripts/timm_amp_compare.py without a GPU.

The study: its argument checks (one-line errors, exit 2), its resume keys on a file written by
its own record writer, its plan, and its whole measuring loop run in-process on a stand-in torch
and timm (below: a fake clock instead of CUDA events, a model that logs what it was called with),
so the order, the time budget, the second call that finishes the first, and oom/error records are
checked here. The comparer: against the real vitperf (VITPERF_BINARY, else build/cli/vitperf) on
records built by the study's own point_record from TEST FIXTURE timings (made from vitperf's own
predictions times chosen factors, so every error and gain has a known value). No fixture is a
measurement, and none is written outside a temporary folder.

    python3 -m unittest discover -s tests/python -p 'test_timm_amp.py' -v
"""

import concurrent.futures
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import types
import unittest
from unittest import mock

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPTS = os.path.join(ROOT, "scripts")
STUDY = os.path.join(SCRIPTS, "timm_amp_study.py")
COMPARE = os.path.join(SCRIPTS, "timm_amp_compare.py")
sys.path.insert(0, SCRIPTS)
import timm_amp_study as study  # noqa: E402
from compare_timm import summarise  # noqa: E402

CLI = os.environ.get("VITPERF_BINARY") or os.path.join(ROOT, "build", "cli", "vitperf")
HAVE_CLI = os.path.isfile(CLI) and os.access(CLI, os.X_OK)
FIXTURE_RUN = "test-fixture-0000-00-00-0000"  # never a real run id
FIXTURE_RUN_BF16 = "test-fixture-0000-00-00-0001"  # a second run in the same file (bf16)


def run(script, *args):
    return subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                          timeout=120)


def fixture_stats(median_ms):
    """TEST FIXTURE: time_forward-shaped statistics of five equal samples."""
    return summarise([median_ms] * 5, "spread")


# ---------------------------------------------------------------- the study's arguments


class StudyArguments(unittest.TestCase):
    def test_help(self):
        out = run(STUDY, "--help")
        self.assertEqual(out.returncode, 0, out.stderr)
        for word in ("autocast-fp16", "--time-budget", "--compiled-batches", "Exit status"):
            self.assertIn(word, out.stdout)

    def test_bad_flags_exit_2_with_one_line(self):
        cases = [
            (["--settings", "fp8"],
             ["--settings", "'fp8'", "autocast-fp16, autocast-bf16, fp16, bf16"]),
            (["--executions", "graph"], ["--executions", "eager, compiled"]),
            (["--batches", "0,64"], ["--batches", "positive integers"]),
            (["--compiled-batches", "x"], ["--compiled-batches"]),
            (["--models", "vit@big"], ["--models", "NAME@RES"]),
            (["--time-budget", "-5"], ["--time-budget", ">= 0"]),
            (["--time-cap", "0"], ["--time-cap", "> 0"]),
            (["--min-repeats", "0"], ["--min-repeats", ">= 1"]),
            (["--run-id", "a b"], ["--run-id"]),
            (["--bogus"], ["unrecognized arguments: --bogus"]),
        ]
        with tempfile.TemporaryDirectory() as d:
            out_file = os.path.join(d, "x.jsonl")
            for args, words in cases:
                out = run(STUDY, "-o", out_file, *args)
                self.assertEqual(out.returncode, 2, (args, out.stderr))
                lines = out.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, (args, out.stderr))
                for w in words:
                    self.assertIn(w, lines[0], args)
                self.assertFalse(os.path.exists(out_file), args)  # nothing written
            out = run(STUDY, "--dry-run")
            self.assertEqual(out.returncode, 2)
            self.assertIn("-o/--output", out.stderr)

    def test_compiled_batches_default_to_the_largest(self):
        a = study.parse_args(["-o", "x", "--batches", "64,1,256"])
        self.assertEqual(a.compiled_batches, [256])
        a = study.parse_args(["-o", "x", "--batches", "1,64", "--compiled-batches", "all"])
        self.assertEqual(a.compiled_batches, [1, 64])

    def test_run_id(self):
        import datetime
        when = datetime.datetime(2026, 12, 5, 14, 30, tzinfo=datetime.timezone.utc)
        self.assertEqual(study.make_run_id("NVIDIA H200", when), "h200-2026-12-05-1430")
        self.assertEqual(study.gpu_short_name("NVIDIA H100 80GB HBM3"), "h100")
        self.assertEqual(study.gpu_short_name("NVIDIA GeForce RTX 4090"), "rtx4090")


# ---------------------------------------------------------------- resume


class StudyResume(unittest.TestCase):
    def write_fixture(self, path):
        w = study.RecordWriter(path)
        w.write({"schema": study.SCHEMA, "schema_version": 1, "kind": "provenance",
                 "run_id": FIXTURE_RUN, "device_name": "test fixture (no GPU)"})
        w.write(study.point_record(FIXTURE_RUN, "vit_small_patch16_224", 224, 1, "fp16", "eager",
                                   "ok", compute=fixture_stats(2.0), peak_memory_bytes=1))
        w.write(study.point_record(FIXTURE_RUN, "vit_small_patch16_224", 224, 256,
                                   "autocast-fp16", "compiled", "ok", compute=fixture_stats(20.0),
                                   peak_memory_bytes=1, compile_s=12.5))
        w.write(study.point_record(FIXTURE_RUN, "vit_small_patch16_224", 224, 64, "bf16", "eager",
                                   "oom", message="CUDA out of memory"))
        w.write(study.point_record(FIXTURE_RUN, "vit_small_patch16_224", 224, 64, "fp16", "eager",
                                   "error", message="RuntimeError: fixture"))
        # Another script's record with the same fields: not this study's.
        w.write({"schema": "vitperf.python_compile", "kind": "point", "model":
                 "vit_small_patch16_224", "res": 224, "batch": 256, "setting": "bf16",
                 "execution": "eager", "status": "ok"})
        w.close()
        with open(path, "a", encoding="utf-8") as f:  # a torn last line, as a kill leaves
            f.write('{"schema": "vitperf.timm_amp", "kind": "point", "model": "vit_sm')

    def test_done_keys_of_its_own_records(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "study.jsonl")
            self.write_fixture(path)
            m = "vit_small_patch16_224"
            ok_oom = {(m, 224, 1, "fp16", "eager"), (m, 224, 256, "autocast-fp16", "compiled"),
                      (m, 224, 64, "bf16", "eager")}
            self.assertEqual(study.done_keys(path), ok_oom | {(m, 224, 64, "fp16", "eager")})
            self.assertEqual(study.done_keys(path, retry_errors=True), ok_oom)
            self.assertEqual(study.done_keys(os.path.join(d, "missing.jsonl")), set())
            # The writer ends the torn line first: the next record is whole and counted.
            w = study.RecordWriter(path)
            w.write(study.point_record(FIXTURE_RUN, m, 224, 256, "bf16", "eager", "oom",
                                       message="fixture"))
            w.close()
            self.assertIn((m, 224, 256, "bf16", "eager"), study.done_keys(path))
            rec = [r for r in (json.loads(l) for l in open(path) if l.startswith('{"schema')
                               and l.rstrip().endswith("}"))
                   if r.get("kind") == "point" and r.get("compile_s")]
            self.assertEqual(rec[0]["compile_s"], 12.5)
            self.assertAlmostEqual(rec[0]["throughput_ips"], 256 / 0.020)

    def test_dry_run_lists_what_is_left_in_order(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "study.jsonl")
            self.write_fixture(path)
            out = run(STUDY, "-o", path, "--dry-run", "--models",
                      "vit_small_patch16_224@224,vit_base_patch14_dinov2@518")
            self.assertEqual(out.returncode, 0, out.stderr)
            lines = out.stdout.strip().splitlines()
            # 2 models x 4 settings x (3 eager + 1 compiled) = 32 planned, 4 final in the file.
            self.assertTrue(lines[0].startswith("32 points planned, 4 already in"), lines[0])
            todo = [l.split() for l in lines[1:]]
            self.assertEqual(len(todo), 28)
            execs = [t[-1] for t in todo]
            self.assertEqual(execs, sorted(execs, key=["eager", "compiled"].index))
            compiled = [(t[0], t[5]) for t in todo if t[-1] == "compiled"]
            self.assertEqual([s for _, s in compiled],
                             ["autocast-fp16", "fp16", "fp16", "autocast-bf16", "autocast-bf16",
                              "bf16", "bf16"])  # vit_small autocast-fp16 compiled is done
            self.assertNotIn("vit_small_patch16_224 res 224 batch 1 fp16 eager", lines)
            self.assertNotIn(["vit_small_patch16_224", "res", "224", "batch", "64", "fp16",
                              "eager"], todo)  # an error counts as final without --retry-errors
            out = run(STUDY, "-o", path, "--dry-run", "--retry-errors", "--models",
                      "vit_small_patch16_224@224")
            self.assertIn("vit_small_patch16_224 res 224 batch 64 fp16 eager",
                          out.stdout.splitlines())

    def test_estimator(self):
        e = study.Estimator(time_cap_s=1.0, eager_estimate_s=20.0, compile_estimate_s=60.0)
        self.assertEqual(e.estimate("m", "eager"), 21.0)
        self.assertEqual(e.estimate("m", "compiled"), 60.0)
        e.observe("m", "compiled", 20.0)
        e.observe("m", "compiled", 16.0)
        self.assertEqual(e.estimate("m", "compiled"), 25.0)
        self.assertEqual(e.estimate("big", "compiled"), 30.0)
        self.assertTrue(study.fits(100.0, 25.0, 0))
        self.assertTrue(study.fits(100.0, 25.0, 125.0))
        self.assertFalse(study.fits(100.0, 25.1, 125.0))


# ---------------------------------------------------------------- the loop on a stand-in torch


class StandIn:
    """A stand-in for torch and timm, enough for the study's measuring loop: CUDA events read
    a fake clock that each forward advances by COST_MS per image; every forward logs the model's
    weight dtype, the input's dtype and the autocast dtype in force."""

    COST_MS = 0.01

    def __init__(self):
        self.clock_ms = 0.0
        self.autocast = []
        self.log = []  # (model, weight dtype, input dtype, autocast dtype, compiled)
        self.compiles = 0
        self.torch = self.make_torch()
        self.timm = self.make_timm()

    def modules(self):
        return {"torch": self.torch, "torch._dynamo": self.torch._dynamo, "timm": self.timm,
                "timm.models": self.timm.models}

    def make_torch(self):
        s = self

        class OutOfMemoryError(RuntimeError):
            pass

        class Event:
            def __init__(self, enable_timing=False):
                self.t = None

            def record(self):
                self.t = s.clock_ms

            def synchronize(self):
                pass

            def elapsed_time(self, end):
                return end.t - self.t

        class Tensor:
            def __init__(self, shape, dtype):
                self.shape, self.dtype = tuple(shape), dtype

            def all(self):
                return self

            def item(self):
                return True

        class Generator:
            def __init__(self, device=None):
                pass

            def manual_seed(self, seed):
                return self

        @contextlib.contextmanager
        def autocast(device_type, dtype):
            assert device_type == "cuda"
            s.autocast.append(dtype)
            try:
                yield
            finally:
                s.autocast.pop()

        def compile(model, **kw):
            s.compiles += 1

            def compiled(x):
                if not getattr(compiled, "warm", False):
                    time.sleep(0.05)  # the compilation's wall time
                    compiled.warm = True
                return model(x, compiled=True)
            return compiled

        t = types.ModuleType("torch")
        t.__version__ = "0.0+stand-in"
        t.float16, t.bfloat16, t.float32 = "float16", "bfloat16", "float32"
        t.Tensor = Tensor
        t.Generator = Generator
        t.device = lambda d: d
        t.randn = lambda shape, device=None, dtype="float32", generator=None: Tensor(shape, dtype)
        t.isfinite = lambda y: y
        t.manual_seed = lambda seed: None
        t.autocast = autocast
        t.inference_mode = contextlib.nullcontext
        t.compile = compile
        t.get_float32_matmul_precision = lambda: "highest"
        t.version = types.SimpleNamespace(cuda="0.0")
        t.backends = types.SimpleNamespace(
            cudnn=types.SimpleNamespace(version=lambda: None),
            cuda=types.SimpleNamespace(matmul=types.SimpleNamespace(allow_tf32=False)))
        t.cuda = types.SimpleNamespace(
            is_available=lambda: True, set_device=lambda d: None,
            get_device_name=lambda d=None: "NVIDIA H200",
            get_device_properties=lambda d: types.SimpleNamespace(
                name="NVIDIA H200", multi_processor_count=0, total_memory=0),
            Event=Event, synchronize=lambda d=None: None,
            reset_peak_memory_stats=lambda d=None: None,
            max_memory_allocated=lambda d=None: 12345, empty_cache=lambda: None,
            OutOfMemoryError=OutOfMemoryError)
        t._dynamo = types.ModuleType("torch._dynamo")
        t._dynamo.reset = lambda: None
        return t

    def make_timm(self):
        s = self

        class Param:
            def numel(self):
                return 1000

        class Model:
            def __init__(self, name):
                self.name, self.dtype = name, "float32"

            def eval(self):
                return self

            def to(self, device=None, dtype=None):
                self.dtype = dtype or self.dtype
                return self

            def parameters(self):
                return [Param()]

            def __call__(self, x, compiled=False):
                if self.name == "fixture_oom_vit" and x.shape[0] >= 64:
                    raise s.torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate")
                amp = s.autocast[-1] if s.autocast else None
                s.log.append((self.name, self.dtype, x.dtype, amp, compiled))
                s.clock_ms += s.COST_MS * x.shape[0]
                return s.torch.Tensor((x.shape[0], 10), amp or self.dtype)

        def create_model(name, pretrained=False, **kw):
            assert pretrained is False
            if name == "fixture_broken_vit":
                raise RuntimeError("fixture: cannot build")
            return Model(name)

        cfgs = {"fixture_vit": ((3, 224, 224), None), "fixture_test_size_vit": ((3, 224, 224),
                                                                                  (3, 256, 256)),
                "fixture_oom_vit": ((3, 224, 224), None), "fixture_broken_vit": ((3, 224, 224),
                                                                                 None)}
        tm = types.ModuleType("timm")
        tm.__version__ = "0.0+stand-in"
        tm.create_model = create_model
        tm.models = types.ModuleType("timm.models")
        tm.models.is_model = lambda n: n in cfgs
        tm.models.get_pretrained_cfg = lambda n: types.SimpleNamespace(
            input_size=cfgs[n][0], test_input_size=cfgs[n][1])
        return tm


class StudyOnStandIn(unittest.TestCase):
    def call(self, stand_in, *args):
        out = io.StringIO()
        with mock.patch.dict(sys.modules, stand_in.modules()), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(io.StringIO()):
            rc = study.main(list(args))
        return rc, out.getvalue()

    @staticmethod
    def points(path):
        return [r for r in study.read_jsonl(path) if r.get("kind") == "point"]

    def test_budget_stop_then_a_second_call_finishes(self):
        s = StandIn()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "amp.jsonl")
            common = ["-o", path, "--models", "fixture_vit,fixture_test_size_vit",
                      "--batches", "1,8", "--time-cap", "0.5", "--eager-estimate", "0.01",
                      "--run-id", FIXTURE_RUN]
            # Every eager point fits in 10 s, no compiled one (assumed 30 s each).
            rc, text = self.call(s, *common, "--time-budget", "10", "--compile-estimate", "30")
            self.assertEqual(rc, study.EXIT_LEFT, text)
            self.assertIn("8 points left", text)
            first = self.points(path)
            self.assertEqual(len(first), 2 * 4 * 2)
            self.assertTrue(all(r["execution"] == "eager" and r["status"] == "ok"
                                for r in first))
            self.assertEqual(s.compiles, 0)
            # The default test input size: test_input_size where the config has one.
            self.assertEqual({(r["model"], r["res"]) for r in first},
                             {("fixture_vit", 224), ("fixture_test_size_vit", 256)})
            # Throughput from the median of the timed forwards (fake clock: COST_MS per image).
            for r in first:
                self.assertAlmostEqual(r["throughput_ips"], 1e3 / StandIn.COST_MS, places=6)
                self.assertEqual(r["compute"]["stop_reason"], "spread")
                self.assertEqual(r["peak_memory_bytes"], 12345)

            rc, text = self.call(s, *common, "--compile-estimate", "30")
            self.assertEqual(rc, study.EXIT_OK, text)
            second = self.points(path)[len(first):]
            self.assertEqual(len(second), 8)
            self.assertEqual([r["setting"] for r in second],
                             [x for x in study.COMPILED_ORDER for _ in range(2)])
            self.assertTrue(all(r["execution"] == "compiled" and r["batch"] == 8 and
                                r["compile_s"] >= 0.05 for r in second))
            self.assertEqual(s.compiles, 8)  # a fresh compilation per point
            keys = [study.record_key(r) for r in first + second]
            self.assertEqual(len(keys), len(set(keys)))
            provenances = [r for r in study.read_jsonl(path) if r.get("kind") == "provenance"]
            self.assertEqual(len(provenances), 2)
            self.assertEqual(provenances[1]["plan"]["already_done"], 16)
            self.assertEqual(provenances[0]["run_id"], FIXTURE_RUN)

            # A third call has nothing left and writes nothing.
            size = os.path.getsize(path)
            rc, text = self.call(s, *common)
            self.assertEqual((rc, os.path.getsize(path)), (0, size), text)

        # What each setting ran: autocast keeps fp32 weights and input and enters autocast per
        # forward; the pure settings cast both.
        want = {"autocast-fp16": ("float32", "float32", "float16"),
                "autocast-bf16": ("float32", "float32", "bfloat16"),
                "fp16": ("float16", "float16", None), "bf16": ("bfloat16", "bfloat16", None)}
        seen = {(w, i, a) for _, w, i, a, _ in s.log}
        self.assertEqual(seen, set(want.values()))
        self.assertEqual(s.autocast, [])

    def test_oom_and_errors_are_records(self):
        s = StandIn()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "amp.jsonl")
            rc, text = self.call(s, "-o", path, "--models",
                                 "fixture_oom_vit,fixture_broken_vit", "--settings", "fp16",
                                 "--batches", "1,64", "--time-cap", "0.2")
            self.assertEqual(rc, study.EXIT_FAILED, text)
            got = {(r["model"], r["batch"], r["execution"]): r for r in self.points(path)}
            self.assertEqual(len(got), 6)
            self.assertEqual(got[("fixture_oom_vit", 1, "eager")]["status"], "ok")
            for e in ("eager", "compiled"):
                self.assertEqual(got[("fixture_oom_vit", 64, e)]["status"], "oom")
                self.assertIn("out of memory", got[("fixture_oom_vit", 64, e)]["message"])
            for b, e in ((1, "eager"), (64, "eager"), (64, "compiled")):
                r = got[("fixture_broken_vit", b, e)]
                self.assertEqual(r["status"], "error")
                self.assertIn("fixture: cannot build", r["message"])
            # The run id comes from the device's short name.
            self.assertTrue(got[("fixture_oom_vit", 1, "eager")]["run_id"].startswith("h200-"))

    def test_unknown_model_is_refused_before_measuring(self):
        s = StandIn()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "amp.jsonl")
            rc, _ = self.call(s, "-o", path, "--models", "fixture_vit,no_such_vit")
            self.assertEqual(rc, study.EXIT_ARGS)
            self.assertFalse(os.path.exists(path))


# ---------------------------------------------------------------- the comparer


def predict_direct(model, setting, execution, batch, res):
    """vitperf's prediction of one point, asked independently of the comparer (single batch,
    rows[0])."""
    precision, autocast = study.SETTINGS[setting]
    cmd = [CLI, "predict", "--model", model, "--gpu", "h200", "--precision", precision,
           "--autocast", "on" if autocast else "off", "--compute-only", "--batch", str(batch),
           "--res", str(res), "--json"]
    if execution == "compiled":
        cmd += ["--execution", "compiled"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["rows"][0]["throughput_ips"]


@unittest.skipUnless(HAVE_CLI, "no vitperf binary (VITPERF_BINARY or build/cli/vitperf)")
class Comparer(unittest.TestCase):
    M = "vit_small_patch16_224"
    # TEST FIXTURE: the error each point is given, predicted / fixture - 1.
    ERRORS = {
        ("autocast-fp16", "eager", 1): 0.10, ("autocast-fp16", "eager", 256): -0.20,
        ("autocast-fp16", "compiled", 256): 0.0,
        ("fp16", "eager", 1): 0.0, ("fp16", "eager", 256): 0.25,
        ("fp16", "compiled", 256): -0.10,
        ("autocast-bf16", "eager", 256): 0.05,
    }

    @classmethod
    def setUpClass(cls):
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            cls.predicted = dict(zip(cls.ERRORS, pool.map(
                lambda k: predict_direct(cls.M, k[0], k[1], k[2], 224), cls.ERRORS)))
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.dir.name, "fixture-timm-amp.jsonl")
        # Two runs in one file, as the H200's timm_amp.jsonl holds them: the fp16 settings, then
        # a second call (provenance line first) with the bf16 ones.
        w = study.RecordWriter(cls.path)
        for run_id, precision in ((FIXTURE_RUN, "fp16"), (FIXTURE_RUN_BF16, "bf16")):
            w.write({"schema": study.SCHEMA, "schema_version": 1, "kind": "provenance",
                     "run_id": run_id, "device_name": "test fixture (no GPU)"})
            for (setting, execution, batch), err in cls.ERRORS.items():
                if not setting.endswith(precision):
                    continue
                fixture_ips = cls.predicted[(setting, execution, batch)] / (1 + err)
                w.write(study.point_record(
                    run_id, cls.M, 224, batch, setting, execution, "ok",
                    compute=fixture_stats(batch / fixture_ips * 1e3), peak_memory_bytes=0,
                    compile_s=1.0 if execution == "compiled" else None))
            if precision == "fp16":
                w.write(study.point_record(FIXTURE_RUN, cls.M, 224, 64, "fp16", "eager", "oom",
                                           message="CUDA out of memory (fixture)"))
                w.write(study.point_record(FIXTURE_RUN, "fixture_unknown_vit", 224, 1, "fp16",
                                           "eager", "ok", compute=fixture_stats(1.0),
                                           peak_memory_bytes=0))
        w.close()
        cls.json_path = os.path.join(cls.dir.name, "comparison.json")
        cls.out = run(COMPARE, cls.path, "--gpu", "h200", "--binary", CLI, "--json",
                      cls.json_path)
        with open(cls.json_path) as f:
            cls.doc = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_rows_carry_the_fixture_errors(self):
        self.assertEqual(self.out.returncode, 0, self.out.stderr)
        self.assertEqual(self.doc["schema"], "vitperf.timm_amp_comparison")
        rows = {(r["setting"], r["execution"], r["batch"]): r for r in self.doc["rows"]}
        self.assertEqual(set(rows), set(self.ERRORS))
        for k, err in self.ERRORS.items():
            self.assertAlmostEqual(rows[k]["error"], err, places=9, msg=k)
            self.assertAlmostEqual(rows[k]["predicted_ips"], self.predicted[k], places=6, msg=k)
        # The printed table has a line per point.
        self.assertEqual(sum(1 for l in self.out.stdout.splitlines()
                             if l.startswith(self.M + " ")), len(self.ERRORS))

    def test_mape_by_setting(self):
        m = self.doc["mape_by_setting"]
        self.assertAlmostEqual(m["autocast-fp16"]["all"]["mape"], (0.1 + 0.2 + 0.0) / 3)
        self.assertAlmostEqual(m["autocast-fp16"]["eager"]["mape"], 0.15)
        self.assertAlmostEqual(m["fp16"]["compiled"]["mape"], 0.10)
        self.assertAlmostEqual(m["fp16"]["all"]["mean_signed_error"], (0.0 + 0.25 - 0.1) / 3)
        self.assertAlmostEqual(m["autocast-bf16"]["all"]["mape"], 0.05)
        self.assertNotIn("bf16", m)

    def test_mape_by_setting_execution_and_batch(self):
        by = {(m["setting"], m["execution"], m["batch"]): m for m in self.doc["mape_by_batch"]}
        self.assertEqual(set(by), set(self.ERRORS))  # one point each here
        for k, err in self.ERRORS.items():
            self.assertEqual(by[k]["n"], 1, k)
            self.assertAlmostEqual(by[k]["mape"], abs(err), msg=k)
            self.assertAlmostEqual(by[k]["mean_signed_error"], err, msg=k)
        # Ordered as the per-setting table: setting, execution, batch.
        self.assertEqual([(m["setting"], m["execution"], m["batch"])
                          for m in self.doc["mape_by_batch"]][:3],
                         [("autocast-fp16", "eager", 1), ("autocast-fp16", "eager", 256),
                          ("autocast-fp16", "compiled", 256)])
        self.assertIn("MAPE per setting, execution and batch", self.out.stdout)

    def test_two_runs_in_one_file(self):
        self.assertEqual([r["run_id"] for r in self.doc["runs"]],
                         [FIXTURE_RUN, FIXTURE_RUN_BF16])
        runs = {(r["setting"], r["execution"], r["batch"]): r["runs"] for r in self.doc["rows"]}
        self.assertEqual(runs[("autocast-bf16", "eager", 256)], [FIXTURE_RUN_BF16])
        self.assertEqual(runs[("fp16", "eager", 256)], [FIXTURE_RUN])
        # --run keeps one of them.
        with tempfile.TemporaryDirectory() as d:
            out_json = os.path.join(d, "bf16.json")
            out = run(COMPARE, self.path, "--gpu", "h200", "--binary", CLI,
                      "--run", FIXTURE_RUN_BF16, "--json", out_json)
            self.assertEqual(out.returncode, 0, out.stderr)
            with open(out_json) as f:
                doc = json.load(f)
        self.assertEqual([r["run_id"] for r in doc["runs"]], [FIXTURE_RUN_BF16])
        self.assertEqual(sorted(doc["mape_by_setting"]), ["autocast-bf16"])
        self.assertFalse(doc["skipped"])

    def test_gains(self):
        e = self.ERRORS

        def gain_error(num, den):
            return (1 + e[num]) / (1 + e[den]) - 1

        auto = {g["execution"]: g for g in self.doc["autocast_gains"] if g["precision"] == "fp16"}
        self.assertEqual(sorted(auto), ["compiled", "eager"])
        eager = {r["batch"]: r for r in auto["eager"]["rows"]}
        for b in (1, 256):
            self.assertAlmostEqual(eager[b]["error"], gain_error(("autocast-fp16", "eager", b),
                                                                 ("fp16", "eager", b)))
            self.assertAlmostEqual(eager[b]["predicted"],
                                   self.predicted[("autocast-fp16", "eager", b)] /
                                   self.predicted[("fp16", "eager", b)])
        # Per batch: one pair each here, so the summary is that pair.
        per_batch = {m["batch"]: m for m in auto["eager"]["by_batch"]}
        self.assertEqual(sorted(per_batch), [1, 256])
        for b in (1, 256):
            self.assertEqual(per_batch[b]["n"], 1)
            self.assertAlmostEqual(per_batch[b]["mape"], abs(eager[b]["error"]))
            self.assertAlmostEqual(per_batch[b]["measured_median"], eager[b]["measured"])
        self.assertAlmostEqual(auto["compiled"]["rows"][0]["error"],
                               gain_error(("autocast-fp16", "compiled", 256),
                                          ("fp16", "compiled", 256)))
        self.assertFalse([g for g in self.doc["autocast_gains"] if g["precision"] == "bf16"])
        comp = {g["setting"]: g for g in self.doc["compile_gains"]}
        self.assertEqual(sorted(comp), ["autocast-fp16", "fp16"])
        for s in ("autocast-fp16", "fp16"):
            self.assertEqual(len(comp[s]["rows"]), 1)
            self.assertAlmostEqual(comp[s]["rows"][0]["error"],
                                   gain_error((s, "compiled", 256), (s, "eager", 256)))

    def test_skipped_and_not_compared(self):
        skipped = self.doc["skipped"]
        self.assertEqual([s["model"] for s in skipped], ["fixture_unknown_vit"])
        self.assertTrue(skipped[0]["reason"].startswith(
            "vitperf: error: model: unknown model 'fixture_unknown_vit'"), skipped[0])
        self.assertIn("fixture_unknown_vit", self.out.stdout)
        self.assertEqual([(n["batch"], n["status"]) for n in self.doc["not_compared"]],
                         [(64, "oom")])

    def test_bad_gpu_exit_2(self):
        out = run(COMPARE, self.path, "--gpu", "no_such_gpu", "--binary", CLI)
        self.assertEqual(out.returncode, 2)
        lines = out.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, out.stderr)
        self.assertIn("--gpu: 'no_such_gpu' is not one of", lines[0])
        self.assertIn("h200", lines[0])


if __name__ == "__main__":
    unittest.main()
