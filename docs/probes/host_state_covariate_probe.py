#!/usr/bin/env python3
"""Does a short launch probe taken just before a point predict that point's eager speed?

Windows of: 300 tiny in-place adds (host dispatch per framework call, like vitperf's launch
probe) timed with a synchronised host clock, then 20 synchronised batch-1 bf16 forwards of a
timm ViT. Over ~60 s the host's speed drifts (docs/probes/host_noise_probe.py); a high correlation
between the two per-window medians means a per-point probe can explain that drift.
"""
import json
import statistics
import sys
import time

import timm
import torch

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0


def timed_ms(fn):
    torch.cuda.synchronize()
    t = time.perf_counter()
    fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) * 1e3


def main():
    models = {n: timm.create_model(n).cuda().eval().to(torch.bfloat16)
              for n in ["vit_tiny_patch16_224", "vit_base_patch16_224"]}
    x = torch.randn(1, 3, 224, 224, device="cuda", dtype=torch.bfloat16)
    s = torch.rand(1, device="cuda") + 1

    def adds():
        for _ in range(300):
            s.add_(1e-3)

    rows = []
    with torch.inference_mode():
        for m in models.values():
            for _ in range(20):
                m(x)
        t0 = time.time()
        k = 0
        while time.time() - t0 < SECONDS:
            name = list(models)[k % 2]
            launch_us = statistics.median(timed_ms(adds) for _ in range(3)) * 1e3 / 300
            fwd = statistics.median(timed_ms(lambda: models[name](x)) for _ in range(20))
            launch_after_us = statistics.median(timed_ms(adds) for _ in range(3)) * 1e3 / 300
            rows.append(dict(t=round(time.time() - t0, 2), model=name, launch_us=launch_us,
                             fwd_ms=fwd, launch_after_us=launch_after_us))
            k += 1
    for r in rows:
        print(json.dumps(r))
    for name in models:
        v = [r for r in rows if r["model"] == name]
        f = [r["fwd_ms"] for r in v]
        for key in ["launch_us", "launch_after_us"]:
            print(f"# {name}: windows {len(v)}, corr(fwd, {key}) = "
                  f"{statistics.correlation(f, [r[key] for r in v]):.2f}; fwd p10/p50/p90 "
                  f"{statistics.quantiles(f, n=10)[0]:.2f}/{statistics.median(f):.2f}/"
                  f"{statistics.quantiles(f, n=10)[-1]:.2f} ms")


if __name__ == "__main__":
    main()
