#!/usr/bin/env python3
"""vitperf's end-to-end pipeline beside the loop a careful Python user writes with timm, on the
same GPU in one run, like for like (RQ5, issue 24).

Both sides start from the same state and end in the same state:
  start "pageable": one batch of decoded uint8 images [B, 3, H, W] in ordinary (pageable) host
                    memory, as a data loader hands them over; each batch is copied from it.
  start "pinned":   the same images already in pinned host memory (a loader that decodes into
                    pinned memory); no staging copy.
  end:              the logits of every batch in pinned host memory, complete (synchronised).

The Python side (timm, random weights, bf16, inference_mode), per model and mode (eager,
torch.compile default; reduce-overhead on request), with the loop a careful user writes:
  * a ring of pinned host input buffers and of pinned output buffers, allocated once;
  * start pageable: a pin-memory thread (what DataLoader(pin_memory=True) runs) copies each batch
    into a free pinned buffer; start pinned: the H2D reads the pinned images directly;
  * H2D with non_blocking=True on a second stream that prefetches batch i+1 while batch i
    computes, ordered with CUDA events;
  * the uint8 batch normalised on the GPU ((x/255 - mean)/std, timm's ImageNet constants) inside
    the (compiled) function, then the model;
  * logits copied back to pinned memory with non_blocking=True, each batch's copy waited for
    before its buffer is reused.
Throughput [images/s] = batches x B / wall time between synchronisations, over three windows
after a warm-up; the median window is kept. compute_ips: the loop's function alone on a
device-resident uint8 input (normalise + model in the same mode), timed as
scripts/compare_timm.py times timm (CUDA events, median).

The vitperf side: records of `vitperf measure -e rq5_pipeline` (sweep side_by_side: overlapped,
uint8, pinned ring, both start states, eager and graph) from --vitperf-jsonl, or run here with
--vitperf BIN. For each model and start the best overlapped record is compared (its execution
mode, queue depth and producer count are written beside it).

The timm model is the architecture of the vitperf preset: the preset's timm name is read from
model/presets.cpp (vit_s16 -> vit_small_patch16_224, ...), and timm's parameter count is
compared with the count of the vitperf record's config (same_architecture in the comparison).

Output:
  --python-jsonl FILE: one record per (model, start, mode), schema vitperf.python_pipeline, after a
    provenance line; appended, and points already there are not measured again (resume).
  -o FILE (data/comparisons/h200-pipeline_vs_python.json): schema vitperf.pipeline_vs_python, one
    record per model and start: model, start, vitperf_e2e_ips, vitperf_compute_ips,
    vitperf_execution, python_best_e2e_ips, python_best_mode, plus ratios and provenance.

Usage (GPU host with PyTorch + timm):
    python3 scripts/python_pipeline_compare.py -o OUT.json --python-jsonl PY.jsonl \\
        (--vitperf-jsonl RQ5.jsonl | --vitperf build-gpu/cli/vitperf) [--models vit_s16,...]
        [--batch 256] [--res 224] [--modes eager,compile] [--starts pageable,pinned]
        [--window-s 0.6] [--time-budget 240]
    python3 scripts/python_pipeline_compare.py --compare-only -o OUT.json \\
        --python-jsonl PY.jsonl --vitperf-jsonl RQ5.jsonl [--since UTC]   # no GPU needed
    python3 scripts/python_pipeline_compare.py --self-test  # no torch needed
Exit status: 0 when every comparison record could be made, 1 when one is missing or a point
failed, 2 for bad arguments.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vitperf_vit as vv  # noqa: E402
from jsonl_records import measured_since, pipeline_e2e_ips, read_jsonl, since_error  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_POINT = "vitperf.python_pipeline"
SCHEMA_COMPARISON = "vitperf.pipeline_vs_python"
SCHEMA_VERSION = 1
MODELS = ("vit_s16", "vit_b16", "vit_b32", "vit_l16")
MODES = ("eager", "compile", "reduce-overhead")
STARTS = ("pageable", "pinned")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def fail_args(message):
    print("python_pipeline_compare.py: " + message, file=sys.stderr)
    sys.exit(2)


def choice_list(text, field, accepted):
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values:
        fail_args("%s: empty list (accepted: %s)" % (field, ", ".join(accepted)))
    for v in values:
        if v not in accepted:
            fail_args("%s: '%s' is not one of %s" % (field, v, ", ".join(accepted)))
    return values


def preset_timm_names(presets_cpp=os.path.join(REPO, "model", "presets.cpp")):
    """{vitperf preset: timm name} from model/presets.cpp's table, the one source of truth."""
    with open(presets_cpp, "r", encoding="utf-8") as f:
        text = f.read()
    pairs = re.findall(r'\{"(vit_[a-z0-9]+)",\s*"([a-z0-9_]+)",\s*Make\(', text)
    if not pairs:
        raise RuntimeError("no presets found in " + presets_cpp)
    return dict(pairs)


def vit_parameters(config):
    """Parameters of a standard ViT config (the presets: class token, learned position
    embedding, qkv bias, GELU MLP, final norm, linear head), as timm counts them."""
    c = vv.read_config({k: v for k, v in config.items() if k in vv.CONFIG_DEFAULTS})
    d, k, ch, p = c["dim"], c["classes"], c["channels"], c["patch"]
    hidden = vv.mlp_hidden(c)
    gh, gw = vv.grid(c)
    tokens = gh * gw + vv.prefix_tokens(c)
    block = (2 * d) + (3 * d * d + 3 * d) + (d * d + d) + (2 * d) + (d * hidden + hidden) \
        + (hidden * d + d)
    return ((ch * p * p * d + d) + (d if c["class_token"] else 0) + tokens * d
            + c["depth"] * block + 2 * d + (d * k + k if k > 0 else 0))


# ---- the vitperf side ----

def vitperf_start(options):
    return options.get("start", "pageable")


def vitperf_compute_ips(record):
    median = record.get("compute", {}).get("median_ms", 0)
    return record["batch"] / (median * 1e-3) if median > 0 else 0.0


def best_vitperf(records, model, start, batch, res, pipeline="overlapped"):
    """The fastest ok record of `model` at res/batch, bf16, uint8 into a pinned ring, with images
    starting in `start` memory, in `pipeline` mode; None when there is none."""
    best = None
    for r in records:
        if r.get("kind") != "pipeline" or r.get("status") != "ok":
            continue
        c, o = r["config"], r["options"]
        if (c.get("name") != model or c.get("image_height") != res or c.get("image_width") != res
                or c.get("precision", "bf16") != "bf16" or r.get("batch") != batch):
            continue
        if (o.get("pipeline") != pipeline or o.get("input") != "uint8"
                or o.get("host_memory") != "pinned" or vitperf_start(o) != start
                or o.get("compute_only")):
            continue
        if best is None or pipeline_e2e_ips(r) > pipeline_e2e_ips(best):
            best = r
    return best


def run_vitperf(binary, out_jsonl, device):
    """Runs the side_by_side sweep of rq5_pipeline into out_jsonl (resumed when it exists)."""
    cmd = [binary, "measure", "-e", "rq5_pipeline", "--device", device, "--cupti", "off",
           "sweep=side_by_side", "probes=none", "-o", out_jsonl, "--resume"]
    print("running: " + " ".join(cmd), flush=True)
    return subprocess.run(cmd).returncode


# ---- the Python side ----

def normalised_model(torch, model, dtype, device):
    """uint8 [B, C, H, W] -> the model's logits, normalising on the device first: one module, so
    torch.compile fuses the normalisation into its first kernels as a careful user's would."""

    class Normalised(torch.nn.Module):
        def __init__(self):
            super().__init__()
            mean = torch.tensor(IMAGENET_MEAN, device=device).view(1, 3, 1, 1)
            std = torch.tensor(IMAGENET_STD, device=device).view(1, 3, 1, 1)
            self.register_buffer("scale", (1.0 / (255.0 * std)).float())
            self.register_buffer("shift", (-mean / std).float())
            self.model = model

        def forward(self, pixels):
            return self.model((pixels.float() * self.scale + self.shift).to(dtype))

    return Normalised().eval()


def careful_loop(torch, fn, source, start, classes, dtype, warmup, window_s, windows, slots=3):
    """The careful user's end-to-end loop (see the module docstring). Returns (median images/s,
    per-window images/s, batches timed)."""
    device = torch.device("cuda")
    batch = source.shape[0]
    main = torch.cuda.current_stream()
    copy_stream = torch.cuda.Stream()
    dev_in = [torch.empty(source.shape, dtype=torch.uint8, device=device) for _ in range(slots)]
    host_out = [torch.empty((batch, classes), dtype=dtype, pin_memory=True) for _ in range(slots)]
    h2d_done = [torch.cuda.Event() for _ in range(slots)]
    used = [torch.cuda.Event() for _ in range(slots)]  # compute done reading dev_in[k]
    out_done = [torch.cuda.Event() for _ in range(slots)]
    out_pending = [False] * slots

    if start == "pinned":
        host_in = None  # the H2D reads the pinned source itself
        pin_thread = None
    else:
        import queue
        host_in = [torch.empty(source.shape, dtype=torch.uint8, pin_memory=True)
                   for _ in range(slots)]
        free_q, ready_q = queue.Queue(), queue.Queue()
        stop = threading.Event()
        for k in range(slots):
            free_q.put((k, None))

        def pin_worker():
            # DataLoader's pin-memory thread: wait for a free pinned buffer, copy the batch in.
            try:
                while not stop.is_set():
                    k, event = free_q.get()
                    if k is None:
                        return
                    if event is not None:
                        event.synchronize()  # its previous H2D has read it
                    host_in[k].copy_(source)
                    ready_q.put(k)
            except Exception as e:  # surfaced by the main loop
                ready_q.put(e)

        pin_thread = threading.Thread(target=pin_worker, daemon=True)
        pin_thread.start()

    def prefetch(i):
        k = i % slots
        if host_in is None:
            src = source
        else:
            got = ready_q.get()
            if isinstance(got, Exception):
                raise got
            src = host_in[got]
        with torch.cuda.stream(copy_stream):
            copy_stream.wait_event(used[k])  # compute of batch i - slots is done with dev_in[k]
            dev_in[k].copy_(src, non_blocking=True)
            h2d_done[k].record(copy_stream)
        if host_in is not None:
            free_q.put((got, h2d_done[k]))
        return k

    def step(i, pending):
        k = pending
        nxt = prefetch(i + 1)
        main.wait_event(h2d_done[k])
        y = fn(dev_in[k])
        used[k].record(main)
        if out_pending[k]:
            out_done[k].synchronize()  # the logits of batch i - slots are consumed
        host_out[k].copy_(y, non_blocking=True)
        out_done[k].record(main)
        out_pending[k] = True
        return nxt

    def finish():
        for k in range(slots):
            if out_pending[k]:
                out_done[k].synchronize()
        torch.cuda.synchronize()

    rates = []
    timed = 0
    try:
        with torch.inference_mode():
            i = 0
            pending = prefetch(0)
            for _ in range(warmup):
                pending = step(i, pending)
                i += 1
            finish()
            for _ in range(windows):
                t0 = time.perf_counter()
                n = 0
                while True:
                    pending = step(i, pending)
                    i += 1
                    n += 1
                    if n >= 3 and time.perf_counter() - t0 >= window_s:
                        break
                finish()  # every batch's logits are in host memory
                rates.append(n * batch / (time.perf_counter() - t0))
                timed += n
            # The prefetched batch is left in flight; drain it.
            torch.cuda.synchronize()
            if not bool(torch.isfinite(host_out[0].float()).all()):
                raise RuntimeError("logits are not finite")
    finally:
        if pin_thread is not None:
            stop.set()
            free_q.put((None, None))
            pin_thread.join(timeout=10)
    rates_sorted = sorted(rates)
    return rates_sorted[len(rates_sorted) // 2], rates, timed


def compute_only_ips(torch, fn, batch, res, warmup, time_cap_s):
    """The loop's own function (normalise + model, in its mode) on a device-resident random
    uint8 batch, timed as scripts/compare_timm.py times timm."""
    from compare_timm import time_forward
    x = torch.randint(0, 256, (batch, 3, res, res), device="cuda", dtype=torch.uint8)
    with torch.inference_mode():
        st = time_forward(torch, lambda: fn(x), warmup, 5, 0.05, time_cap_s)
    return batch / (st["median_ms"] * 1e-3)


def python_provenance(torch, argv):
    out = {"device": "cuda:0", "argv": argv, "python_version": platform.python_version(),
           "host": platform.node(), "git_revision": vv.git_revision(REPO),
           "time_utc": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    out.update(vv.versions(torch))
    try:
        import timm
        out["timm_version"] = timm.__version__
    except ImportError:
        out["timm_version"] = None
    return out


def measure_python(a, models, done, write):
    import torch
    import timm
    if not torch.cuda.is_available():
        fail_args("device: needs a CUDA device (none found)")
    dtype = torch.bfloat16
    timm_names = preset_timm_names()
    deadline = time.monotonic() + a.time_budget if a.time_budget > 0 else None
    failed = 0
    for model_name in models:
        todo = [(s, m) for m in a.modes for s in a.starts if (model_name, s, m) not in done]
        if not todo:
            continue
        base = {"schema": SCHEMA_POINT, "schema_version": SCHEMA_VERSION, "kind": "point",
                "model": model_name, "timm_name": timm_names[model_name], "batch": a.batch,
                "res": a.res, "precision": "bf16"}
        if deadline is not None and time.monotonic() > deadline:
            for s, m in todo:
                write(dict(base, start=s, mode=m, status="skipped",
                           message="time budget of %g s spent" % a.time_budget))
            continue
        torch.manual_seed(a.seed)
        model = timm.create_model(timm_names[model_name], pretrained=False,
                                  img_size=a.res).eval().to(device="cuda", dtype=dtype)
        params = sum(p.numel() for p in model.parameters())
        torch.manual_seed(a.seed + 1)
        source = torch.randint(0, 256, (a.batch, 3, a.res, a.res), dtype=torch.uint8)
        pinned_source = source.pin_memory()
        for mode in a.modes:
            if all((model_name, s, mode) in done for s in a.starts):
                continue
            eager_fn = normalised_model(torch, model, dtype, "cuda")
            fn, compile_s = eager_fn, None
            try:
                if mode != "eager":
                    torch._dynamo.reset()
                    fn = torch.compile(eager_fn, mode=None if mode == "compile" else mode)
                    t0 = time.monotonic()
                    with torch.inference_mode():
                        fn(pinned_source.cuda())
                        torch.cuda.synchronize()
                    compile_s = time.monotonic() - t0
                compute = compute_only_ips(torch, fn, a.batch, a.res, 3, 1.0)
            except Exception as e:  # noqa: BLE001 - a failed mode is a record, not a crash
                for s in a.starts:
                    write(dict(base, start=s, mode=mode, status="error", message=str(e)[:500]))
                failed += 1
                continue
            for start in a.starts:
                if (model_name, start, mode) in done:
                    continue
                try:
                    ips, windows, timed = careful_loop(
                        torch, fn, pinned_source if start == "pinned" else source, start,
                        model.num_classes, dtype, a.warmup, a.window_s, 3)
                    rec = dict(base, start=start, mode=mode, status="ok", e2e_ips=ips,
                               window_ips=windows, batches_timed=timed, compute_ips=compute,
                               efficiency=ips / compute if compute > 0 else None,
                               parameters=params, compile_s=compile_s)
                except Exception as e:  # noqa: BLE001
                    msg = str(e)
                    status = "oom" if "out of memory" in msg.lower() else "error"
                    rec = dict(base, start=start, mode=mode, status=status, message=msg[:500],
                               trace=traceback.format_exc()[-1500:])
                    failed += status == "error"
                print("%-8s %-8s %-15s %s" % (model_name, start, mode,
                                              "%.0f img/s (compute %.0f)" % (rec["e2e_ips"],
                                                                            compute)
                                              if rec["status"] == "ok" else rec["status"]),
                      flush=True)
                write(rec)
        del model, source, pinned_source
        torch.cuda.empty_cache()
    return failed


# ---- the comparison ----

def compare(vitperf_records, python_records, models, starts, batch, res):
    """One record per model and start; a missing side leaves that field null."""
    out = []
    vit_prov = next((r for r in vitperf_records if r.get("kind") == "provenance"), {})
    for model in models:
        for start in starts:
            v = best_vitperf(vitperf_records, model, start, batch, res)
            seq = best_vitperf(vitperf_records, model, start, batch, res, "sequential")
            py = [p for p in python_records
                  if p.get("kind") == "point" and p.get("status") == "ok" and p["model"] == model
                  and p["start"] == start and p["batch"] == batch and p["res"] == res]
            best_py = max(py, key=lambda p: p["e2e_ips"]) if py else None
            rec = {
                "model": model,
                "start": start,
                "vitperf_e2e_ips": pipeline_e2e_ips(v) if v else None,
                "vitperf_compute_ips": vitperf_compute_ips(v) if v else None,
                "vitperf_execution": v["options"]["execution"] if v else None,
                "python_best_e2e_ips": best_py["e2e_ips"] if best_py else None,
                "python_best_mode": best_py["mode"] if best_py else None,
            }
            if v:
                rec["vitperf_efficiency"] = pipeline_e2e_ips(v) / vitperf_compute_ips(v)
                rec["vitperf_queue_depth"] = v["options"]["queue_depth"]
                rec["vitperf_producer_threads"] = v["options"]["producer_threads"]
                rec["vitperf_stage_ms"] = v.get("stage_ms")
                rec["vitperf_record_id"] = v["id"]
            if seq:
                rec["vitperf_sequential_e2e_ips"] = pipeline_e2e_ips(seq)
            if best_py:
                rec["python_e2e_ips_by_mode"] = {p["mode"]: p["e2e_ips"] for p in py}
                rec["python_compute_ips"] = best_py.get("compute_ips")
                rec["python_timm_name"] = best_py.get("timm_name")
                rec["python_parameters"] = best_py.get("parameters")
            if v and best_py:
                rec["ratio_vitperf_to_python"] = pipeline_e2e_ips(v) / best_py["e2e_ips"]
                # The same architecture on both sides: timm's parameter count against the count
                # of the vitperf record's config.
                rec["vitperf_parameters"] = vit_parameters(v["config"])
                rec["same_architecture"] = rec["vitperf_parameters"] == best_py.get("parameters")
            out.append(rec)
    return out, vit_prov


def comparison_document(records, vit_prov, py_prov, batch, res, argv):
    return {
        "schema": SCHEMA_COMPARISON,
        "schema_version": SCHEMA_VERSION,
        "batch": batch,
        "res": res,
        "precision": "bf16",
        "end_state": "logits of every batch in pinned host memory, synchronised",
        "starts": {"pageable": "decoded uint8 images in ordinary host memory (vitperf: "
                               "producers stage them into the pinned ring; Python: a pin-memory "
                               "thread copies them into pinned buffers)",
                   "pinned": "decoded uint8 images already in pinned host memory (no staging "
                             "copy on either side)"},
        "method": "vitperf: best overlapped record of `vitperf measure -e rq5_pipeline` at this "
                  "model/res/batch (uint8, pinned ring, normalised on the GPU), compute = its "
                  "forward pass alone in the same execution mode; Python: timm with the careful "
                  "user's loop (pinned buffers, non_blocking, prefetch stream, normalise on the "
                  "GPU, logits to pinned memory), eager and torch.compile, median of three "
                  "windows; both in one run on the same GPU "
                  "(scripts/python_pipeline_compare.py)",
        "provenance": {
            "vitperf": {k: vit_prov.get(k) for k in (
                "device_name", "git_revision", "libtorch_version", "cuda_runtime_version",
                "cuda_driver_version", "host_cpu", "time_utc", "hostname")},
            "vitperf_device_info": vit_prov.get("device_info"),
            "python": py_prov,
            "comparison_written_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "argv": argv,
        },
        "records": records,
    }


class FakeTorch:
    """Just enough of torch for careful_loop, with synchronous 'device' work (self-test only)."""

    uint8, bfloat16 = "uint8", "bfloat16"

    class Tensor:
        def __init__(self, shape):
            self.shape = shape
            self.tag = None

        def copy_(self, other, non_blocking=False):
            self.tag = other.tag
            return self

        def float(self):
            return self

    class _Flag:
        def all(self):
            return True

        def __bool__(self):
            return True

    class _Context:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def __init__(self):
        outer = self
        self.last_logits = None

        class Event:
            def __init__(self):
                self.recorded = False

            def record(self, stream=None):
                self.recorded = True

            def synchronize(self):
                pass

        class Stream:
            def wait_event(self, event):
                pass

        class Cuda:
            def current_stream(self):
                return Stream()

            def stream(self, s):
                return FakeTorch._Context()

            def synchronize(self):
                pass

        Cuda.Event = Event
        Cuda.Stream = Stream
        self.cuda = Cuda()

        class HostOut(FakeTorch.Tensor):
            def copy_(self, other, non_blocking=False):
                FakeTorch.Tensor.copy_(self, other)
                outer.last_logits = self
                return self

        self._host_out = HostOut

    def device(self, name):
        return name

    def empty(self, shape, dtype=None, device=None, pin_memory=False):
        if len(shape) == 2:
            return self._host_out(shape)
        return FakeTorch.Tensor(shape)

    def inference_mode(self):
        return FakeTorch._Context()

    def isfinite(self, t):
        return FakeTorch._Flag()


def self_test():
    names = preset_timm_names()
    assert names["vit_s16"] == "vit_small_patch16_224", names
    assert names["vit_b32"] == "vit_base_patch32_224", names
    assert names["vit_l16"] == "vit_large_patch16_224", names
    for m in MODELS:
        assert m in names, m

    def rec(model, start, execution, ips, compute_ms, pipeline="overlapped", status="ok",
            host="pinned", q=4):
        o = {"execution": execution, "input": "uint8", "host_memory": host,
             "pipeline": pipeline, "queue_depth": q, "producer_threads": 4,
             "compute_only": False, "numa": "none"}
        if start == "pinned":
            o["start"] = "pinned"
        return {"kind": "pipeline", "status": status, "id": model + start + execution,
                "config": {"name": model, "image_height": 224, "image_width": 224,
                           "precision": "bf16"},
                "batch": 256, "options": o, "throughput_ips": ips,
                "compute": {"median_ms": compute_ms}, "stage_ms": {}}

    v = [{"kind": "provenance", "device_name": "GPU", "git_revision": "abc"},
         rec("vit_b16", "pageable", "eager", 9000, 25.0),
         rec("vit_b16", "pageable", "graph", 9500, 25.6),
         rec("vit_b16", "pageable", "graph", 12000, 20.0, status="error"),
         rec("vit_b16", "pageable", "graph", 11000, 20.0, host="pageable"),
         rec("vit_b16", "pageable", "eager", 5000, 25.0, pipeline="sequential", q=1),
         rec("vit_b16", "pinned", "eager", 9900, 25.0)]
    p = [{"kind": "point", "status": "ok", "model": "vit_b16", "start": "pageable",
          "batch": 256, "res": 224, "mode": "eager", "e2e_ips": 8000.0},
         {"kind": "point", "status": "ok", "model": "vit_b16", "start": "pageable",
          "batch": 256, "res": 224, "mode": "compile", "e2e_ips": 9000.0},
         {"kind": "point", "status": "error", "model": "vit_b16", "start": "pinned",
          "batch": 256, "res": 224, "mode": "compile"}]
    b16 = {"name": "vit_b16", "image_height": 224, "image_width": 224, "patch": 16,
           "dim": 768, "depth": 12, "heads": 12, "classes": 1000}
    assert vit_parameters(b16) == 86567656, vit_parameters(b16)  # timm vit_base_patch16_224
    for r in v[1:]:
        r["config"].update(b16)
    p[1]["parameters"] = 86567656
    recs, prov = compare(v, p, ["vit_b16"], ["pageable", "pinned"], 256, 224)
    assert recs[0]["same_architecture"] is True, recs[0]
    a, b = recs
    assert a["vitperf_execution"] == "graph" and a["vitperf_e2e_ips"] == 9500, a
    assert abs(a["vitperf_compute_ips"] - 256 / 25.6e-3) < 1e-6, a
    assert a["python_best_mode"] == "compile" and a["python_best_e2e_ips"] == 9000.0, a
    assert abs(a["ratio_vitperf_to_python"] - 9500 / 9000) < 1e-12, a
    assert a["vitperf_sequential_e2e_ips"] == 5000, a
    assert b["vitperf_e2e_ips"] == 9900 and b["python_best_e2e_ips"] is None, b
    assert "ratio_vitperf_to_python" not in b, b
    # A record with timed windows counts by their median, as the Python side's windows do.
    w = rec("vit_b16", "pinned", "graph", 9800, 25.0)
    w["config"].update(b16)
    w["window_ips"] = [9700.0, 10100.0, 10200.0]
    windowed, _ = compare(v + [w], p, ["vit_b16"], ["pinned"], 256, 224)
    assert windowed[0]["vitperf_e2e_ips"] == 10100.0, windowed[0]
    assert windowed[0]["vitperf_execution"] == "graph", windowed[0]
    doc = comparison_document(recs, prov, {"torch_version": "x"}, 256, 224, ["t"])
    for key in ("model", "start", "vitperf_e2e_ips", "vitperf_compute_ips", "vitperf_execution",
                "python_best_e2e_ips", "python_best_mode"):
        assert all(key in r for r in doc["records"]), key
    assert doc["provenance"]["vitperf"]["git_revision"] == "abc"
    json.dumps(doc)

    # The careful loop's control flow (pin-memory thread, buffer rings, events) on a stand-in
    # for torch whose device work is synchronous: every batch goes through, nothing deadlocks,
    # the logits in host memory are those of the images, for both start states.
    fake = FakeTorch()
    for start in STARTS:
        source = fake.empty((4, 3, 8, 8), dtype=fake.uint8)
        source.tag = "images"
        calls = []

        def model_fn(x, calls=calls):
            calls.append(x.tag)
            out = fake.empty((4, 10))
            out.tag = "logits of " + str(x.tag)
            return out

        ips, windows, timed = careful_loop(fake, model_fn, source, start, 10, fake.bfloat16,
                                           warmup=2, window_s=0.01, windows=3, slots=3)
        assert ips > 0 and len(windows) == 3 and timed >= 9, (ips, windows, timed)
        assert len(calls) == timed + 2 and set(calls) == {"images"}, calls
        assert fake.last_logits.tag == "logits of images", fake.last_logits.tag
    print("python_pipeline_compare.py self-test: ok")
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", help="comparison JSON to write")
    ap.add_argument("--python-jsonl", help="Python point records (appended; resumed)")
    ap.add_argument("--vitperf-jsonl", help="records of `vitperf measure -e rq5_pipeline`")
    ap.add_argument("--vitperf", help="vitperf binary: run the side_by_side sweep here")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--modes", default="eager,compile")
    ap.add_argument("--starts", default=",".join(STARTS))
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--res", type=int, default=224)
    ap.add_argument("--warmup", type=int, default=5, help="batches before timing")
    ap.add_argument("--window-s", type=float, default=0.6, help="[s] per timed window")
    ap.add_argument("--time-budget", type=float, default=0.0,
                    help="[s] start no new model after this (0: no limit)")
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compare-only", action="store_true",
                    help="measure nothing: build the comparison from the two JSONL files")
    ap.add_argument("--since", default="",
                    help="UTC 'YYYY-MM-DD[THH:MM]': compare only records measured at or after it "
                         "(the committed files hold every run)")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()

    if not a.output:
        fail_args("output: -o FILE is required")
    if not a.python_jsonl:
        fail_args("python-jsonl: --python-jsonl FILE is required")
    if a.batch < 1:
        fail_args("batch: must be a positive integer")
    if a.res < 16 or a.res % 32:
        fail_args("res: must be a multiple of 32 (every model's patch divides it)")
    if a.window_s <= 0:
        fail_args("window-s: must be positive")
    if since_error(a.since):
        fail_args(since_error(a.since))
    models = choice_list(a.models, "models", MODELS)
    a.modes = choice_list(a.modes, "modes", MODES)
    a.starts = choice_list(a.starts, "starts", STARTS)
    if not a.vitperf_jsonl and not a.vitperf:
        fail_args("vitperf-jsonl: give --vitperf-jsonl FILE or --vitperf BINARY")
    if a.compare_only and not a.vitperf_jsonl:
        fail_args("vitperf-jsonl: --compare-only needs --vitperf-jsonl FILE")
    if a.compare_only and not os.path.isfile(a.python_jsonl):
        fail_args("python-jsonl: '%s' is not a file" % a.python_jsonl)

    vitperf_jsonl = a.vitperf_jsonl
    if not a.compare_only and a.vitperf:
        if not vitperf_jsonl:
            vitperf_jsonl = os.path.join(tempfile.mkdtemp(prefix="rq5_"), "rq5_side_by_side.jsonl")
        if run_vitperf(a.vitperf, vitperf_jsonl, a.device) not in (0, 1):
            print("python_pipeline_compare.py: vitperf measure failed", file=sys.stderr)
    if not os.path.isfile(vitperf_jsonl):
        if a.compare_only:
            fail_args("vitperf-jsonl: '%s' is not a file" % vitperf_jsonl)
        # The Python side is still measured; its comparison records say vitperf is missing.
        print("python_pipeline_compare.py: vitperf-jsonl: '%s' is not a file; comparing "
              "without the vitperf side" % vitperf_jsonl, file=sys.stderr)

    python_records = read_jsonl(a.python_jsonl) if os.path.isfile(a.python_jsonl) else []
    failed = 0
    if not a.compare_only:
        done = {(p["model"], p["start"], p["mode"]) for p in python_records
                if p.get("kind") == "point" and p.get("status") in ("ok", "oom")
                and p.get("batch") == a.batch and p.get("res") == a.res}
        import torch
        with open(a.python_jsonl, "a", encoding="utf-8") as f:
            prov = {"schema": SCHEMA_POINT, "schema_version": SCHEMA_VERSION,
                    "kind": "provenance"}
            prov.update(python_provenance(torch, ["scripts/python_pipeline_compare.py"] + argv))
            f.write(json.dumps(prov) + "\n")
            f.flush()

            def write(rec):
                rec["provenance"] = {"git_revision": prov["git_revision"],
                                     "time_utc": datetime.datetime.now(
                                         datetime.timezone.utc).isoformat()}
                f.write(json.dumps(rec) + "\n")
                f.flush()

            failed = measure_python(a, models, done, write)
        python_records = read_jsonl(a.python_jsonl)

    python_records = measured_since(python_records, a.since)
    py_prov = next((p for p in reversed(python_records) if p.get("kind") == "provenance"), {})
    py_prov = {k: v for k, v in py_prov.items() if k not in ("schema", "schema_version", "kind")}
    vitperf_records = measured_since(
        read_jsonl(vitperf_jsonl) if os.path.isfile(vitperf_jsonl) else [], a.since)
    records, vit_prov = compare(vitperf_records, python_records, models, a.starts, a.batch, a.res)
    doc = comparison_document(records, vit_prov, py_prov, a.batch, a.res,
                              ["scripts/python_pipeline_compare.py"] + argv)
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    with open(a.output, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print("%-8s %-9s %10s %10s %-8s %10s %-16s %7s" % (
        "model", "start", "vitperf", "compute", "exec", "python", "mode", "ratio"))
    missing = 0
    for r in records:
        def num(x):
            return "%10.0f" % x if x is not None else "%10s" % "-"
        ratio = r.get("ratio_vitperf_to_python")
        print("%-8s %-9s %s %s %-8s %s %-16s %7s" % (
            r["model"], r["start"], num(r["vitperf_e2e_ips"]), num(r["vitperf_compute_ips"]),
            r["vitperf_execution"] or "-", num(r["python_best_e2e_ips"]),
            r["python_best_mode"] or "-", "%.3f" % ratio if ratio else "-"))
        missing += ratio is None
    print("wrote " + a.output)
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
