#!/usr/bin/env python3
"""Measures the error to expect from a prediction, by how the GPU's profile was obtained.

  python3 scripts/expected_error.py --binary build/cli/vitperf -o data/accuracy/expected_error.json

Three cases, each from a held-out check the script runs (its command is recorded):
  calibrated          this GPU's own measurements, 5-fold cross-validation by config; and, from
                      the same check over every fitted experiment (compiled and RQ5 pipelines
                      included), the error by execution mode and by what bounds the point
                      (`by_case`: eager/host, compiled/device, ...), which `predict` shows per
                      batch: a host-bound batch-1 point is not a device-bound batch-256 one;
  same_architecture   an uncalibrated GPU whose architecture has a calibrated GPU: calibrate one
                      GPU, predict the other from its datasheet (H100 -> H200 and back);
  other_architecture  an uncalibrated GPU of an architecture nobody calibrated: vitperf's
                      datasheet-only predictions against timm's published tables
                      (scripts/heldout_timm.py; data/heldout/README.md), never fitted to.
vitperf (model/expected_error.h) reads the file to say, with every prediction, what error to
expect and how that figure was obtained.
"""
import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
D = "data/measurements"


FOUR = ("calibration", "campaign", "quick_test", "staging_study")
SIX = FOUR + ("rq3_compiled", "rq5_pipeline")
MIN_CASE_POINTS = 10  # fewer held-out points than this make no figure of their own


def data(gpu, kinds=FOUR):
    """The GPU's fitted experiments, every run (data/measurements/README.md)."""
    return [f"{D}/{gpu}/{kind}.jsonl" for kind in kinds]


def shown(args):
    """The command as a person types it: each GPU's data as one shell brace expansion."""
    out, globbed = [], set()
    for a in args:
        if a.startswith(D + "/"):
            gpu = a.split("/")[-2]
            kinds = [f.split("/")[-1][:-len(".jsonl")] for f in args
                     if f.startswith(f"{D}/{gpu}/")]
            glob = f"{D}/{gpu}/{{{','.join(kinds)}}}.jsonl"
            if glob not in globbed:
                globbed.add(glob)
                out.append(glob)
        else:
            out.append(a)
    return "vitperf validate " + " ".join(out)


def run_validate(binary, args):
    cmd = [binary, "validate"] + args + ["--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"{shown(args)}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def validate(binary, args):
    s = run_validate(binary, args)["summary"]
    return {"mape": s["mape"], "points": s["points"], "max_regret": s["max_regret"],
            "command": shown(args)}


def by_case(binary, args):
    """Held-out MAPE per execution mode and bound (validate's cases: compiled/host, ...)."""
    cases = run_validate(binary, args)["cases"]
    return {"command": shown(args),
            "cases": {c["case"]: {"mape": c["mape"], "points": c["points"]}
                      for c in cases if c["points"] >= MIN_CASE_POINTS}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=str(ROOT / "build/cli/vitperf"))
    ap.add_argument("-o", "--output", default=str(ROOT / "data/accuracy/expected_error.json"))
    args = ap.parse_args()
    b = str(Path(args.binary).resolve())
    sheet = {"h100": "data/hardware/h100-sxm.json", "h200": "data/hardware/h200.json"}
    calibrated = {}
    for gpu, name in (("h100", "h100-sxm"), ("h200", "h200")):
        calibrated[name] = validate(b, ["--profile", sheet[gpu], "--kfold", "5", "--data"] +
                                    data(gpu))
        calibrated[name]["by_case"] = by_case(b, ["--profile", sheet[gpu], "--kfold", "5",
                                                  "--data"] + data(gpu, SIX))
    transfer = {
        "h100-sxm->h200": validate(b, ["--profile", sheet["h200"], "--transfer-from",
                                       sheet["h100"], "--transfer-data"] + data("h100") +
                                   ["--data"] + data("h200")),
        "h200->h100-sxm": validate(b, ["--profile", sheet["h100"], "--transfer-from",
                                       sheet["h200"], "--transfer-data"] + data("h200") +
                                   ["--data"] + data("h100")),
    }
    heldout_path = Path("/tmp/vitperf-heldout.json")
    subprocess.run([sys.executable, str(ROOT / "scripts/heldout_timm.py"), "--binary", b,
                    "--json", str(heldout_path)], check=True, capture_output=True)
    tables = json.loads(heldout_path.read_text())["tables"]
    eager = [t for t in tables if not t["compiled"]]
    rows = [r for t in eager for r in t["rows"]]
    other = {"mape": sum(abs(r["error"]) for r in rows) / len(rows), "points": len(rows),
             "tables": {t["table"]: {"gpu": t["gpu"], "mape": t["mape"],
                                     "mean_signed_error": t["mean_signed_error"],
                                     "models": len(t["rows"])} for t in eager},
             "command": "python3 scripts/heldout_timm.py --binary vitperf"}
    # The compile gain (compiled over eager, model by model) isolates the execution-mode terms
    # from the uncalibrated GPU's absolute rate, which both tables of a release share.
    gains = json.loads(heldout_path.read_text()).get("compile_gains", [])
    gain_rows = [r for g in gains for r in g["rows"]]
    if gain_rows:
        other["compile_gain_mape"] = sum(abs(r["error"]) for r in gain_rows) / len(gain_rows)
        other["compile_gain_points"] = len(gain_rows)
    rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                         text=True, cwd=ROOT).stdout.strip()
    out = {"schema": "vitperf.expected_error", "schema_version": 1,
           "date": datetime.date.today().isoformat(), "git_revision": rev,
           "calibrated": {"by_gpu": calibrated,
                          "mape": max(v["mape"] for v in calibrated.values()),
                          "how": "5-fold cross-validation by config on the GPU's own "
                                 "measurements (the worse of the calibrated GPUs)"},
           "same_architecture": {"by_transfer": transfer,
                                 "mape": max(v["mape"] for v in transfer.values()),
                                 "how": "one GPU calibrated, the other predicted from its "
                                        "datasheet and the first's coefficients (the worse "
                                        "direction)"},
           "other_architecture": dict(other, how="datasheet-only predictions against timm's "
                                                 "published benchmark tables (eager, fp32 models "
                                                 "under autocast at fp16, as timm runs them), "
                                                 "never fitted to")}
    Path(args.output).write_text(json.dumps(out, indent=1) + "\n")
    for key in ("calibrated", "same_architecture", "other_architecture"):
        print(f"{key}: MAPE {100 * out[key]['mape']:.1f}% ({out[key]['how']})")
    for name, entry in calibrated.items():
        print(f"  {name}: " + ", ".join(f"{k} {100 * c['mape']:.1f}% ({c['points']})"
                                        for k, c in entry["by_case"]["cases"].items()))


if __name__ == "__main__":
    main()
