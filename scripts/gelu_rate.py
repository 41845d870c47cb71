#!/usr/bin/env python3
"""Sets an architecture's gelu_elements_per_sm_cycle from the gelu probes of a run.

  python3 scripts/gelu_rate.py data/measurements/h200/rq3_compiled.jsonl \
      --hardware data/hardware/h200.json --arch data/arch/sm90.json [--write]

The gelu probe times torch::gelu (erf) on a bf16 [tokens, 3072] activation and reports GB/s of
bytes read plus written, 4 B per element. An erf GELU costs tens of fp32 instructions per
element, so its ceiling follows the multiprocessors' issue rate, not memory bandwidth (the H100's
GELU kernels keep 0.91-0.96 of its device copy, the H200's, with the same SMs and clock and a
faster memory, 0.74): the ceiling is stored in elements per SM cycle, the SM cycles per second
the model uses for the probed GPU (--hardware's fp32 vector rate over 2 x --arch's fp32 lanes per
SM). Sizes of at least 256 MiB only (smaller ones stay partly in L2); the median over sizes.
The device_copy probes of the same sizes are printed beside, for the ratio. --write updates --arch.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

from arch_constants import write_constants

MIN_BYTES = 256 << 20
BYTES_PER_ELEMENT = 4  # the probe's bf16 element read and written (measure/micro_probes.cpp)
NAME = "gelu_elements_per_sm_cycle"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="JSONL of a run with gelu probes (rq3_compiled)")
    ap.add_argument("--hardware", required=True,
                    help="the probed device's hardware file (vector_tflops.fp32)")
    ap.add_argument("--arch", required=True, help="its architecture file (fp32_lanes_per_sm)")
    ap.add_argument("--write", action="store_true", help="write the value into --arch")
    args = ap.parse_args()
    gelu, copy, ids, provenance, last_provenance = {}, {}, {}, {}, {}
    for line in Path(args.data).read_text().splitlines():
        r = json.loads(line)
        if r.get("kind") == "provenance":
            last_provenance = r
        if r.get("kind") != "probe" or r.get("status") != "ok":
            continue
        size = r["params"].get("bytes", 0)
        # The activation is a whole number of rows, a little under the requested size.
        if r["probe"] == "gelu" and size >= 0.99 * MIN_BYTES:
            gelu[size], ids[size] = r["value"], r["id"]
            provenance = last_provenance  # the run of the latest gelu records
        elif r["probe"] == "device_copy":
            copy[size] = r["value"]
    if not gelu:
        sys.exit(f"data: no gelu probe of >= 256 MiB in {args.data}")
    hardware = json.loads(Path(args.hardware).read_text())
    lanes = json.loads(Path(args.arch).read_text())["fp32_lanes_per_sm"]
    sm_cycles_per_s = hardware["vector_tflops"]["fp32"] * 1e12 / (2 * lanes)
    values = []
    for size, gbs in sorted(gelu.items()):
        values.append(gbs * 1e9 / BYTES_PER_ELEMENT / sm_cycles_per_s)
        match = [b for b in copy if abs(b - size) / b < 0.01]
        beside = f", {gbs / copy[match[0]]:.3f} of device_copy" if match else ""
        print(f"gelu {size} B: {gbs:.0f} GB/s, {values[-1]:.4f} elements/SM cycle{beside}")
    value = float(f"{statistics.median(values):.4g}")  # 4 significant digits
    print(f"{NAME}: {value}")
    if args.write:
        write_constants(args.arch, {NAME: (value, [ids[s] for s in sorted(gelu)])},
                        "gelu", args.data, provenance, "gelu_rate.py",
                        extra=f" per SM cycle of {args.hardware} ({sm_cycles_per_s:.4g}/s)")


if __name__ == "__main__":
    main()
