#!/usr/bin/env python3
"""Builds the AOTInductor packages a vitperf experiment's compiled points run.

`vitperf measure -e EXP --aoti-dir DIR --aoti-prepare` writes into DIR, for every model a compiled
point runs, the C++ module's weights (a tensor archive) and one request per compile mode
(<stem>.<mode>.request.json; measure/aoti_package.h describes the files). For each request this
script
  1. builds the same ViT in PyTorch (scripts/vitperf_vit.py) and loads those weights, so the
     package computes what the eager C++ module computes;
  2. exports it with torch.export, the batch dimension dynamic (1 .. the largest requested batch,
     traced at the largest batch so that compile-time tuning sees the shapes that matter most);
     where export cannot keep batch 1 (or any batch) dynamic it builds a package for each batch
     left out and says why in the sidecars;
  3. compiles it with AOTInductor (torch._inductor.aoti_compile_and_package), mode "default"
     (Inductor's defaults) or "max-autotune" (inductor_configs {"max_autotune": True});
  4. writes the sidecar <package>.json last (export and compile times [s], versions, batch
     range), which marks the package finished for the C++ probe (which checks the package
     against the eager module on the same input before it times anything).

Requests run in parallel worker processes (--jobs), longest first (max-autotune, then larger
models); each worker gets its share of the CPU cores for Inductor's compile threads. Parallel
max-autotune jobs share the GPU while they benchmark kernels, which can bias their choices; the
sidecar records how many jobs ran at once.

Usage (where PyTorch >= 2.6 with CUDA is installed):
    python3 scripts/aoti_compile.py DIR [--jobs 4] [--force] [--only default|max-autotune]
    python3 scripts/aoti_compile.py DIR/one.default.request.json      # one request
    python3 scripts/aoti_compile.py --self-test [ARCHIVE_INDEX]       # no torch needed
Exit status: 0 when every request has its package, 1 when one failed, 2 for bad arguments.
"""

import argparse
import concurrent.futures
import datetime
import glob
import json
import os
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vitperf_vit as vv  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = ("default", "max-autotune")


def fail_args(message):
    """Bad input: one line naming the field, exit 2."""
    print("aoti_compile.py: " + message, file=sys.stderr)
    sys.exit(2)


def read_request(path):
    """A request file, checked; raises ValueError naming the field."""
    with open(path, "r", encoding="utf-8") as f:
        r = json.load(f)
    if r.get("schema") != vv.AOTI_REQUEST_SCHEMA or r.get("schema_version") != vv.AOTI_SCHEMA_VERSION:
        raise ValueError("%s: schema: expected %s version %d"
                         % (path, vv.AOTI_REQUEST_SCHEMA, vv.AOTI_SCHEMA_VERSION))
    if r.get("compile_mode") not in MODES:
        raise ValueError("%s: compile_mode: '%s' is not one of %s"
                         % (path, r.get("compile_mode"), ", ".join(MODES)))
    if r.get("device") not in ("cuda", "cpu"):
        raise ValueError("%s: device: '%s' is not one of cuda, cpu" % (path, r.get("device")))
    batches = r.get("batches")
    if not isinstance(batches, list) or not batches or \
            not all(isinstance(b, int) and b >= 1 for b in batches):
        raise ValueError("%s: batches: expected a non-empty list of positive integers" % path)
    try:
        vv.read_config(r.get("config"))
    except vv.ConfigError as e:
        raise ValueError("%s: %s" % (path, e))
    return r


def package_paths(request_path, request):
    folder = os.path.dirname(os.path.abspath(request_path))
    dynamic = os.path.join(folder, request["package"])
    return folder, dynamic, lambda b: os.path.join(
        folder, request["static_packages"].replace("{batch}", str(b)))


def is_built(request_path, request):
    """True when every requested batch has a finished package: the dynamic one where its sidecar
    covers the batch, else the batch's own."""
    _, dynamic, static = package_paths(request_path, request)
    lo = hi = None
    if os.path.isfile(dynamic) and os.path.isfile(dynamic + ".json"):
        with open(dynamic + ".json", "r", encoding="utf-8") as f:
            side = json.load(f)
        lo, hi = side.get("batch_min"), side.get("batch_max")
    for b in request["batches"]:
        if lo is not None and lo <= b <= hi:
            continue
        if not (os.path.isfile(static(b)) and os.path.isfile(static(b) + ".json")):
            return False
    return True


def cost(request):
    """Rough compile cost for scheduling, longest first: mode, then depth x tokens x width."""
    c = vv.read_config(request["config"])
    gh, gw = vv.grid(c)
    size = c["depth"] * (gh * gw) * c["dim"]
    return (1 if request["compile_mode"] == "max-autotune" else 0, size)


def write_json_atomically(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


# ---- one request, in a worker process -----------------------------------------------------------

def compile_one(request_path, concurrent_jobs):
    import torch
    import torch._inductor
    import torch.export

    request = read_request(request_path)
    config = vv.read_config(request["config"])
    folder, dynamic_path, static_path = package_paths(request_path, request)
    device = torch.device("cuda" if request["device"] == "cuda" else "cpu")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("request asks for cuda, and this PyTorch sees no CUDA device")
    if config["precision"] == "tf32":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    dtype = vv.torch_dtype(torch, config["precision"])
    model = vv.load_model(torch, config, os.path.join(folder, request["weights"]), device)
    batches = sorted(set(request["batches"]))
    example_batch = max(batches)
    inductor_configs = {"max_autotune": True} if request["compile_mode"] == "max-autotune" else {}
    common = {
        "schema": vv.AOTI_SIDECAR_SCHEMA,
        "schema_version": vv.AOTI_SCHEMA_VERSION,
        "config": request["config"],
        "compile_mode": request["compile_mode"],
        "device": request["device"],
        "seed": request["seed"],
        "inductor_configs": inductor_configs,
        "request": os.path.basename(request_path),
        "concurrent_jobs": concurrent_jobs,
        "compile_threads": os.environ.get("TORCHINDUCTOR_COMPILE_THREADS"),
        "vitperf_revision": request.get("vitperf_revision"),
        "script_revision": vv.git_revision(REPO),
    }
    common.update(vv.versions(torch))
    channels, height, width = config["channels"], config["image_height"], config["image_width"]

    def example(batch, seed):
        g = torch.Generator(device="cpu").manual_seed(seed)
        return torch.randn((batch, channels, height, width), generator=g).to(device=device,
                                                                            dtype=dtype)

    def build(batch_dim, batch, package_path):
        """Export (dynamic batch when batch_dim is given) and compile; returns the sidecar."""
        x = example(batch, 1)
        with torch.no_grad():
            t0 = time.monotonic()
            dynamic_shapes = ({0: batch_dim},) if batch_dim is not None else None
            program = torch.export.export(model, (x,), dynamic_shapes=dynamic_shapes)
            export_s = time.monotonic() - t0
            t0 = time.monotonic()
            path = torch._inductor.aoti_compile_and_package(
                program, package_path=package_path, inductor_configs=inductor_configs)
            compile_s = time.monotonic() - t0
            # No in-process check against eager here: loading the package into this Python
            # process crashed it (SIGSEGV, PyTorch 2.11, H200, 2026-12-04) after the package was
            # written. The C++ probe checks agreement with eager on the same inputs before timing.
            checks = []
        return {"package": os.path.basename(path), "export_s": export_s, "compile_s": compile_s,
                "example_batch": batch, "python_check": checks,
                "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat()}

    # The batch dynamic from 1; where export refuses that (it may specialise batch 1), from 2
    # with batch 1 built apart; where it refuses both, one package per batch. Each package's
    # sidecar is written when it is finished, the dynamic one's last.
    export_notes = []
    dynamic_side = None
    if example_batch >= 2:
        for lo in (1, 2):
            try:
                # Traced at the largest batch (>= 2): export does not specialise it to 0 or 1.
                batch_dim = torch.export.Dim("batch", min=lo, max=example_batch)
                dynamic_side = build(batch_dim, example_batch, dynamic_path)
                dynamic_side.update(common)
                dynamic_side.update({"dynamic_batch": True, "batch_min": lo,
                                     "batch_max": example_batch})
                break
            except Exception as e:  # noqa: BLE001 - any export/compile failure falls back
                note = "dynamic batch from %d failed (%s: %s)" % (
                    lo, type(e).__name__, str(e).splitlines()[0] if str(e) else "")
                export_notes.append(note)
                print("aoti_compile.py: %s: %s" % (os.path.basename(request_path), note),
                      file=sys.stderr, flush=True)
    covered_from = dynamic_side["batch_min"] if dynamic_side else None
    sides = []
    for b in batches:
        if covered_from is not None and b >= covered_from:
            continue
        side = build(None, b, static_path(b))
        side.update(common)
        side.update({"dynamic_batch": False, "batch": b, "export_notes": export_notes})
        write_json_atomically(static_path(b) + ".json", side)
        sides.append(side)
    if dynamic_side is not None:
        dynamic_side["export_notes"] = export_notes
        write_json_atomically(dynamic_path + ".json", dynamic_side)
        sides.append(dynamic_side)
    return sides


# ---- driver -----------------------------------------------------------------------------------

def collect(paths, only):
    requests = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(glob.glob(os.path.join(p, "*.request.json")))
            if not found:
                fail_args("DIR: %s holds no *.request.json (write them with `vitperf measure -e "
                          "EXPERIMENT --aoti-dir %s --aoti-prepare`)" % (p, p))
            requests.extend(found)
        elif os.path.isfile(p) and p.endswith(".request.json"):
            requests.append(p)
        else:
            fail_args("DIR: '%s' is neither a folder nor a *.request.json file" % p)
    out = []
    for path in requests:
        try:
            r = read_request(path)
        except (ValueError, OSError) as e:
            fail_args(str(e))
        if only and r["compile_mode"] != only:
            continue
        out.append((path, r))
    return out


def run_worker(request_path, jobs, threads, log_dir, deadline):
    """Compiles one request in a fresh process (Inductor's state and a crash stay there), killed
    at `deadline` (time.monotonic(); None: no limit). Returns (rc, seconds, log path); rc None
    when it was killed or never started because the deadline had passed."""
    env = dict(os.environ)
    env["TORCHINDUCTOR_COMPILE_THREADS"] = str(threads)
    log_path = os.path.join(log_dir, os.path.basename(request_path).replace(
        ".request.json", ".compile.log"))
    t0 = time.monotonic()
    if deadline is not None and t0 >= deadline:
        with open(log_path, "w", encoding="utf-8") as log:
            log.write("not started: --deadline passed\n")
        return None, 0.0, log_path
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker",
                                 request_path, "--jobs", str(jobs)],
                                stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=None if deadline is None else max(0.0, deadline - t0))
        except subprocess.TimeoutExpired:
            # The worker and the compile processes it started: its own process group.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            log.write("\nkilled: --deadline reached\n")
            rc = None
    return rc, time.monotonic() - t0, log_path


def self_test(archive_index):
    """Checks what runs without torch: config reading and, given an archive the C++ side wrote
    (tests/measure/aoti_package_test.cpp writes one), that its index and data decode."""
    c = vv.read_config({"name": "t", "dim": 64, "heads": 2, "depth": 2, "image_height": 64,
                        "image_width": 64, "register_tokens": 2, "pos_embed": "patches"})
    assert vv.mlp_hidden(c) == 256 and vv.prefix_tokens(c) == 3 and vv.position_tokens(c) == 16
    assert vv.relative_distances(c) == 7 * 7 + 3
    for bad, field in (({"pooling": "max"}, "pooling"), ({"patch": 7, "image_height": 64}, "patch"),
                       ({"dim": 65}, "heads"), ({"colour": 1}, "unknown key 'colour'")):
        try:
            vv.read_config(bad)
            raise AssertionError("accepted %s" % bad)
        except vv.ConfigError as e:
            assert str(e).startswith(field) or field in str(e), str(e)
    assert vv.kernel_class("triton_tem_fused_addmm_7") == "matmul"
    assert vv.kernel_class("void pytorch_flash::flash_fwd_kernel<...>") == "attention"
    assert vv.kernel_class("triton_red_fused_add_native_layer_norm_3") == "norm_elementwise"
    assert vv.kernel_class("void at::native::cat_batched_copy") == "other"
    assert vv.kernel_class_with_patch("sm90_xmma_fprop_implicit_gemm_bf16") == "patch_embed"
    assert vv.kernel_class_with_patch("triton_poi_fused_convolution_0") == "patch_embed"
    assert vv.kernel_class_with_patch("nvjet_tst_128x256_64x4_1x2_h_bz_coopA_NNT") == "matmul"
    if archive_index:
        first = vv.archive_first_values(archive_index)
        expected = json.loads(os.environ.get("VITPERF_ARCHIVE_EXPECT", "{}"))
        for name, values in expected.items():
            got = first.get(name)
            assert got is not None, "missing tensor %s" % name
            assert all(abs(a - b) <= 1e-7 * max(1.0, abs(b)) for a, b in zip(got, values)), \
                "%s: %s != %s" % (name, got, values)
        print("aoti_compile.py self-test: ok (%d tensors, %d checked)" % (len(first), len(expected)))
    else:
        print("aoti_compile.py self-test: ok")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="package folder(s) or request file(s)")
    ap.add_argument("--jobs", type=int, default=0,
                    help="requests compiled at once (default: cores / 4, at least 1)")
    ap.add_argument("--force", action="store_true", help="rebuild packages that exist")
    ap.add_argument("--only", choices=MODES, help="only requests of this compile mode")
    ap.add_argument("--deadline", type=float, default=0.0,
                    help="[s] stop (kill) compilations still running after this long; their "
                         "points are then skipped with the missing package named (0: no limit)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--self-test", nargs="?", const="", metavar="ARCHIVE_INDEX",
                    help="check the torch-free parts (and an archive's decoding)")
    a = ap.parse_args(argv)

    if a.self_test is not None:
        self_test(a.self_test)
        return 0
    if a.worker:
        try:
            sides = compile_one(a.worker, a.jobs)
        except Exception:  # noqa: BLE001 - the log holds the traceback, the driver the status
            traceback.print_exc()
            return 1
        for s in sides:
            print("built %s: export %.1f s, compile %.1f s, check %s" % (
                s["package"], s["export_s"], s["compile_s"],
                ", ".join("b%d %.2g" % (c["batch"], c["max_rel_diff"]) for c in s["python_check"])
                or "in the C++ probe"))
        # Skip the interpreter's teardown: with Inductor loaded it has crashed (SIGSEGV) after
        # the work was done, which would mark a finished package as failed.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    if not a.paths:
        fail_args("DIR: missing (the folder `vitperf measure --aoti-prepare` wrote)")
    if a.jobs < 0:
        fail_args("jobs: must be at least 1 (0: cores / 4)")
    if a.deadline < 0:
        fail_args("deadline: must be a number of seconds >= 0 (0: no limit)")
    cores = os.cpu_count() or 1
    jobs = a.jobs if a.jobs > 0 else max(1, cores // 4)
    todo = [(p, r) for p, r in collect(a.paths, a.only) if a.force or not is_built(p, r)]
    todo.sort(key=lambda pr: cost(pr[1]), reverse=True)
    if not todo:
        print("aoti_compile.py: every requested package is built")
        return 0
    jobs = min(jobs, len(todo))
    threads = max(1, cores // jobs)
    log_dir = os.path.dirname(os.path.abspath(todo[0][0]))
    print("aoti_compile.py: %d package(s), %d at once, %d compile threads each"
          % (len(todo), jobs, threads), flush=True)
    t0 = time.monotonic()
    deadline = t0 + a.deadline if a.deadline > 0 else None
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_worker, p, jobs, threads, log_dir, deadline): p
                   for p, _ in todo}
        for f in concurrent.futures.as_completed(futures):
            rc, seconds, log_path = f.result()
            name = os.path.basename(futures[f])
            status = ("ok" if rc == 0 else "NOT BUILT (--deadline)" if rc is None
                      else "FAILED (rc %d, see %s)" % (rc, log_path))
            failed += rc != 0
            print("  %s: %s [%.0f s]" % (name, status, seconds), flush=True)
            if rc != 0:
                with open(log_path, "r", encoding="utf-8", errors="replace") as log:
                    tail = log.read().splitlines()[-5:]
                for line in tail:
                    print("    " + line, flush=True)
    print("aoti_compile.py: %d built, %d failed, %.0f s" % (len(todo) - failed, failed,
                                                           time.monotonic() - t0), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
