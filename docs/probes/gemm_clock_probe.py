#!/usr/bin/env python3
"""Why does the 8192^3 matmul probe (669 TFLOP/s) run slower than the ViT's own GEMMs (730-760)?

Hypothesis: a GEMM repeated back to back holds the GPU at its power limit and the SM clock
drops, while a ViT forward interleaves its GEMMs with memory-bound kernels and keeps the boost
clock. Each phase below runs for a few seconds while a thread samples the SM clock and the
board power from NVML; GEMM phases report their rate from CUDA events. Also: the 1024^3 probe
timed one call per event pair (as `vitperf measure` does) against 100 calls per pair.
Run on the GPU host: python3 docs/probes/gemm_clock_probe.py > gemm_clock.json
"""
import json
import statistics
import threading
import time

import pynvml
import timm
import torch

SECONDS = 3.0


class Sampler:
    def __init__(self, handle):
        self.handle = handle
        self.samples = []
        self.running = False

    def __enter__(self):
        self.samples = []
        self.running = True
        self.thread = threading.Thread(target=self.loop)
        self.thread.start()
        return self

    def loop(self):
        while self.running:
            clock = pynvml.nvmlDeviceGetClockInfo(self.handle, pynvml.NVML_CLOCK_SM)
            power = pynvml.nvmlDeviceGetPowerUsage(self.handle) / 1000.0
            self.samples.append((clock, power))
            time.sleep(0.02)

    def __exit__(self, *args):
        self.running = False
        self.thread.join()

    def summary(self):
        # The first 0.5 s ramps up; report the rest.
        s = self.samples[25:] or self.samples
        clocks = [c for c, _ in s]
        powers = [p for _, p in s]
        return {"sm_clock_mhz_median": statistics.median(clocks), "sm_clock_mhz_min": min(clocks),
                "power_w_median": statistics.median(powers), "samples": len(s)}


def timed_loop(fn, calls_per_pair, seconds=SECONDS):
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    per_call_ms = []
    end = time.time() + seconds
    while time.time() < end:
        start.record()
        for _ in range(calls_per_pair):
            fn()
        stop.record()
        stop.synchronize()
        per_call_ms.append(start.elapsed_time(stop) / calls_per_pair)
    return statistics.median(per_call_ms)


def gemm_phase(name, m, n, k, sampler, calls_per_pair=10, epilogue=None):
    a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(k, n, device="cuda", dtype=torch.bfloat16)
    c = torch.empty(m, n, device="cuda", dtype=torch.bfloat16)
    gemm = lambda: torch.mm(a, b, out=c)
    if epilogue is not None:
        def fn():
            gemm()
            epilogue(c)
    else:
        fn = gemm
    timed_loop(fn, calls_per_pair, 0.5)  # warm up
    with sampler:
        ms = timed_loop(fn, calls_per_pair)
    out = {"phase": name, "m": m, "n": n, "k": k, "calls_per_event_pair": calls_per_pair,
           "ms_per_call": ms, "tflops": 2.0 * m * n * k / (ms * 1e-3) / 1e12}
    out.update(sampler.summary())
    return out


def main():
    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(0)
    sampler = Sampler(handle)
    torch.backends.cuda.matmul.allow_tf32 = False
    phases = []
    with sampler:
        time.sleep(1.5)
    idle = {"phase": "idle"}
    idle.update(sampler.summary())
    phases.append(idle)
    phases.append(gemm_phase("probe_8192", 8192, 8192, 8192, sampler, calls_per_pair=1))
    phases.append(gemm_phase("vit_w1280_mlp_up_b128_512px", 32896, 5120, 1280, sampler))
    phases.append(gemm_phase("vit_w768_qkv_b256_224px", 50432, 2304, 768, sampler))
    # The same GEMM followed by a memory-bound GELU over its output, as in a ViT block.
    phases.append(gemm_phase("vit_w1280_mlp_up_then_gelu", 32896, 5120, 1280, sampler,
                             epilogue=lambda c: torch.nn.functional.gelu(c)))
    phases.append(gemm_phase("probe_1024_one_call_per_pair", 1024, 1024, 1024, sampler,
                             calls_per_pair=1))
    phases.append(gemm_phase("probe_1024_100_calls_per_pair", 1024, 1024, 1024, sampler,
                             calls_per_pair=100))
    model = timm.create_model("vit_large_patch16_224", pretrained=False).cuda().eval()
    model = model.to(torch.bfloat16)
    x = torch.randn(64, 3, 224, 224, device="cuda", dtype=torch.bfloat16)
    with torch.inference_mode():
        timed_loop(lambda: model(x), 1, 1.0)
        with sampler:
            ms = timed_loop(lambda: model(x), 1)
    vit = {"phase": "timm_vit_l16_b64_bf16_eager", "ms_per_call": ms}
    vit.update(sampler.summary())
    phases.append(vit)
    print(json.dumps({
        "schema": "vitperf.diagnostic.gemm_clock", "schema_version": 1,
        "device": torch.cuda.get_device_name(0), "torch": torch.__version__,
        "power_limit_w": pynvml.nvmlDeviceGetEnforcedPowerLimit(handle) / 1000.0,
        "max_sm_clock_mhz": pynvml.nvmlDeviceGetMaxClockInfo(handle, pynvml.NVML_CLOCK_SM),
        "phases": phases}, indent=1))


if __name__ == "__main__":
    main()
