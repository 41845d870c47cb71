#!/usr/bin/env python3
"""Python's torch.compile beside eager on the very ViTs the C++ probe runs compiled: the models
and weights of an AOTInductor package folder (`vitperf measure --aoti-prepare` wrote them; see
scripts/aoti_compile.py), so this run's numbers sit next to the C++ eager, graph and AOTInductor
points of the same experiment.

For every model in the folder (one per distinct config of its *.request.json), in one process:
  * eager: the PyTorch model (scripts/vitperf_vit.py, the C++ module's weights) in
    inference_mode;
  * torch.compile, mode "default" and mode "reduce-overhead" (CUDA graphs), the batch dimension
    marked dynamic at the largest batch (as the AOTInductor packages are built), so one
    compilation serves every batch >= 2 and batch 1 gets its own; the first call at each batch is
    timed apart (first_call_s: compilation and, for reduce-overhead, graph recording);
timed the way measure/pipeline_probe.cpp times compute_only points and scripts/compare_timm.py
times timm (device-resident torch.randn input, warm-up, CUDA events around each forward, repeats
until (p90 - p10) / median is under the target or a time cap, median). Each compiled output is
checked against eager on one input (max_rel_diff: over the eager output's largest magnitude).
With --profile, one iteration per model, mode and largest batch is traced with torch.profiler and
its kernels summed per class (attention, matmul, norm_elementwise, patch_embed, other; the rule of
measure/cupti_tracer.h plus the patch embedding's convolution kernels).

Output: JSONL, a provenance line (device, driver, torch/triton/CUDA versions, date, git revision,
argv) then one record per (model, batch, mode), schema "vitperf.python_compile". Out-of-memory and
errors are records too; models left when --time-budget runs out are recorded as skipped.

Usage (where PyTorch >= 2.6 with CUDA is installed):
    python3 scripts/python_compile_compare.py DIR -o OUT.jsonl [--batches 1,64,256]
        [--modes eager,default,reduce-overhead] [--models 'vit_b16-224x224*',...] [--profile]
        [--time-cap 2] [--time-budget 300]
Exit status: 0 when every point ran (ok or oom), 1 when one failed, 2 for bad arguments.
"""

import argparse
import datetime
import fnmatch
import glob
import json
import os
import platform
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vitperf_vit as vv  # noqa: E402
from compare_timm import time_forward  # noqa: E402  (the same timing method)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = "vitperf.python_compile"
MODES = ("eager", "default", "reduce-overhead")


def fail_args(message):
    print("python_compile_compare.py: " + message, file=sys.stderr)
    sys.exit(2)


def int_list(text, field):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        fail_args("%s: '%s' is not a comma-separated list of positive integers" % (field, text))
    if not values or any(v < 1 for v in values):
        fail_args("%s: '%s' is not a comma-separated list of positive integers" % (field, text))
    return values


def models_of(folder, only):
    """[(stem, config dict as written, weights index, batches)] of the folder's requests, one per
    distinct config, in file order."""
    requests = sorted(glob.glob(os.path.join(folder, "*.request.json")))
    if not requests:
        fail_args("DIR: %s holds no *.request.json (write them with `vitperf measure -e "
                  "EXPERIMENT --aoti-dir %s --aoti-prepare`)" % (folder, folder))
    seen = {}
    for path in requests:
        with open(path, "r", encoding="utf-8") as f:
            r = json.load(f)
        if r.get("schema") != vv.AOTI_REQUEST_SCHEMA:
            fail_args("DIR: %s: schema: expected %s" % (path, vv.AOTI_REQUEST_SCHEMA))
        try:
            vv.read_config(r["config"])
        except vv.ConfigError as e:
            fail_args("DIR: %s: %s" % (path, e))
        stem = os.path.basename(r["weights"])[:-len(".weights.json")]
        entry = seen.setdefault(stem, {"stem": stem, "config": r["config"],
                                       "weights": os.path.join(folder, r["weights"]),
                                       "batches": set(), "seed": r.get("seed")})
        entry["batches"].update(r["batches"])
    models = list(seen.values())
    if only:
        for pattern in only:
            if not any(fnmatch.fnmatchcase(m["stem"], pattern) for m in models):
                fail_args("models: '%s' matches no model of %s (accepted: %s)"
                          % (pattern, folder, ", ".join(m["stem"] for m in models)))
        models = [m for m in models if any(fnmatch.fnmatchcase(m["stem"], p) for p in only)]
    return models


def breakdown(torch, fn):
    """Device time [ms] and count per kernel class of one call of fn, from torch.profiler."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    classes = {}
    total_ms, count = 0.0, 0
    for e in prof.events():
        if e.device_type != torch.autograd.DeviceType.CUDA:
            continue
        name = e.name
        if name.lower().startswith(("memcpy", "memset")):
            continue
        ms = (e.time_range.end - e.time_range.start) / 1e3
        cls = vv.kernel_class_with_patch(name)
        s = classes.setdefault(cls, {"time_ms": 0.0, "count": 0})
        s["time_ms"] += ms
        s["count"] += 1
        total_ms += ms
        count += 1
    return {"kernels": classes, "kernel_time_ms": total_ms, "kernel_count": count,
            "source": "torch.profiler"}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="the AOTInductor package folder (its requests name the models)")
    ap.add_argument("-o", "--output", required=True, help="JSONL file (appended to)")
    ap.add_argument("--batches", help="batches to run (default: each model's requested batches)")
    ap.add_argument("--modes", default=",".join(MODES), help="of " + ", ".join(MODES))
    ap.add_argument("--models", help="model stems or shell patterns, comma-separated "
                                     "('vit_b16-224x224*'; default: every model in DIR)")
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--min-repeats", type=int, default=5)
    ap.add_argument("--target-spread", type=float, default=0.05)
    ap.add_argument("--time-cap", type=float, default=2.0, help="[s] per timed point")
    ap.add_argument("--time-budget", type=float, default=0.0,
                    help="[s] start no new model after this (0: no limit)")
    ap.add_argument("--profile", action="store_true", help="kernel classes at the largest batch")
    a = ap.parse_args(argv)

    if not os.path.isdir(a.dir):
        fail_args("dir: '%s' is not a folder" % a.dir)
    modes = [m for m in a.modes.split(",") if m]
    for m in modes:
        if m not in MODES:
            fail_args("modes: '%s' is not one of %s" % (m, ", ".join(MODES)))
    if "eager" not in modes:
        modes.insert(0, "eager")  # the reference every compiled output is checked against
    batches_override = int_list(a.batches, "batches") if a.batches else None
    if a.warmup < 0 or a.min_repeats < 1 or not a.target_spread > 0 or not a.time_cap > 0:
        fail_args("warmup/min-repeats/target-spread/time-cap: expected >= 0, >= 1, > 0, > 0")
    models = models_of(a.dir, a.models.split(",") if a.models else None)

    import torch
    import torch._dynamo

    if not torch.cuda.is_available():
        print("python_compile_compare.py: needs a CUDA device", file=sys.stderr)
        return 2
    device = torch.device(a.device)
    torch.cuda.set_device(device)
    # --static-like recompiles at batch 1 must not hit Dynamo's recompile limit.
    for limit in ("cache_size_limit", "recompile_limit"):
        if hasattr(torch._dynamo.config, limit):
            setattr(torch._dynamo.config, limit, 64)

    provenance = {"device": str(device), "argv": sys.argv,
                  "time_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                  "git_revision": vv.git_revision(REPO), "host": platform.node(),
                  "python_version": platform.python_version()}
    provenance.update(vv.versions(torch))
    out = open(a.output, "a", encoding="utf-8")

    def write(obj):
        out.write(json.dumps(obj) + "\n")
        out.flush()

    write({"schema": SCHEMA, "schema_version": 1, "kind": "provenance", **provenance})
    run_start = time.monotonic()
    failures = 0

    for model_entry in models:
        config = vv.read_config(model_entry["config"])
        batches = sorted(batches_override or model_entry["batches"], reverse=True)
        base = {"schema": SCHEMA, "schema_version": 1, "kind": "point",
                "model": model_entry["stem"], "config": model_entry["config"],
                "precision": config["precision"], "provenance": provenance}
        if a.time_budget > 0 and time.monotonic() - run_start > a.time_budget:
            for b in batches:
                for mode in modes:
                    write(dict(base, batch=b, mode=mode, status="skipped",
                               message="--time-budget of %.0f s spent" % a.time_budget))
            print("%s: skipped (time budget)" % model_entry["stem"], flush=True)
            continue
        if config["precision"] == "tf32":
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        dtype = vv.torch_dtype(torch, config["precision"])
        shape = (config["channels"], config["image_height"], config["image_width"])
        try:
            model = vv.load_model(torch, config, model_entry["weights"], device)
        except Exception as e:  # noqa: BLE001 - one model failing must not end the run
            failures += 1
            for b in batches:
                for mode in modes:
                    write(dict(base, batch=b, mode=mode, status="error", message=str(e)))
            continue
        reference = {}  # batch -> eager output on the check input
        for mode in modes:
            torch._dynamo.reset()
            fn = model
            if mode != "eager":
                fn = torch.compile(model, mode=None if mode == "default" else mode)
            compile_start = time.monotonic()
            first_batch = True
            for b in batches:
                record = dict(base, batch=b, mode=mode)
                try:
                    gen = torch.Generator(device="cpu").manual_seed(1)
                    x = torch.randn((b,) + shape, generator=gen).to(device=device, dtype=dtype)
                    check = torch.randn((b,) + shape, generator=gen).to(device=device, dtype=dtype)
                    if mode != "eager" and first_batch and b >= 2:
                        # One dynamic-batch compilation, as the AOTInductor packages.
                        torch._dynamo.mark_dynamic(x, 0)
                    with torch.inference_mode():
                        t0 = time.monotonic()
                        y = fn(x)
                        torch.cuda.synchronize()
                        record["first_call_s"] = time.monotonic() - t0
                        if mode != "eager" and first_batch:
                            record["compile_s"] = time.monotonic() - compile_start
                        first_batch = False
                        # Checked now: a CUDA-graph output is overwritten by the next call.
                        if not torch.isfinite(y).all().item():
                            raise RuntimeError("output is not finite")
                        del y
                        out_check = fn(check).float()
                        if mode == "eager":
                            reference[b] = out_check
                        elif b in reference:
                            want = reference[b]
                            diff = (out_check - want).abs().max().item()
                            scale = want.abs().max().item()
                            record["max_abs_diff"] = diff
                            record["max_rel_diff"] = diff / scale if scale > 0 else diff
                        torch.cuda.reset_peak_memory_stats(device)
                        stats = time_forward(torch, lambda: fn(x), a.warmup, a.min_repeats,
                                             a.target_spread, a.time_cap)
                        record["compute"] = stats
                        record["throughput_ips"] = b / (stats["median_ms"] * 1e-3)
                        record["peak_memory_bytes"] = torch.cuda.max_memory_allocated(device)
                        if a.profile and b == batches[0]:
                            try:
                                record["breakdown"] = breakdown(torch, lambda: fn(x))
                            except Exception as e:  # noqa: BLE001 - optional
                                record["breakdown"] = None
                                record["message"] = "profiler: %s" % e
                    record["status"] = "ok"
                except torch.cuda.OutOfMemoryError as e:
                    record.update(status="oom", message=str(e).splitlines()[0])
                    torch.cuda.empty_cache()
                except Exception as e:  # noqa: BLE001 - recorded, the run goes on
                    failures += 1
                    record.update(status="error", message="%s: %s" % (type(e).__name__, e))
                    traceback.print_exc()
                write(record)
                ok = record["status"] == "ok"
                print("%s b=%d %s: %s" % (
                    model_entry["stem"], b, mode,
                    "%.1f img/s%s" % (record["throughput_ips"],
                                      " (first call %.1f s)" % record["first_call_s"])
                    if ok else record["status"] + " " + record.get("message", "")), flush=True)
            del fn
        del model, reference
        torch._dynamo.reset()
        torch.cuda.empty_cache()
    out.close()
    print("python_compile_compare.py: %.0f s, %d failed; records in %s"
          % (time.monotonic() - run_start, failures, a.output))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
