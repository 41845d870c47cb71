#!/usr/bin/env python3
"""Where does the run-to-run spread of eager small-batch forwards come from?

Times a timm ViT-Ti/16 bf16 batch-1 forward (host clock around a synchronised forward: the
eager overhead regime) in short windows. Host settings (CPU affinity, intra-op threads) rotate
window by window, so slow drift of the machine hits every setting alike. Each window also
records a fixed pure-CPU loop (host core speed), a CUDA-graph replay of the same forward (GPU
side without host dispatch) and the SM clock from NVML, so the cause of a slow window shows.
Run on the GPU host: python3 docs/probes/host_noise_probe.py [seconds] > host_noise.txt
"""
import json
import os
import statistics
import sys
import time

import pynvml
import timm
import torch

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 40.0


def main():
    pynvml.nvmlInit()
    nvml = pynvml.nvmlDeviceGetHandleByIndex(0)
    all_cpus = set(range(os.cpu_count()))
    settings = {
        "all_cpus_t16": (all_cpus, 16),
        "all_cpus_t1": (all_cpus, 1),
        "cpu3_t1": ({3}, 1),
        "cpu3_t16": ({3}, 16),
    }
    m = timm.create_model("vit_tiny_patch16_224").cuda().eval().to(torch.bfloat16)
    x = torch.randn(1, 3, 224, 224, device="cuda", dtype=torch.bfloat16)

    def timed_ms(fn):
        torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        return (time.perf_counter() - t) * 1e3

    def cpu_loop():
        s = 0
        for i in range(20000):
            s += i

    rows = []
    with torch.inference_mode():
        for _ in range(50):
            m(x)
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(3):
                m(x)
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            m(x)
        t0 = time.time()
        k = 0
        while time.time() - t0 < SECONDS:
            name = list(settings)[k % len(settings)]
            cpus, threads = settings[name]
            os.sched_setaffinity(0, cpus)
            torch.set_num_threads(threads)
            for _ in range(5):
                m(x)
            fwd = statistics.median(timed_ms(lambda: m(x)) for _ in range(30))
            clock = pynvml.nvmlDeviceGetClockInfo(nvml, pynvml.NVML_CLOCK_SM)
            replay = statistics.median(timed_ms(graph.replay) for _ in range(30))
            loop = statistics.median(timed_ms(cpu_loop) for _ in range(5))
            rows.append(dict(t=round(time.time() - t0, 2), setting=name, fwd_ms=fwd,
                             graph_ms=replay, cpu_loop_ms=loop, sm_mhz=clock))
            k += 1
    for r in rows:
        print(json.dumps(r))
    print("# per setting: windows, fwd median/p10/p90 [ms], graph median [ms], cpu loop [ms]")
    for name in settings:
        f = [r["fwd_ms"] for r in rows if r["setting"] == name]
        q = statistics.quantiles(f, n=10)
        g = statistics.median(r["graph_ms"] for r in rows if r["setting"] == name)
        c = statistics.median(r["cpu_loop_ms"] for r in rows if r["setting"] == name)
        print(f"{name:<14}{len(f):>4}{statistics.median(f):>8.2f}{q[0]:>8.2f}{q[-1]:>8.2f}"
              f"{g:>8.3f}{c:>8.2f}")
    fw = [r["fwd_ms"] for r in rows]
    for key in ["graph_ms", "cpu_loop_ms", "sm_mhz"]:
        print(f"corr(fwd, {key}) = {statistics.correlation(fw, [r[key] for r in rows]):.2f}")


if __name__ == "__main__":
    main()
