#!/usr/bin/env python3
"""Host time of the patch-embedding conv call, per cuDNN path.

vit_s32's eager forward takes ~0.45 ms more host time than vit_b32's with the same op and kernel
counts (docs/accuracy.md). The patch conv is the one op whose library path differs: width
384 at patch 32 runs cuDNN's xmma implicit GEMM, width 768 CUTLASS's tensor-core fprop. This
times, on the GPU host, the host side of one conv call (perf_counter around the call, no sync)
and its device time (CUDA events), over widths, patches and batches, interleaved.
Run: python3 docs/probes/conv_dispatch_probe.py > conv_dispatch.txt
"""
import json
import statistics
import time

import torch

WIDTHS = [192, 384, 768, 1024]
PATCHES = [16, 32]
BATCHES = [1, 16, 64]
ROUNDS = 5
CALLS = 200


def main():
    torch.manual_seed(0)
    dev = torch.device("cuda")
    print(json.dumps({"torch": torch.__version__, "cudnn": torch.backends.cudnn.version(),
                      "benchmark": torch.backends.cudnn.benchmark,
                      "gpu": torch.cuda.get_device_name()}))
    convs = {(w, p): torch.nn.Conv2d(3, w, p, p).to(dev, torch.bfloat16).eval()
             for w in WIDTHS for p in PATCHES}
    inputs = {b: torch.randn(b, 3, 224, 224, device=dev, dtype=torch.bfloat16) for b in BATCHES}
    host = {}
    device = {}
    with torch.inference_mode():
        for conv in convs.values():  # warm up every path (heuristics, lazy module loading)
            for x in inputs.values():
                conv(x)
        torch.cuda.synchronize()
        for _ in range(ROUNDS):
            for (w, p), conv in convs.items():
                for b, x in inputs.items():
                    start, end = torch.cuda.Event(True), torch.cuda.Event(True)
                    torch.cuda.synchronize()
                    start.record()
                    t0 = time.perf_counter()
                    for _ in range(CALLS):
                        conv(x)
                    t1 = time.perf_counter()
                    end.record()
                    end.synchronize()
                    host.setdefault((w, p, b), []).append((t1 - t0) / CALLS * 1e6)
                    device.setdefault((w, p, b), []).append(start.elapsed_time(end) / CALLS * 1e3)
    for (w, p, b) in sorted(host):
        print(json.dumps({"width": w, "patch": p, "batch": b,
                          "host_us_per_call": statistics.median(host[(w, p, b)]),
                          "wall_us_per_call": statistics.median(device[(w, p, b)])}))


if __name__ == "__main__":
    main()
