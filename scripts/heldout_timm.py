#!/usr/bin/env python3
"""Uncalibrated (datasheet-only) predictions against timm's published benchmark tables.

  python3 scripts/heldout_timm.py --binary build/cli/vitperf [--json out.json]

For every held-out table in data/heldout/ (data/heldout/README.md: where each comes from) and
every row whose timm model name vitperf knows (`vitperf models`), predicts timm's setting (an
fp32 model run under torch.autocast at fp16, as benchmark.py --amp does; compute only: input
already on the GPU; eager unless the table is a `-dynamo` one) at the row's batch size and image
size on the table's GPU profile, and prints the error per row and the MAPE per table. Where a
release has an eager and a `-dynamo` table, it also prints the error of the predicted compile
gain (compiled over eager throughput, model by model): the execution-mode part of the model,
apart from the uncalibrated GPU's absolute rate, which both tables share. The tables are a held-out test: nothing in vitperf is fitted or tuned to
them (data/heldout/README.md), so this is the error to expect on an uncalibrated GPU.
"""
import argparse
import csv
import datetime
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GPU = {"rtx3090": "rtx3090", "rtx4090": "rtx4090", "4090": "rtx4090"}


def known_models(binary):
    out = subprocess.run([binary, "models", "--json"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    names = set()
    for m in data["models"] + data.get("timm_zoo", {}).get("models", []):
        for key in ("timm_name", "name"):
            if m.get(key):
                names.add(m[key])
    return names


def table_gpu(name):
    for token, profile in GPU.items():
        if name.endswith(token) or name.endswith(token + "-dynamo"):
            return profile
    return None


def predict(binary, model, gpu, batch, res, compiled, autocast):
    cmd = [binary, "predict", "--model", model, "--gpu", gpu, "--precision", "fp16",
           "--autocast", "on" if autocast else "off",
           "--compute-only", "--batch", str(batch), "--res", str(res), "--json"]
    if compiled:
        cmd += ["--execution", "compiled"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    j = json.loads(out.stdout)
    return j["rows"][0]["throughput_ips"], ""


def compile_gains(report):
    """Compiled over eager throughput, model by model, for each release with both tables."""
    by_name = {t["table"]: t for t in report}
    gains = []
    for eager in report:
        if eager["compiled"]:
            continue
        dynamo = by_name.get(eager["table"].replace(".csv", "-dynamo.csv"))
        if dynamo is None:
            continue
        compiled_rows = {r["model"]: r for r in dynamo["rows"]}
        rows = []
        for r in eager["rows"]:
            c = compiled_rows.get(r["model"])
            if c is None:
                continue
            measured = c["measured_ips"] / r["measured_ips"]
            predicted = c["predicted_ips"] / r["predicted_ips"]
            rows.append({"model": r["model"], "measured": measured, "predicted": predicted,
                         "error": predicted / measured - 1})
        if rows:
            gains.append({"eager_table": eager["table"], "compiled_table": dynamo["table"],
                          "rows": rows,
                          "measured_median": statistics.median(r["measured"] for r in rows),
                          "predicted_median": statistics.median(r["predicted"] for r in rows),
                          "mape": sum(abs(r["error"]) for r in rows) / len(rows),
                          "mean_signed_error": sum(r["error"] for r in rows) / len(rows)})
    return gains


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=str(ROOT / "build/cli/vitperf"))
    ap.add_argument("--json", help="write the rows and summaries here")
    ap.add_argument("--setting", choices=["autocast", "fp16"], default="autocast",
                    help="autocast: the tables' own setting (default); fp16: a model cast to fp16 "
                         "(what vitperf assumed before it modelled autocast)")
    args = ap.parse_args()
    autocast = args.setting == "autocast"
    names = known_models(args.binary)
    report = []
    for path in sorted((ROOT / "data/heldout").glob("timm-*.csv")):
        stem = path.stem[len("timm-"):]
        gpu = table_gpu(stem)
        if gpu is None:
            continue
        compiled = stem.endswith("-dynamo")
        rows = []
        with path.open() as f:
            for row in csv.DictReader(f):
                if row["model"] not in names:
                    continue
                batch, res = int(row["infer_batch_size"]), int(row["infer_img_size"])
                measured = float(row["infer_samples_per_sec"])
                predicted, why = predict(args.binary, row["model"], gpu, batch, res, compiled,
                                          autocast)
                if predicted is None:
                    print(f"  {stem} {row['model']}: not predicted ({why})", file=sys.stderr)
                    continue
                rows.append({"model": row["model"], "batch": batch, "res": res,
                             "measured_ips": measured, "predicted_ips": predicted,
                             "error": predicted / measured - 1})
        if not rows:
            continue
        mape = sum(abs(r["error"]) for r in rows) / len(rows)
        bias = sum(r["error"] for r in rows) / len(rows)
        report.append({"table": path.name, "gpu": gpu, "compiled": compiled, "rows": rows,
                       "mape": mape, "mean_signed_error": bias})
        print(f"{path.name}: {len(rows)} models on {gpu}{' (compiled)' if compiled else ''}: "
              f"MAPE {100 * mape:.1f}%, mean signed error {100 * bias:+.1f}%")
        for r in rows:
            print(f"  {r['model']:<36} b{r['batch']:<5} measured {r['measured_ips']:>9.0f} "
                  f"predicted {r['predicted_ips']:>9.0f} ({100 * r['error']:+.1f}%)")
    gains = compile_gains(report)
    for g in gains:
        print(f"compile gain, {g['eager_table']} -> -dynamo: {len(g['rows'])} models, measured "
              f"{g['measured_median']:.2f}x, predicted {g['predicted_median']:.2f}x (medians), "
              f"MAPE {100 * g['mape']:.1f}%, mean signed error {100 * g['mean_signed_error']:+.1f}%")
    if args.json:
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, cwd=ROOT).stdout.strip()
        Path(args.json).write_text(json.dumps({
            "schema": "vitperf.heldout_timm", "schema_version": 1, "git_revision": rev,
            "date": datetime.date.today().isoformat(),
            "command": "python3 scripts/heldout_timm.py --binary build/cli/vitperf --json " +
                       "data/heldout/vitperf_predictions.json" +
                       ("" if autocast else " --setting fp16"),
            "setting": args.setting, "tables": report, "compile_gains": gains}, indent=1) + "\n")


if __name__ == "__main__":
    main()
