#!/usr/bin/env python3
"""Which kernel does cuBLAS pick for the math-attention score product Q @ K^T as the batch grows?

The 2048 px ViT-B/16 math-attention point ran its score GEMM on a SIMT kernel (magma_sgemmEx)
at batch 4 but on tensor cores at batch 1. Hypothesis: the batched output passes 2^32 elements.
Times bf16 bmm (B, N, 64) @ (B, 64, N) for batch counts either side of 2^32 / N^2 at two token
counts, and names the kernel that ran (torch.profiler). Prints one JSON line per case.
--scan: every batch count from just under 2^32 output elements to about 4 x 2^32.
"""
import json
import sys

import torch
from torch.profiler import ProfilerActivity, profile


def case(batch, tokens, head_dim=64):
    q = torch.randn(batch, tokens, head_dim, device="cuda", dtype=torch.bfloat16)
    k = torch.randn(batch, head_dim, tokens, device="cuda", dtype=torch.bfloat16)
    out = torch.bmm(q, k)
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(5):
        start.record()
        torch.bmm(q, k, out=out)
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        torch.bmm(q, k, out=out)
        torch.cuda.synchronize()
    kernels = sorted({e.name for e in prof.events() if e.device_type.name == "CUDA"})
    ms = sorted(times)[len(times) // 2]
    flop = 2.0 * batch * tokens * tokens * head_dim
    del q, k, out
    torch.cuda.empty_cache()
    return dict(batch=batch, tokens=tokens, out_elements=batch * tokens * tokens,
                over_2pow32=batch * tokens * tokens > 2**32, ms=ms,
                ms_per_matrix=ms / batch, tflops=flop / ms / 1e9, kernels=kernels)


def main():
    print(json.dumps(dict(device=torch.cuda.get_device_name(), torch=torch.__version__)))
    cases = [(16385, [12, 15, 16, 17, 24]), (4097, [192, 255, 256, 257, 320]),
             (4096, [255, 256, 257])]
    if "--scan" in sys.argv:  # every batch count past 2^32 elements, up to ~4 x 2^32
        cases = [(16385, list(range(15, 65))), (4097, list(range(248, 1032, 8)))]
    for tokens, batches in cases:
        for b in batches:
            print(json.dumps(case(b, tokens)), flush=True)


if __name__ == "__main__":
    main()
