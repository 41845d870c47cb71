#!/usr/bin/env python3
"""Sets an architecture's conv_precomputed_efficiency from the CUPTI breakdowns of measured
pipeline points, and prints the input sizes at which cuDNN's patch convolution leaves the
tensor-core kernel for precomputed_convolve_sgemm (the patch_conv rule's input_elements_above).

  python3 scripts/precomputed_conv_rate.py data/measurements/h100 data/measurements/h200 \
      [--arch data/arch/sm90.json]

The efficiency is the median, over every bf16/fp16 record whose breakdown names the kernel, of
its FLOP rate (2 x images x patches x width x 3 x patch^2 over the kernel's time) over the fp32
vector rate of the GPU's datasheet (data/hardware/, by the folder's name). Without --arch it
prints.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

from arch_constants import write_constants

NAME = "conv_precomputed_efficiency"
HARDWARE = {"h100": "h100-sxm.json", "h200": "h200.json"}  # measurement folder -> datasheet
ROOT = Path(__file__).resolve().parent.parent


def conv_kernel(record):
    """The patch conv's kernel in a record's breakdown: 'precomputed', 'tensor_core' or None."""
    for k in (record.get("breakdown") or {}).get("top_kernels", []):
        if k["class"] != "matmul" or k["count"] != 1:
            continue
        if "precomputed_convolve_sgemm" in k["name"]:
            return "precomputed", k["time_ms"]
        if "cutlass" in k["name"] and "fprop" in k["name"]:
            return "tensor_core", k["time_ms"]
    return None, 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="+", help="data/measurements/<gpu> folders")
    ap.add_argument("--arch", help="architecture file to update")
    args = ap.parse_args()
    rates, counts = [], {}
    largest_tensor_core, smallest_precomputed = 0.0, float("inf")
    for folder in map(Path, args.folders):
        if folder.name not in HARDWARE:
            sys.exit(f"folders: '{folder}' is none of {', '.join(HARDWARE)}")
        hardware = json.loads((ROOT / "data/hardware" / HARDWARE[folder.name]).read_text())
        fp32_flops = hardware["vector_tflops"]["fp32"] * 1e12
        for path in sorted(folder.glob("*.jsonl")):
            for line in path.read_text().splitlines():
                r = json.loads(line)
                c, o = r.get("config", {}), r.get("options", {})
                if (r.get("kind") != "pipeline" or r.get("status") != "ok" or o.get("autocast")
                        or c.get("precision") not in ("bf16", "fp16")):
                    continue
                kernel, time_ms = conv_kernel(r)
                if kernel is None:
                    continue
                inputs = r["batch"] * c["channels"] * c["image_height"] * c["image_width"]
                if c["dim"] >= 512 and max(c["image_height"], c["image_width"]) <= 384:
                    if kernel == "tensor_core":
                        largest_tensor_core = max(largest_tensor_core, inputs)
                    else:
                        smallest_precomputed = min(smallest_precomputed, inputs)
                if kernel != "precomputed":
                    continue
                patches = (c["image_height"] // c["patch"]) * (c["image_width"] // c["patch"])
                flops = 2 * r["batch"] * patches * c["dim"] * c["channels"] * c["patch"] ** 2
                rates.append(flops / (time_ms * 1e-3) / fp32_flops)
                counts[folder.name] = counts.get(folder.name, 0) + 1
    if not rates:
        sys.exit("folders: no record's breakdown names precomputed_convolve_sgemm")
    value = round(statistics.median(rates), 6)
    print(f"{NAME}: {value} over {len(rates)} kernels ({counts}), "
          f"{min(rates):.3f}-{max(rates):.3f} of the fp32 rate")
    print(f"widths >= 512 at <= 384 px: tensor-core kernel up to {largest_tensor_core:.4g} input "
          f"elements, precomputed from {smallest_precomputed:.4g}")
    if args.arch:
        source = (f"this project's CUPTI traces: the median FLOP rate of the {len(rates)} "
                  f"precomputed_convolve_sgemm patch-conv kernels in "
                  f"{', '.join(f'{f}/*.jsonl' for f in args.folders)} (breakdown.top_kernels; "
                  f"bf16/fp16; {', '.join(f'{n} {g}' for g, n in sorted(counts.items()))}) over "
                  f"the fp32 vector rate of each GPU's data/hardware file, via "
                  f"scripts/precomputed_conv_rate.py")
        write_constants(args.arch, {NAME: (value, [])}, None, None, {}, "precomputed_conv_rate.py",
                        source=source)


if __name__ == "__main__":
    main()
