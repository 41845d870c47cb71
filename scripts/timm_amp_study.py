#!/usr/bin/env python3
"""timm ViTs under automatic mixed precision on a CUDA device, compute only: what
`vitperf predict --autocast on` predicts, measured beside the same models cast to the precision,
eager and under torch.compile (scripts/timm_amp_compare.py puts the predictions beside them).

Settings (per model, batch and execution):
  autocast-fp16  fp32 module (random weights), each forward under torch.autocast('cuda', float16),
                 fp32 torch.randn input: what timm's benchmark.py --amp runs;
  autocast-bf16  the same with bfloat16;
  fp16, bf16     model.half() / model.to(bfloat16) and an input of that precision.
Executions: eager, and compiled (torch.compile, default mode, a fresh compilation per point;
compile_s is the first call's wall time) at the largest batch only unless --compiled-batches.

Method (scripts/compare_timm.py's time_forward, imported): random weights (pretrained=False),
model.eval(), a device-resident torch.randn input, torch.inference_mode(); warm-up, then CUDA
events around each forward until (p90 - p10) / median is under the target or the time cap;
throughput [images/s] = batch / median. The resolution is the model's default test input size
(pretrained_cfg test_input_size, else input_size), as timm's benchmark.py resolves it
(vit_base_patch14_dinov2: 518 px); `NAME@RES` in --models overrides it.

Order: every eager point of every model first, then the compiled points by setting
(autocast-fp16, fp16, autocast-bf16, bf16), so a call cut short keeps the most useful half.

Output: JSONL, appended; one provenance line per call, then one record per point (schema
"vitperf.timm_amp"), written and flushed as soon as it is measured. An out-of-memory or an error
is a record (status oom/error), not a crash. Points whose key (model, res, batch, setting,
execution) the file already holds with a final status are skipped, so calling again with the same
arguments finishes what a first call left (--retry-errors measures error points again).
--time-budget S: no point starts that is not expected to finish within S seconds of the start.

Usage (on a host with PyTorch, CUDA and timm):
    python3 scripts/timm_amp_study.py -o h200-timm-amp.jsonl --time-budget 420
    python3 scripts/timm_amp_study.py -o h200-timm-amp.jsonl --dry-run   # the plan; no torch
Exit status: 0 every planned point done (ok or oom); 1 a point failed (status error);
2 bad arguments or no CUDA device; 3 stopped by --time-budget or a signal with points left
(call again with the same arguments).
"""

import argparse
import copy
import datetime
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_timm import time_forward  # noqa: E402  (the same timing method as every script)
from jsonl_records import read_jsonl  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = "timm_amp_study.py"
SCHEMA = "vitperf.timm_amp"
SCHEMA_VERSION = 1
# setting -> (precision of the products, autocast?)
SETTINGS = {
    "autocast-fp16": ("fp16", True),
    "autocast-bf16": ("bf16", True),
    "fp16": ("fp16", False),
    "bf16": ("bf16", False),
}
# The compiled points' order: the compile gain under autocast first (the open question), then the
# pure fp16 one it is set against, then bf16.
COMPILED_ORDER = ("autocast-fp16", "fp16", "autocast-bf16", "bf16")
EXECUTIONS = ("eager", "compiled")
DEFAULT_MODELS = (
    "vit_small_patch16_224",
    "vit_base_patch16_224",
    "vit_large_patch16_224",
    "deit3_base_patch16_224",       # layer scale
    "vit_base_patch16_siglip_224",  # no class token, attention (map) pooling
    "vit_base_patch14_dinov2",      # 518 px default
)
DEFAULT_BATCHES = (1, 64, 256)
FINAL_STATUSES = ("ok", "oom", "error")
EXIT_OK, EXIT_FAILED, EXIT_ARGS, EXIT_LEFT = 0, 1, 2, 3


# ---------------------------------------------------------------- arguments


class ArgumentError(Exception):
    pass


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its errors on one line (no usage block) and exit status 2."""

    def error(self, message):
        raise ArgumentError(message)


def fail_args(message):
    raise ArgumentError(message)


def csv_choices(text, flag, accepted):
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values:
        fail_args("%s: '%s' is empty (accepted: %s)" % (flag, text, ", ".join(accepted)))
    for v in values:
        if v not in accepted:
            fail_args("%s: '%s' is not one of %s" % (flag, v, ", ".join(accepted)))
    return list(dict.fromkeys(values))


def positive_ints(text, flag):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or any(v < 1 for v in values):
        fail_args("%s: '%s' is not a comma-separated list of positive integers" % (flag, text))
    return list(dict.fromkeys(values))


def model_specs(text):
    """[(timm name, res or None)] from 'name' or 'name@RES' items."""
    out = []
    for item in (v.strip() for v in text.split(",")):
        if not item:
            continue
        name, _, res = item.partition("@")
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
            fail_args("--models: '%s' is not a timm model name (NAME or NAME@RES)" % item)
        if res:
            if not res.isdigit() or int(res) < 1:
                fail_args("--models: '%s': RES must be a positive integer (NAME@RES)" % item)
            out.append((name, int(res)))
        else:
            out.append((name, None))
    if not out:
        fail_args("--models: empty (timm model names, comma-separated, NAME or NAME@RES)")
    return out


def build_parser():
    ap = OneLineParser(prog=PROG, description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", required=True, help="JSONL file (appended to; resumed)")
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS),
                    help="timm names, NAME or NAME@RES, comma-separated")
    ap.add_argument("--settings", default=",".join(SETTINGS), help="of " + ", ".join(SETTINGS))
    ap.add_argument("--executions", default=",".join(EXECUTIONS),
                    help="of " + ", ".join(EXECUTIONS))
    ap.add_argument("--batches", default=",".join(map(str, DEFAULT_BATCHES)),
                    help="eager batches (comma-separated)")
    ap.add_argument("--compiled-batches", default="largest",
                    help="'largest' (of --batches; bounds compile time), 'all', or a list")
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--min-repeats", type=int, default=5)
    ap.add_argument("--target-spread", type=float, default=0.05)
    ap.add_argument("--time-cap", type=float, default=1.0, help="[s] per timed point")
    ap.add_argument("--time-budget", type=float, default=0.0,
                    help="[s] start no point expected to end after this (0: no limit)")
    ap.add_argument("--eager-estimate", type=float, default=20.0,
                    help="[s] an eager point's assumed duration until one has been timed "
                         "(model creation, copy, warm-up; the time cap is added)")
    ap.add_argument("--compile-estimate", type=float, default=60.0,
                    help="[s] a compiled point's assumed duration until one has been timed")
    ap.add_argument("--retry-errors", action="store_true",
                    help="measure again the points the file holds with status error")
    ap.add_argument("--run-id", help="run id of this call's records (default: $VITPERF_RUN_ID, "
                                     "else <gpu>-<UTC date>-<HHMM>, e.g. h200-2026-12-05-1430)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dry-run", action="store_true",
                    help="print the points still to measure, in order; measure nothing")
    return ap


def parse_args(argv):
    """The parsed arguments, checked (ArgumentError on a bad one); no torch needed."""
    a = build_parser().parse_args(argv)
    a.model_specs = model_specs(a.models)
    a.settings = csv_choices(a.settings, "--settings", list(SETTINGS))
    a.executions = csv_choices(a.executions, "--executions", list(EXECUTIONS))
    a.batches = positive_ints(a.batches, "--batches")
    if a.compiled_batches == "largest":
        a.compiled_batches = [max(a.batches)]
    elif a.compiled_batches == "all":
        a.compiled_batches = list(a.batches)
    else:
        a.compiled_batches = positive_ints(a.compiled_batches, "--compiled-batches")
    if a.warmup < 0:
        fail_args("--warmup: %d is negative (accepted: an integer >= 0)" % a.warmup)
    if a.min_repeats < 1:
        fail_args("--min-repeats: %d (accepted: an integer >= 1)" % a.min_repeats)
    for flag, v in (("--target-spread", a.target_spread), ("--time-cap", a.time_cap),
                    ("--eager-estimate", a.eager_estimate),
                    ("--compile-estimate", a.compile_estimate)):
        if not v > 0:
            fail_args("%s: %g (accepted: a number > 0)" % (flag, v))
    if not a.time_budget >= 0:
        fail_args("--time-budget: %g (accepted: seconds >= 0; 0 is no limit)" % a.time_budget)
    if a.run_id is not None and not re.fullmatch(r"[A-Za-z0-9_.\-]+", a.run_id):
        fail_args("--run-id: '%s' (accepted: letters, digits, '.', '_', '-')" % a.run_id)
    return a


# ---------------------------------------------------------------- records and resume


def point_key(model, res, batch, setting, execution):
    return (model, int(res), int(batch), setting, execution)


def record_key(record):
    return point_key(record["model"], record["res"], record["batch"], record["setting"],
                     record["execution"])


def done_keys(path, retry_errors=False):
    """Keys of the points the file already holds with a final status (ok, oom, and error unless
    retry_errors); a missing file holds none, a torn last line is ignored."""
    if not os.path.exists(path):
        return set()
    final = ("ok", "oom") if retry_errors else FINAL_STATUSES
    keys = set()
    for r in read_jsonl(path):
        if r.get("schema") != SCHEMA or r.get("kind") != "point":
            continue
        if r.get("status") in final:
            try:
                keys.add(record_key(r))
            except (KeyError, TypeError, ValueError):
                continue
    return keys


def point_record(run_id, model, res, batch, setting, execution, status, compute=None,
                 peak_memory_bytes=None, compile_s=None, message=None, **extra):
    """One measured point as written to the JSONL file. compute: time_forward's statistics
    (median_ms, p10_ms, p90_ms, p99_ms, repeats, stop_reason); throughput from its median."""
    if setting not in SETTINGS:
        raise ValueError("setting: '%s' is not one of %s" % (setting, ", ".join(SETTINGS)))
    if execution not in EXECUTIONS:
        raise ValueError("execution: '%s' is not one of %s" % (execution, ", ".join(EXECUTIONS)))
    if status not in FINAL_STATUSES:
        raise ValueError("status: '%s' is not one of %s" % (status, ", ".join(FINAL_STATUSES)))
    precision, autocast = SETTINGS[setting]
    r = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "kind": "point", "run_id": run_id,
         "model": model, "res": int(res), "batch": int(batch), "setting": setting,
         "precision": precision, "autocast": autocast,
         "model_dtype": "fp32" if autocast else precision,
         "input_dtype": "fp32" if autocast else precision,
         "execution": execution, "compile_mode": "default" if execution == "compiled" else None,
         "status": status}
    if status == "ok":
        if not compute or not compute.get("median_ms", 0) > 0:
            raise ValueError("an ok point needs compute statistics with median_ms > 0")
        r["compute"] = compute
        r["throughput_ips"] = batch / (compute["median_ms"] * 1e-3)
        r["peak_memory_bytes"] = peak_memory_bytes
    if execution == "compiled" and compile_s is not None:
        r["compile_s"] = compile_s
    if message:
        r["message"] = message
    r["time_utc"] = utc_now()
    r.update(extra)
    return r


class RecordWriter:
    """Appends one JSON object a line and flushes it, so a killed run loses no finished point.
    A torn last line left by an earlier kill is ended first, so it spoils only itself."""

    def __init__(self, path):
        torn = False
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, "rb") as f:
                f.seek(-1, os.SEEK_END)
                torn = f.read(1) != b"\n"
        self.f = open(path, "a", encoding="utf-8")
        if torn:
            self.f.write("\n")

    def write(self, obj):
        self.f.write(json.dumps(obj) + "\n")
        self.f.flush()
        os.fsync(self.f.fileno())

    def close(self):
        self.f.close()


# ---------------------------------------------------------------- the plan


def plan(resolved, settings, executions, batches, compiled_batches):
    """[point key] in measuring order: every eager point (model by model), then the compiled
    ones by setting (COMPILED_ORDER), model by model. resolved: [(model, res)]."""
    points = []
    if "eager" in executions:
        for model, res in resolved:
            for setting in settings:
                for b in batches:
                    points.append(point_key(model, res, b, setting, "eager"))
    if "compiled" in executions:
        for setting in (s for s in COMPILED_ORDER if s in settings):
            for model, res in resolved:
                for b in compiled_batches:
                    points.append(point_key(model, res, b, setting, "compiled"))
    return points


class Estimator:
    """Expected wall time [s] of a point, from the points this call has timed: the longest of the
    same model and execution, else 1.5x the longest of that execution (another model may be
    smaller), else a prior (eager: --eager-estimate plus the time cap; compiled:
    --compile-estimate)."""

    def __init__(self, time_cap_s, eager_estimate_s, compile_estimate_s):
        self.prior = {"eager": time_cap_s + eager_estimate_s, "compiled": compile_estimate_s}
        self.seen = {}  # (model, execution) -> longest [s]

    def observe(self, model, execution, seconds):
        k = (model, execution)
        self.seen[k] = max(self.seen.get(k, 0.0), seconds)

    def estimate(self, model, execution):
        if (model, execution) in self.seen:
            return 1.25 * self.seen[(model, execution)]
        same = [s for (m, e), s in self.seen.items() if e == execution]
        if same:
            return max(1.5 * max(same), 0.5 * self.prior[execution])
        return self.prior[execution]


def fits(elapsed_s, estimate_s, budget_s):
    return budget_s <= 0 or elapsed_s + estimate_s <= budget_s


# ---------------------------------------------------------------- provenance


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def git_revision():
    """`git rev-parse --short=12 HEAD`; on the GPU host (a tree without .git) the revision
    scripts/stamp_revision.sh wrote to .deps/git_revision; else "unknown"."""
    try:
        out = subprocess.run(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    stamped = os.path.join(REPO, ".deps", "git_revision")
    if os.path.isfile(stamped):
        with open(stamped, "r", encoding="utf-8") as f:
            return f.read().strip() or "unknown"
    return "unknown"


def gpu_short_name(device_name):
    """'NVIDIA H200' -> 'h200', 'NVIDIA H100 80GB HBM3' -> 'h100',
    'NVIDIA GeForce RTX 4090' -> 'rtx4090', the names the run ids of data/measurements use."""
    words = [w for w in re.split(r"[\s_]+", device_name.lower())
             if w and w not in ("nvidia", "geforce", "tesla", "quadro")]
    if not words:
        return "gpu"
    if words[0] in ("rtx", "gtx") and len(words) > 1:
        words = [words[0] + words[1]] + words[2:]
    return re.sub(r"[^a-z0-9]", "", words[0]) or "gpu"


def make_run_id(device_name, when=None):
    when = when or datetime.datetime.now(datetime.timezone.utc)
    return "%s-%s" % (gpu_short_name(device_name), when.strftime("%Y-%m-%d-%H%M"))


def driver_version():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip().splitlines()[0]
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    return None


def provenance(torch, timm, device, run_id, argv, extra):
    props = torch.cuda.get_device_properties(device)
    try:
        import triton
        triton_version = triton.__version__
    except ImportError:
        triton_version = None
    fused_attn = None
    try:
        from timm.layers import use_fused_attn
        fused_attn = bool(use_fused_attn())
    except Exception:  # noqa: BLE001 - informative only, older timm has none
        pass
    p = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "kind": "provenance",
         "run_id": run_id, "device": str(device), "device_name": props.name,
         "sm_count": props.multi_processor_count, "memory_bytes": props.total_memory,
         "driver_version": driver_version(), "torch_version": torch.__version__,
         "timm_version": timm.__version__, "cuda_version": torch.version.cuda,
         "cudnn_version": torch.backends.cudnn.version(), "triton_version": triton_version,
         "timm_fused_attn": fused_attn,
         # fp32 products outside autocast (none in a ViT's forward under autocast) follow these.
         "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
         "float32_matmul_precision": torch.get_float32_matmul_precision(),
         "python_version": platform.python_version(), "host": platform.node(),
         "git_revision": git_revision(), "time_utc": utc_now(), "argv": argv}
    p.update(extra)
    return p


# ---------------------------------------------------------------- timm


def default_res(timm, name):
    """The model's default test input size [px] as timm's benchmark.py resolves it
    (resolve_data_config(use_test_size=True): test_input_size, else input_size)."""
    try:
        from timm.models import get_pretrained_cfg
        cfg = get_pretrained_cfg(name)
    except ImportError:  # timm < 0.9: the model's own config below
        cfg = None
    if cfg is not None:
        size = getattr(cfg, "test_input_size", None) or getattr(cfg, "input_size", None)
        if size:
            return int(size[-1])
    from timm.data import resolve_data_config
    model = timm.create_model(name, pretrained=False)
    return int(resolve_data_config({}, model=model, use_test_size=True)["input_size"][-1])


class Models:
    """The fp32 master of each model on the CPU (random weights drawn once per model, so every
    setting runs the same weights); a point gets its own device copy, so its peak memory holds
    that copy alone."""

    def __init__(self, torch, timm, seed):
        self.torch, self.timm, self.seed = torch, timm, seed
        self.masters = {}

    def master(self, name, res, explicit_res):
        key = (name, res)
        if key not in self.masters:
            self.torch.manual_seed(self.seed)
            kwargs = {"img_size": res} if explicit_res else {}
            try:
                m = self.timm.create_model(name, pretrained=False, **kwargs).eval()
                self.masters[key] = (m, None)
            except Exception as e:  # noqa: BLE001 - each of its points is an error record
                self.masters[key] = (None, "%s: %s" % (type(e).__name__, e))
        return self.masters[key]

    def on_device(self, name, res, explicit_res, setting, device):
        m, why = self.master(name, res, explicit_res)
        if m is None:
            raise RuntimeError("create_model(%s): %s" % (name, why))
        precision, autocast = SETTINGS[setting]
        dtype = self.torch.float32 if autocast else dtype_of(self.torch, precision)
        return copy.deepcopy(m).to(device=device, dtype=dtype)


def dtype_of(torch, precision):
    return {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[precision]


def is_oom(torch, e):
    return isinstance(e, torch.cuda.OutOfMemoryError) or "out of memory" in str(e).lower()


# ---------------------------------------------------------------- measuring


def measure_point(torch, a, device, model, key, run_id, common):
    """One point's record (ok, oom or error); model: the device module of the point's setting;
    common: fields every record of the run carries."""
    name, res, batch, setting, execution = key
    precision, autocast = SETTINGS[setting]
    in_dtype = torch.float32 if autocast else dtype_of(torch, precision)
    extra = dict(common, parameters=sum(p.numel() for p in model.parameters()))
    fn = compiled = x = None
    try:
        gen = torch.Generator(device=device).manual_seed(a.seed + batch)
        x = torch.randn((batch, 3, res, res), device=device, dtype=in_dtype, generator=gen)
        module = model
        t_compile = time.monotonic()
        if execution == "compiled":
            torch._dynamo.reset()  # a fresh compilation per point: compile_s is this point's
            compiled = module = torch.compile(model)
        if autocast:
            amp = dtype_of(torch, precision)

            # A fresh autocast context per forward, as timm's benchmark.py: the weights' casts
            # are not cached across forwards.
            def fn():
                with torch.autocast("cuda", dtype=amp):
                    return module(x)
        else:
            def fn():
                return module(x)
        with torch.inference_mode():
            t0 = time.monotonic()
            y = fn()
            torch.cuda.synchronize(device)
            first_call_s = time.monotonic() - t0
            # torch.compile compiles at the first call; counted from the torch.compile call.
            compile_s = time.monotonic() - t_compile
            extra["output_shape"] = list(y.shape)
            extra["output_dtype"] = str(y.dtype).replace("torch.", "")
            # Recorded, not fatal: random weights at fp16 may overflow without changing the time.
            extra["output_finite"] = bool(torch.isfinite(y).all().item())
            del y
            torch.cuda.reset_peak_memory_stats(device)
            stats = time_forward(torch, fn, a.warmup, a.min_repeats, a.target_spread, a.time_cap)
            peak = torch.cuda.max_memory_allocated(device)
        return point_record(run_id, name, res, batch, setting, execution, "ok", compute=stats,
                            peak_memory_bytes=peak,
                            compile_s=compile_s if execution == "compiled" else None,
                            first_call_s=first_call_s, **extra)
    except Exception as e:  # noqa: BLE001 - recorded; the run goes on
        status = "oom" if is_oom(torch, e) else "error"
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        if status == "error":
            traceback.print_exc()
            message = "%s: %s" % (type(e).__name__, message)
        return point_record(run_id, name, res, batch, setting, execution, status,
                            message=message[:2000], **extra)
    finally:
        del fn, compiled, x
        if execution == "compiled":
            torch._dynamo.reset()
        torch.cuda.empty_cache()


class Interrupted(BaseException):
    """SIGTERM (`timeout`): a BaseException, so no point's `except Exception` records it."""


def on_signal(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def main(argv):
    start = time.monotonic()  # the budget counts from here, imports included
    try:
        a = parse_args(argv)
    except ArgumentError as e:
        print("%s: error: %s" % (PROG, e), file=sys.stderr)
        return EXIT_ARGS
    done = done_keys(a.output, a.retry_errors)

    if a.dry_run and all(res for _, res in a.model_specs):
        timm = None  # every resolution given: the plan needs no timm
    else:
        try:
            import timm
        except ImportError as e:
            print("%s: timm is not importable here (%s); %s" % (
                PROG, e, "a dry run without it needs every model as NAME@RES" if a.dry_run
                else "measuring needs PyTorch with CUDA and timm"), file=sys.stderr)
            return EXIT_ARGS
    resolved = []
    for name, res in a.model_specs:
        if res is None:
            from timm.models import is_model
            if not is_model(name):
                print("%s: error: --models: '%s' is not a timm model (timm.list_models('%s*') "
                      "lists the names)" % (PROG, name, name.split("_")[0]), file=sys.stderr)
                return EXIT_ARGS
            res = default_res(timm, name)
        resolved.append((name, res))
    explicit = {name: res is not None for name, res in a.model_specs}
    points = plan(resolved, a.settings, a.executions, a.batches, a.compiled_batches)
    todo = [k for k in points if k not in done]

    if a.dry_run:
        print("%d points planned, %d already in %s, %d to measure:"
              % (len(points), len(points) - len(todo), a.output, len(todo)))
        for k in todo:
            print("%s res %d batch %d %s %s" % k)
        return EXIT_OK
    if not todo:
        print("%s: all %d points are already in %s" % (PROG, len(points), a.output))
        return EXIT_OK

    import torch

    if not torch.cuda.is_available():
        print("%s: needs a CUDA device (torch.cuda.is_available() is False)" % PROG,
              file=sys.stderr)
        return EXIT_ARGS
    device = torch.device(a.device)
    torch.cuda.set_device(device)
    import torch._dynamo  # noqa: F401  (reset between compilations)

    run_id = a.run_id or os.environ.get("VITPERF_RUN_ID") or make_run_id(
        torch.cuda.get_device_name(device))
    writer = RecordWriter(a.output)
    prov = provenance(torch, timm, device, run_id, sys.argv, {
        "plan": {"models": [list(m) for m in resolved], "settings": a.settings,
                 "executions": a.executions, "batches": a.batches,
                 "compiled_batches": a.compiled_batches, "points": len(points),
                 "already_done": len(points) - len(todo), "time_budget_s": a.time_budget,
                 "timing": {"warmup": a.warmup, "min_repeats": a.min_repeats,
                            "target_spread": a.target_spread, "time_cap_s": a.time_cap}}})
    writer.write(prov)
    # On every point too, so scripts/run_ids.py names the device and revision of each run.
    common = {"device_name": prov["device_name"], "git_revision": prov["git_revision"]}
    print("%s: run %s, %d of %d points to measure into %s"
          % (PROG, run_id, len(todo), len(points), a.output), flush=True)

    previous_handler = signal.signal(signal.SIGTERM, on_signal)  # `timeout` stops us
    models = Models(torch, timm, a.seed)
    estimator = Estimator(a.time_cap, a.eager_estimate, a.compile_estimate)
    counts = {"ok": 0, "oom": 0, "error": 0}
    current = (None, None)  # ((model, res, setting), device module): reused across batches
    left = list(todo)
    stopped = None
    try:
        while left:
            key = left[0]
            name, res, batch, setting, execution = key
            elapsed = time.monotonic() - start
            est = estimator.estimate(name, execution)
            if not fits(elapsed, est, a.time_budget):
                stopped = ("--time-budget: %.0f s spent, the next point (%s %s %s b%d) is "
                           "expected to take %.0f s" % (elapsed, name, setting, execution,
                                                        batch, est))
                break
            t0 = time.monotonic()
            mkey = (name, res, setting)
            try:
                if current[0] != mkey:
                    current = (None, None)
                    torch.cuda.empty_cache()
                    current = (mkey, models.on_device(name, res, explicit[name], setting, device))
                record = measure_point(torch, a, device, current[1], key, run_id, common)
            except Exception as e:  # noqa: BLE001 - model creation or copy failed
                status = "oom" if is_oom(torch, e) else "error"
                record = point_record(run_id, name, res, batch, setting, execution, status,
                                      message=("%s: %s" % (type(e).__name__, e))[:2000],
                                      **common)
                current = (None, None)
            writer.write(record)
            left.pop(0)
            seconds = time.monotonic() - t0
            estimator.observe(name, execution, seconds)
            counts[record["status"]] += 1
            if record["status"] == "ok":
                what = "%.1f img/s" % record["throughput_ips"]
                if execution == "compiled":
                    what += " (compile %.1f s)" % record["compile_s"]
            else:
                what = "%s: %s" % (record["status"], record.get("message", ""))
            print("[%4.0f s] %s res %d b%d %s %s: %s"
                  % (time.monotonic() - start, name, res, batch, setting, execution, what),
                  flush=True)
    except (Interrupted, KeyboardInterrupt) as e:
        stopped = "stopped by %s" % (e or "SIGINT")
    finally:
        writer.close()
        signal.signal(signal.SIGTERM, previous_handler)
    print("%s: %.0f s; ok %d, oom %d, error %d; records in %s"
          % (PROG, time.monotonic() - start, counts["ok"], counts["oom"], counts["error"],
             a.output), flush=True)
    if left:
        print("%s: %s; %d points left: run the same command again to finish them"
              % (PROG, stopped, len(left)), flush=True)
        return EXIT_LEFT
    return EXIT_FAILED if counts["error"] else EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
