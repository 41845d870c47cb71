#!/usr/bin/env python3
"""Top CUDA kernels of one timm forward (torch.profiler), to compare with the CUPTI breakdown
that `vitperf measure` attaches to its compute-only points.

Usage: timm_kernel_profile.py [--model vit_base_patch16_224] [--batch 256] [--out FILE.json]
"""
import argparse
import json

import timm
import torch
from torch.profiler import ProfilerActivity, profile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="vit_base_patch16_224")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    model = timm.create_model(a.model, pretrained=False).eval().cuda().to(torch.bfloat16)
    x = torch.randn(a.batch, 3, 224, 224, device="cuda", dtype=torch.bfloat16)
    with torch.inference_mode():
        for _ in range(3):
            model(x)
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            model(x)
            torch.cuda.synchronize()
    rows = []
    for e in prof.key_averages():
        t = getattr(e, "device_time_total", None) or getattr(e, "cuda_time_total", 0)
        if t > 0:
            rows.append({"name": e.key[:160], "count": e.count, "time_ms": t / 1e3})
    rows.sort(key=lambda r: -r["time_ms"])
    total = sum(r["time_ms"] for r in rows)
    print(f"{a.model} batch {a.batch} bf16: {total:.2f} ms of kernels")
    for r in rows[:12]:
        print(f"{r['time_ms']:8.3f} ms  x{r['count']:<4} {r['name'][:110]}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"model": a.model, "batch": a.batch, "kernel_time_ms": total, "top": rows[:30]}, f, indent=1)


if __name__ == "__main__":
    main()
