#!/usr/bin/env python3
"""Sets an architecture's strided_read_efficiency and transposed_read_efficiency from the
strided_copy and device_copy probes of a layout_study run.

  python3 scripts/strided_read_efficiency.py data/measurements/h200-layout_study.jsonl \
      --hardware data/hardware/h200.json --arch data/arch/sm90.json

A strided copy reads S bytes from the non-contiguous view and writes S contiguous bytes. With
the write at the contiguous streaming rate R (device_copy of the same size, which counts read
plus write, so R = its value) and the read at a rate fR, 2S/value = S/(fR) + S/R, so
f = 1 / (2R/value - 1); the efficiency is that read rate over the datasheet bandwidth of
--hardware (the model moves these bytes at efficiency x bandwidth, as the conv's layout copy).
run_elements 64 gives strided_read_efficiency (head-split views), run_elements 1
transposed_read_efficiency (token-transposed views). Sizes of at least 256 MiB only (smaller
copies stay partly in L2); the median over sizes. Without --arch it prints.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

from arch_constants import write_constants

MIN_BYTES = 256 << 20
NAMES = {64: "strided_read_efficiency", 1: "transposed_read_efficiency"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="JSONL of a layout_study run")
    ap.add_argument("--hardware", required=True,
                    help="the probed GPU's hardware file (its memory_bandwidth_gbs)")
    ap.add_argument("--arch", help="architecture file to update")
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
    bandwidth_gbs = json.loads(Path(args.hardware).read_text())["memory_bandwidth_gbs"]
    results = {}
    for run, name in NAMES.items():
        shares, used = [], []
        for (r_run, size), value in sorted(strided.items()):
            # The strided tensor is a whole number of images, a little under the requested size.
            match = [b for b in copy if b >= MIN_BYTES and abs(b - size) / b < 0.01]
            if r_run != run or not match:
                continue
            stream_gbs = copy[match[0]]
            shares.append(stream_gbs / (2 * stream_gbs / value - 1) / bandwidth_gbs)
            used.append(ids[(r_run, size)])
        if not shares:
            sys.exit(f"data: no strided_copy run_elements={run} of >= 256 MiB beside a device_copy "
                     f"of its size in {args.data}")
        results[name] = (round(statistics.median(shares), 4), used)
        print(f"{name}: {results[name][0]} (from {', '.join(f'{s:.4f}' for s in shares)})")
    if args.arch:
        write_constants(args.arch, results, "strided_copy and device_copy", args.data, provenance,
                        "strided_read_efficiency.py",
                        extra=f" over memory_bandwidth_gbs of {args.hardware}")

if __name__ == "__main__":
    main()
