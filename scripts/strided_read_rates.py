#!/usr/bin/env python3
"""Sets an architecture's strided_read_bytes_per_sm_cycle and transposed_read_elements_per_sm_cycle
from the strided_copy and device_copy probes of a layout_study run.

  python3 scripts/strided_read_rates.py data/measurements/h200/layout_study.jsonl \
      --hardware data/hardware/h200.json --arch data/arch/sm90.json [--write]

A strided copy reads S bytes from the non-contiguous view and writes S contiguous bytes. With
the write at the contiguous streaming rate R (device_copy of the same size, which counts read
plus write, so R = its value) and the read at a rate Q, 2S/value = S/Q + S/R, so
Q = R / (2R/value - 1). Uncoalesced reads are issued by the multiprocessors' load units, so Q is
stored per multiprocessor cycle: Q / (fp32 vector FLOP/s / (2 x fp32 lanes per SM)), the SM
cycles per second the model uses for the probed GPU (--hardware's datasheet, --arch's lanes).
run_elements 64 gives the head-split rate, 1 the token-transposed one. The token-transposed read
loads one element at a time whatever its width, so it is stored in elements: the probe's bytes
over its element size (bf16, 2 B). Sizes of at least 256 MiB only (smaller copies stay partly in
L2); the median over sizes. --write updates --arch.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

from arch_constants import write_constants

MIN_BYTES = 256 << 20
PROBE_ELEMENT_BYTES = 2  # the strided_copy probe copies bf16 (measure/micro_probes.cpp)
# run_elements -> (constant, bytes per unit it counts)
NAMES = {64: ("strided_read_bytes_per_sm_cycle", 1),
         1: ("transposed_read_elements_per_sm_cycle", PROBE_ELEMENT_BYTES)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="JSONL of a layout_study run")
    ap.add_argument("--hardware", required=True,
                    help="the probed device's hardware file (vector_tflops.fp32)")
    ap.add_argument("--arch", required=True, help="its architecture file (fp32_lanes_per_sm)")
    ap.add_argument("--write", action="store_true", help="write the values into --arch")
    args = ap.parse_args()
    copy, strided, ids, provenance = {}, {}, {}, {}
    for line in Path(args.data).read_text().splitlines():
        r = json.loads(line)
        if r.get("kind") == "provenance":
            provenance = r
        if r.get("kind") != "probe" or r.get("status") != "ok":
            continue
        if r["probe"] == "device_copy":
            copy[r["params"]["bytes"]] = r["value"]
        elif r["probe"] == "strided_copy":
            key = (r["params"]["run_elements"], r["params"]["bytes"])
            strided[key], ids[key] = r["value"], r["id"]
    hardware = json.loads(Path(args.hardware).read_text())
    lanes = json.loads(Path(args.arch).read_text())["fp32_lanes_per_sm"]
    sm_cycles_per_s = hardware["vector_tflops"]["fp32"] * 1e12 / (2 * lanes)
    results = {}
    for run, (name, unit_bytes) in NAMES.items():
        values, used = [], []
        for (r_run, size), value in sorted(strided.items()):
            # The strided tensor is a whole number of images, a little under the requested size.
            match = [b for b in copy if b >= MIN_BYTES and abs(b - size) / b < 0.01]
            if r_run != run or not match:
                continue
            stream_gbs = copy[match[0]]
            read_gbs = stream_gbs / (2 * stream_gbs / value - 1)
            values.append(read_gbs * 1e9 / sm_cycles_per_s / unit_bytes)
            used.append(ids[(r_run, size)])
        if not values:
            sys.exit(f"data: no strided_copy run_elements={run} of >= 256 MiB beside a device_copy "
                     f"of its size in {args.data}")
        results[name] = (float(f"{statistics.median(values):.4g}"), used)  # 4 significant digits
        print(f"{name}: {results[name][0]} (from {', '.join(f'{v:.4f}' for v in values)})")
    if args.write:
        write_constants(args.arch, results, "strided_copy and device_copy", args.data, provenance,
                        "strided_read_rates.py",
                        extra=f" per SM cycle of {args.hardware} ({sm_cycles_per_s:.4g}/s)")


if __name__ == "__main__":
    main()
