#!/usr/bin/env python3
"""RQ3 table: graph and compiled (AOTInductor) throughput over eager, measured and predicted,
with compile times and the break-even image count, from an rq3_compiled run.

  python3 scripts/rq3_table.py data/measurements/h200/rq3_compiled.jsonl \
      --binary build/cli/vitperf --gpu h200

Break-even images = compile time / (1/eager ips - 1/compiled ips): the images after which the
ahead-of-time compilation (export plus AOTInductor, from the package's sidecar as recorded in
the point's provenance) has paid for itself; "never" when compiled is not faster. Prints a
Markdown table (compute-only points) and the held-out error of the compiled predictions.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def predict_ips(binary, gpu, record, execution, compile_mode="default"):
    c, o = record["config"], record["options"]
    with tempfile.NamedTemporaryFile("w", suffix=".json") as cfg:
        cfg.write(json.dumps(c))
        cfg.flush()
        args = [binary, "predict", "--config", cfg.name, "--gpu", gpu, "--batch",
                str(record["batch"]), "--execution", execution, "--json"]
        if o["compute_only"]:
            args.append("--compute-only")
        if execution == "compiled":
            args += ["--compile-mode", compile_mode]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return json.loads(out)["rows"][0]["throughput_ips"]


CLASSES = ("matmul", "attention", "norm_elementwise", "other")


def print_by_class(points):
    """RQ3.4, which parts gain: CUPTI kernel time per class [ms] of one untimed forward pass,
    each mode against eager, on the compute-only points that have a breakdown in every mode."""
    print("\n| model | px | batch | mode | kernels | matmul [ms] | attention [ms] "
          "| norm/elementwise [ms] | other [ms] | kernel total [ms] | over eager |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (name, px, batch, compute_only), modes in sorted(points.items()):
        if not compute_only or batch < 16:
            continue
        rows = {m: r.get("breakdown") for m, r in modes.items()}
        if not all(rows.get(m) for m in ("eager", "compiled-default")):
            continue
        eager_total = rows["eager"]["kernel_time_ms"]
        for mode in ("eager", "graph", "compiled-default", "compiled-max-autotune"):
            b = rows.get(mode)
            if not b:
                continue
            k = b["kernels"]
            cells = [f"{k.get(c, {}).get('time_ms', 0):.2f}" for c in CLASSES]
            print(f"| {name} | {px} | {batch} | {mode} | {b['kernel_count']} | "
                  + " | ".join(cells)
                  + f" | {b['kernel_time_ms']:.2f} | {b['kernel_time_ms'] / eager_total:.2f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data")
    ap.add_argument("--binary", default="build/cli/vitperf")
    ap.add_argument("--gpu", default="h200")
    ap.add_argument("--res", type=int, action="append",
                    help="only these input resolutions [px] (repeatable; default: all)")
    ap.add_argument("--by-class", action="store_true",
                    help="also print the CUPTI kernel time per class and mode (RQ3.4)")
    args = ap.parse_args()
    points = {}
    for line in Path(args.data).read_text().splitlines():
        r = json.loads(line)
        if r.get("kind") != "pipeline" or r.get("status") != "ok":
            continue
        o = r["options"]
        mode = o["execution"]
        if mode == "compiled":
            mode += "-" + o.get("compile_mode", "default")
        key = (r["config"]["name"], r["config"]["image_height"], r["batch"], o["compute_only"])
        points.setdefault(key, {})[mode] = r
    print("| model | px | batch | graph/eager measured (predicted) | compiled/eager measured "
          "(predicted) | max-autotune/eager measured (predicted) | compile [s] | break-even images |")
    print("|---|---|---|---|---|---|---|---|")
    errors, errors_autotune = [], []
    for (name, px, batch, compute_only), modes in sorted(points.items()):
        if not compute_only or "eager" not in modes or (args.res and px not in args.res):
            continue
        eager = modes["eager"]
        e_ips = eager["throughput_ips"]
        pe = predict_ips(args.binary, args.gpu, eager, "eager")
        cells = []
        for mode, execution in (("graph", "graph"), ("compiled-default", "compiled")):
            if mode not in modes:
                cells.append("-")
                continue
            m = modes[mode]["throughput_ips"]
            p = predict_ips(args.binary, args.gpu, modes[mode], execution)
            if execution == "compiled":
                errors.append(abs(p / m - 1))
            cells.append(f"{m / e_ips:.2f} ({p / pe:.2f})")
        ma = modes.get("compiled-max-autotune")
        if ma:
            p = predict_ips(args.binary, args.gpu, ma, "compiled", "max-autotune")
            errors_autotune.append(abs(p / ma["throughput_ips"] - 1))
            cells.append(f"{ma['throughput_ips'] / e_ips:.2f} ({p / pe:.2f})")
        else:
            cells.append("-")
        compiled = modes.get("compiled-default")
        if compiled:
            info = compiled["provenance"].get("compiled", {})
            compile_s = info.get("export_s", 0) + info.get("compile_s", 0)
            gain = 1 / e_ips - 1 / compiled["throughput_ips"]
            cells.append(f"{compile_s:.0f}")
            cells.append(f"{compile_s / gain:,.0f}" if gain > 0 else "never")
        else:
            cells += ["-", "-"]
        print(f"| {name} | {px} | {batch} | " + " | ".join(cells) + " |")
    for label, e in (("default", errors), ("max-autotune", errors_autotune)):
        if e:
            print(f"\ncompiled ({label}) predictions with {args.gpu}'s profile: MAPE "
                  f"{100 * sum(e) / len(e):.1f}% over {len(e)} compute-only points",
                  file=sys.stderr)
    if args.by_class:
        print_by_class(points)


if __name__ == "__main__":
    main()
