#!/usr/bin/env python3
"""Does host staging slow down because the copying thread sleeps between batches?

In vitperf's sequential pipeline the producer copies a uint8 batch into pinned memory, then
waits while the batch is copied to the GPU and computed. On the H100 host a batch that fits the
CPU cache copies at ~10 GB/s after ~1.5 ms of compute and at ~6 GB/s after 10 ms or more
(docs/accuracy.md). Two candidate causes: the data leaves the cache over time (other
tenants, the forward pass's own host work), or the idle core drops into a deep sleep state that
flushes its private caches. This times the same staging copy after an idle gap spent sleeping
or spinning: spinning keeps the core awake, so if only sleeping slows the copy, the core's power
state is the cause. Sizes, gaps and modes are interleaved so slow drift hits all alike.
Run on the GPU host: python3 docs/probes/staging_idle_probe.py > staging_idle.txt
"""
import json
import statistics
import time

import torch

SIZES_MB = [2.4, 12.6, 100.7]
IDLE_MS = [0, 1, 3, 10, 30]
MODES = ["sleep", "spin"]
REPEATS = 30


def wait(mode, ms):
    if ms == 0:
        return
    if mode == "sleep":
        time.sleep(ms * 1e-3)
        return
    end = time.perf_counter() + ms * 1e-3
    while time.perf_counter() < end:
        pass


def main():
    torch.set_num_threads(1)  # one producer thread, one memcpy, as in the pipeline probe
    torch.manual_seed(0)
    buffers = {}
    for mb in SIZES_MB:
        n = int(mb * 1e6)
        src = torch.randint(0, 256, (n,), dtype=torch.uint8)  # random pixels, never zeros
        dst = torch.empty(n, dtype=torch.uint8).pin_memory()
        dst.copy_(src)  # first touch
        buffers[mb] = (src, dst)
    times = {(mb, ms, mode): [] for mb in SIZES_MB for ms in IDLE_MS for mode in MODES}
    for _ in range(REPEATS):
        for mb in SIZES_MB:
            src, dst = buffers[mb]
            for ms in IDLE_MS:
                for mode in MODES:
                    dst.copy_(src)  # warm: the pipeline copies the same source each batch
                    wait(mode, ms)
                    t = time.perf_counter()
                    dst.copy_(src)
                    times[(mb, ms, mode)].append(time.perf_counter() - t)
    print("# size [MB], idle [ms], mode, staging GB/s median / p10 / p90 over", REPEATS)
    for (mb, ms, mode), t in times.items():
        rates = sorted(mb * 1e-3 / x for x in t)
        q = statistics.quantiles(rates, n=10)
        row = dict(size_mb=mb, idle_ms=ms, mode=mode, gbs_median=statistics.median(rates),
                   gbs_p10=q[0], gbs_p90=q[-1])
        print(json.dumps(row))
    print(f"{'MB':>6} {'idle':>5} {'sleep GB/s':>11} {'spin GB/s':>10}")
    for mb in SIZES_MB:
        for ms in IDLE_MS:
            s = statistics.median(mb * 1e-3 / x for x in times[(mb, ms, 'sleep')])
            p = statistics.median(mb * 1e-3 / x for x in times[(mb, ms, 'spin')])
            print(f"{mb:>6} {ms:>5} {s:>11.1f} {p:>10.1f}")


if __name__ == "__main__":
    main()
