#!/usr/bin/env python3
"""Uncalibrated (datasheet-only) predictions against timm's published benchmark tables.

  python3 scripts/heldout_timm.py --binary build/cli/vitperf [--json out.json]

For every held-out table in data/heldout/ (data/heldout/README.md: where each comes from) and
every row whose timm model name vitperf knows (`vitperf models`), predicts timm's setting (AMP
fp16, compute only: input already on the GPU, eager unless the table is a `-dynamo` one) at the
row's batch size and image size on the table's GPU profile, and prints the error per row and
the MAPE per table. The tables are a held-out test: nothing in vitperf is fitted or tuned to
them (data/heldout/README.md), so this is the error to expect on an uncalibrated GPU.
"""
import argparse
import csv
import datetime
import json
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


def predict(binary, model, gpu, batch, res, compiled):
    cmd = [binary, "predict", "--model", model, "--gpu", gpu, "--precision", "fp16",
           "--compute-only", "--batch", str(batch), "--res", str(res), "--json"]
    if compiled:
        cmd += ["--execution", "compiled"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    j = json.loads(out.stdout)
    return j["rows"][0]["throughput_ips"], ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=str(ROOT / "build/cli/vitperf"))
    ap.add_argument("--json", help="write the rows and summaries here")
    args = ap.parse_args()
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
                predicted, why = predict(args.binary, row["model"], gpu, batch, res, compiled)
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
    if args.json:
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, cwd=ROOT).stdout.strip()
        Path(args.json).write_text(json.dumps({
            "schema": "vitperf.heldout_timm", "schema_version": 1, "git_revision": rev,
            "date": datetime.date.today().isoformat(),
            "command": "python3 scripts/heldout_timm.py --binary build/cli/vitperf --json " +
                       "data/heldout/vitperf_predictions.json",
            "tables": report}, indent=1) + "\n")


if __name__ == "__main__":
    main()
