#!/usr/bin/env python3
"""Compute-only throughput of timm's vit_base_patch16_224 on this GPU, measured the way the C++
pipeline probe measures compute_only points, so the two can be compared side by side.

Method (identical to measure/pipeline_probe.cpp, compute_only):
  * random weights (pretrained=False), model.eval().to(bfloat16), on the device;
  * a device-resident random input (torch.randn, never zeros) in bf16;
  * torch.inference_mode();
  * warm-up, then repeats timed with CUDA events around each forward, until the relative spread
    (p90 - p10) / median is under the target after a minimum of repeats, or a time cap;
  * throughput [images/s] = batch / median forward time.
Optionally also torch.compile (--compile), whose compile time is reported separately.

Usage: compare_timm.py OUT.json [--batch 256] [--model vit_base_patch16_224] [--compile]
Run next to:  vitperf measure ... (vit_b16, bf16, batch 256, compute_only, eager)
"""

import argparse
import datetime
import json
import platform
import sys
import time


def quantile(sorted_values, q):
    """Linear interpolation between order statistics (as measure/timing.cpp)."""
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])


def summarise(samples_ms, stop_reason):
    s = sorted(samples_ms)
    return {
        "median_ms": quantile(s, 0.5),
        "p10_ms": quantile(s, 0.1),
        "p90_ms": quantile(s, 0.9),
        "p99_ms": quantile(s, 0.99),
        "repeats": len(s),
        "stop_reason": stop_reason,
    }


def time_forward(torch, fn, warmup, min_repeats, target_spread, time_cap_s):
    """Warm-up, then CUDA-event-timed repeats until the spread is small or the cap hits."""
    start_wall = time.monotonic()
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    begin = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    samples = []
    next_check = min_repeats
    while True:
        begin.record()
        fn()
        end.record()
        end.synchronize()
        samples.append(begin.elapsed_time(end))
        if len(samples) >= next_check:
            next_check = len(samples) + max(1, len(samples) // 32)
            st = summarise(samples, "")
            if (st["p90_ms"] - st["p10_ms"]) / st["median_ms"] < target_spread:
                return summarise(samples, "spread")
        if time.monotonic() - start_wall >= time_cap_s:
            return summarise(samples, "time_cap")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="JSON file to write")
    ap.add_argument("--model", default="vit_base_patch16_224")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--min-repeats", type=int, default=5)
    ap.add_argument("--target-spread", type=float, default=0.05)
    ap.add_argument("--time-cap", type=float, default=10.0, help="[s] per timed variant")
    ap.add_argument("--compile", action="store_true", help="also time torch.compile")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import torch
    import timm

    if not torch.cuda.is_available():
        print("compare_timm.py: needs a CUDA device", file=sys.stderr)
        return 2
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    dtype = torch.bfloat16

    model = timm.create_model(args.model, pretrained=False).eval().to(device=device, dtype=dtype)
    cfg = model.pretrained_cfg if hasattr(model, "pretrained_cfg") else {}
    size = cfg.get("input_size", (3, 224, 224))
    x = torch.randn((args.batch,) + tuple(size), device=device, dtype=dtype)
    params = sum(p.numel() for p in model.parameters())

    results = []
    with torch.inference_mode():
        torch.cuda.reset_peak_memory_stats(device)
        eager = time_forward(torch, lambda: model(x), args.warmup, args.min_repeats,
                             args.target_spread, args.time_cap)
        results.append({
            "execution": "eager",
            "compute": eager,
            "throughput_ips": args.batch / (eager["median_ms"] * 1e-3),
            "peak_memory_bytes": torch.cuda.max_memory_allocated(device),
        })
        if args.compile:
            compiled = torch.compile(model)
            t0 = time.monotonic()
            compiled(x)
            torch.cuda.synchronize()
            compile_s = time.monotonic() - t0
            torch.cuda.reset_peak_memory_stats(device)
            st = time_forward(torch, lambda: compiled(x), args.warmup, args.min_repeats,
                              args.target_spread, args.time_cap)
            results.append({
                "execution": "compiled",
                "compute": st,
                "throughput_ips": args.batch / (st["median_ms"] * 1e-3),
                "peak_memory_bytes": torch.cuda.max_memory_allocated(device),
                "compile_s": compile_s,
            })

    props = torch.cuda.get_device_properties(device)
    out = {
        "schema": "vitperf.compare_timm",
        "schema_version": 1,
        "model": args.model,
        "parameters": params,
        "input_size": list(size),
        "batch": args.batch,
        "precision": "bf16",
        "method": "compute_only: device-resident torch.randn input, model.to(bfloat16), "
                  "inference_mode, CUDA events per forward, median",
        "results": results,
        "provenance": {
            "device": args.device,
            "gpu_name": props.name,
            "sm_count": props.multi_processor_count,
            "memory_bytes": props.total_memory,
            "torch_version": torch.__version__,
            "timm_version": timm.__version__,
            "cuda_version": torch.version.cuda,
            "python_version": platform.python_version(),
            "host": platform.node(),
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "argv": sys.argv,
        },
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")

    print(f"{args.model}  batch {args.batch}  bf16  on {props.name}  ({params:,} parameters)")
    print(f"{'execution':<10} {'median ms':>10} {'p10 ms':>9} {'p90 ms':>9} {'reps':>5} "
          f"{'images/s':>10}")
    for r in results:
        c = r["compute"]
        print(f"{r['execution']:<10} {c['median_ms']:>10.3f} {c['p10_ms']:>9.3f} "
              f"{c['p90_ms']:>9.3f} {c['repeats']:>5} {r['throughput_ips']:>10.1f}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
