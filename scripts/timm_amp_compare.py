#!/usr/bin/env python3
"""vitperf's predictions beside scripts/timm_amp_study.py's measurements (schema
"vitperf.timm_amp"): every ok point is predicted with

    vitperf predict --model <timm name> --gpu <profile> --precision fp16|bf16
                    --autocast on|off --compute-only --batch B --res R [--execution compiled] --json

(one call per model, res, setting and execution, its batches as a list; each row read by its
batch) and printed as an aligned table: model, setting, execution, batch, measured and predicted
images/s, error (predicted / measured - 1). Then the MAPE per setting (and execution), per setting,
execution and batch, and model by model the gains the autocast model is about:
  * autocast over the pure precision (autocast-fp16 / fp16, autocast-bf16 / bf16), eager and
    compiled: measured ratio of throughputs against predicted, over all batches and per batch;
  * compiled over eager, per setting.
Several files, and several runs in one file (say one run of fp16 settings and one of bf16), are
read together; a point measured in several runs counts with the mean of its throughputs (the
row lists its runs), and --run keeps the named runs only. Models vitperf does
not know are reported as skipped with vitperf's reason (its stderr line); oom and error points as
not compared.

Usage:
    python3 scripts/timm_amp_compare.py h200-timm-amp.jsonl [--gpu h200]
        [--binary build/cli/vitperf] [--run RUN_ID ...] [--json OUT.json]
Exit status: 0 compared (skipped models included); 2 bad arguments (a missing file, no ok point,
an unknown --gpu, no vitperf binary).
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jsonl_records import read_jsonl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = "timm_amp_compare.py"
STUDY_SCHEMA = "vitperf.timm_amp"
SCHEMA = "vitperf.timm_amp_comparison"
SETTINGS = {  # as scripts/timm_amp_study.py: setting -> (precision, autocast)
    "autocast-fp16": ("fp16", True),
    "autocast-bf16": ("bf16", True),
    "fp16": ("fp16", False),
    "bf16": ("bf16", False),
}
SETTING_ORDER = list(SETTINGS)
EXECUTION_ORDER = ["eager", "compiled"]


class ArgumentError(Exception):
    pass


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        raise ArgumentError(message)


def default_binary():
    return os.environ.get("VITPERF_BINARY") or os.path.join(ROOT, "build", "cli", "vitperf")


def gpu_names(binary):
    """Profile names and aliases `vitperf gpus` accepts."""
    out = subprocess.run([binary, "gpus", "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise ArgumentError("--binary: %s gpus --json failed: %s"
                            % (binary, out.stderr.strip().splitlines()[-1:]))
    names, canonical = set(), []
    for g in json.loads(out.stdout)["gpus"]:
        canonical.append(g["name"])
        names.add(g["name"])
        names.update(g.get("aliases") or [])
    return names, canonical


# ---------------------------------------------------------------- measurements


def load_points(paths, runs=None):
    """(points, not_compared, provenances): points {key: {"measured_ips", "n", ...}} of the ok
    records, key (model, res, setting, execution, batch); not_compared: the other final
    records of keys never measured ok; provenances: the runs' provenance lines."""
    ok, other, provenances = {}, {}, {}
    for path in paths:
        for r in read_jsonl(path):
            if r.get("schema") != STUDY_SCHEMA:
                continue
            rid = r.get("run_id")
            if runs and rid not in runs:
                continue
            if r.get("kind") == "provenance":
                provenances.setdefault(rid, {k: r.get(k) for k in (
                    "run_id", "device_name", "driver_version", "torch_version", "timm_version",
                    "cuda_version", "triton_version", "git_revision", "time_utc", "host")})
                continue
            if r.get("kind") != "point" or r.get("setting") not in SETTINGS:
                continue
            key = (r["model"], int(r["res"]), r["setting"], r["execution"], int(r["batch"]))
            if r.get("status") == "ok":
                ok.setdefault(key, []).append(r)
            else:
                other[key] = r
    points = {}
    for key, recs in ok.items():
        ips = [r["throughput_ips"] for r in recs]
        points[key] = {"measured_ips": statistics.fmean(ips), "n": len(ips),
                       "runs": sorted({r.get("run_id") or "?" for r in recs}),
                       "compile_s": [r["compile_s"] for r in recs if r.get("compile_s")]}
    not_compared = [{"model": k[0], "res": k[1], "setting": k[2], "execution": k[3],
                     "batch": k[4], "status": r.get("status"), "message": r.get("message", "")}
                    for k, r in sorted(other.items()) if k not in points]
    return points, not_compared, provenances


# ---------------------------------------------------------------- predictions


def predict_group(binary, gpu, model, res, setting, execution, batches):
    """({batch: predicted images/s}, None) or (None, vitperf's reason) for one vitperf call."""
    precision, autocast = SETTINGS[setting]
    cmd = [binary, "predict", "--model", model, "--gpu", gpu, "--precision", precision,
           "--autocast", "on" if autocast else "off", "--compute-only",
           "--batch", ",".join(str(b) for b in batches), "--res", str(res)]
    if execution == "compiled":
        cmd += ["--execution", "compiled"]
    cmd.append("--json")
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        lines = [l for l in out.stderr.strip().splitlines() if l.strip()]
        return None, lines[-1] if lines else "vitperf exited with status %d" % out.returncode
    j = json.loads(out.stdout)
    by_batch = {int(row["batch"]): row["throughput_ips"] for row in j["rows"]}
    missing = [b for b in batches if b not in by_batch]
    if missing:
        return None, "vitperf returned no row for batch %s" % missing
    return {"ips": by_batch, "meta": j.get("meta", {})}, None


def predict_all(binary, gpu, points, jobs):
    """{key: predicted images/s}, {(model, res, setting, execution): reason} of failed calls,
    and one prediction's meta (vitperf's version and revision)."""
    groups = {}
    for (model, res, setting, execution, batch) in points:
        groups.setdefault((model, res, setting, execution), []).append(batch)
    predicted, failed, meta = {}, {}, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(predict_group, binary, gpu, *g, sorted(b)): g
                   for g, b in groups.items()}
        for fut in concurrent.futures.as_completed(futures):
            g = futures[fut]
            result, why = fut.result()
            if result is None:
                failed[g] = why
                continue
            meta = meta or result["meta"]
            for b, ips in result["ips"].items():
                predicted[g + (b,)] = ips
    return predicted, failed, meta


# ---------------------------------------------------------------- summaries


def error_stats(errors):
    if not errors:
        return None
    return {"n": len(errors), "mape": sum(abs(e) for e in errors) / len(errors),
            "mean_signed_error": sum(errors) / len(errors),
            "max_abs_error": max(abs(e) for e in errors)}


def sort_key(row):
    return (row["model"], SETTING_ORDER.index(row["setting"]),
            EXECUTION_ORDER.index(row["execution"]), row["batch"])


def compare(points, predicted):
    rows = []
    for key, p in points.items():
        if key not in predicted:
            continue
        model, res, setting, execution, batch = key
        rows.append({"model": model, "res": res, "setting": setting, "execution": execution,
                     "batch": batch, "measured_ips": p["measured_ips"],
                     "predicted_ips": predicted[key],
                     "error": predicted[key] / p["measured_ips"] - 1, "n": p["n"],
                     "runs": p["runs"]})
    rows.sort(key=sort_key)
    by_setting = {}
    for s in SETTING_ORDER:
        sel = [r for r in rows if r["setting"] == s]
        if not sel:
            continue
        entry = {"all": error_stats([r["error"] for r in sel])}
        for e in EXECUTION_ORDER:
            st = error_stats([r["error"] for r in sel if r["execution"] == e])
            if st:
                entry[e] = st
        by_setting[s] = entry
    by_batch = []
    for s in SETTING_ORDER:
        for e in EXECUTION_ORDER:
            for b in sorted({r["batch"] for r in rows}):
                st = error_stats([r["error"] for r in rows
                                  if (r["setting"], r["execution"], r["batch"]) == (s, e, b)])
                if st:
                    by_batch.append({"setting": s, "execution": e, "batch": b, **st})
    return rows, by_setting, by_batch


def ratio_rows(rows, numerator, denominator, group_fields):
    """Measured and predicted ratios numerator/denominator of the rows matching on the other
    fields. numerator, denominator: {field: value} selecting the two rows of a pair."""
    def match(r, sel):
        return all(r[k] == v for k, v in sel.items())

    index = {}
    for r in rows:
        index[tuple(r[f] for f in group_fields)] = r
    out = []
    for r in rows:
        if not match(r, numerator):
            continue
        other = dict((f, r[f]) for f in group_fields)
        other.update(denominator)
        d = index.get(tuple(other[f] for f in group_fields))
        if d is None:
            continue
        measured = r["measured_ips"] / d["measured_ips"]
        predicted = r["predicted_ips"] / d["predicted_ips"]
        out.append({"model": r["model"], "res": r["res"], "batch": r["batch"],
                    "measured": measured, "predicted": predicted,
                    "error": predicted / measured - 1})
    return out


def gains(rows):
    fields = ("model", "res", "setting", "execution", "batch")
    autocast = []
    for precision in ("fp16", "bf16"):
        for e in EXECUTION_ORDER:
            sel = ratio_rows(rows, {"setting": "autocast-" + precision, "execution": e},
                             {"setting": precision}, fields)
            if sel:
                by_batch = [{"batch": b, **summary([r for r in sel if r["batch"] == b])}
                            for b in sorted({r["batch"] for r in sel})]
                autocast.append({"gain": "autocast-%s over %s" % (precision, precision),
                                 "precision": precision, "execution": e, "rows": sel,
                                 "by_batch": by_batch, **summary(sel)})
    compiled = []
    for s in SETTING_ORDER:
        sel = ratio_rows(rows, {"setting": s, "execution": "compiled"}, {"execution": "eager"},
                         fields)
        if sel:
            compiled.append({"gain": "compiled over eager", "setting": s, "rows": sel,
                             **summary(sel)})
    return autocast, compiled


def summary(sel):
    st = error_stats([r["error"] for r in sel])
    st["measured_median"] = statistics.median(r["measured"] for r in sel)
    st["predicted_median"] = statistics.median(r["predicted"] for r in sel)
    return st


# ---------------------------------------------------------------- printing


def pct(x):
    return "%+.1f%%" % (100 * x)


def print_report(rows, by_setting, by_batch, autocast, compiled, skipped, not_compared, gpu):
    w = max([len("model")] + [len(r["model"]) for r in rows])
    print("Measured (scripts/timm_amp_study.py) against vitperf predict --gpu %s --compute-only"
          % gpu)
    print("%-*s  %-13s  %-9s  %5s  %4s  %12s  %12s  %7s"
          % (w, "model", "setting", "execution", "batch", "res", "measured/s", "predicted/s",
             "error"))
    for r in rows:
        print("%-*s  %-13s  %-9s  %5d  %4d  %12.1f  %12.1f  %7s"
              % (w, r["model"], r["setting"], r["execution"], r["batch"], r["res"],
                 r["measured_ips"], r["predicted_ips"], pct(r["error"])))
    print("\nMAPE per setting (mean signed error)")
    print("%-13s  %-22s  %-22s  %-22s" % ("setting", "all", "eager", "compiled"))
    for s, entry in by_setting.items():
        cells = []
        for part in ("all", "eager", "compiled"):
            st = entry.get(part)
            cells.append("%5.1f%% (%s), n=%d" % (100 * st["mape"], pct(st["mean_signed_error"]),
                                                 st["n"]) if st else "-")
        print("%-13s  %-22s  %-22s  %-22s" % (s, *cells))
    print("\nMAPE per setting, execution and batch (mean signed error, largest error)")
    print("%-13s  %-9s  %5s  %3s  %6s  %7s  %7s" % ("setting", "execution", "batch", "n", "MAPE",
                                                 "signed", "max"))
    for m in by_batch:
        print("%-13s  %-9s  %5d  %3d  %5.1f%%  %7s  %6.1f%%"
              % (m["setting"], m["execution"], m["batch"], m["n"], 100 * m["mape"],
                 pct(m["mean_signed_error"]), 100 * m["max_abs_error"]))
    for title, groups, label in (
            ("Autocast over the pure precision (throughput ratio)", autocast,
             lambda g: "%s, %s" % (g["gain"], g["execution"])),
            ("Compiled over eager (throughput ratio)", compiled,
             lambda g: "%s, %s" % (g["gain"], g["setting"]))):
        if not groups:
            continue
        print("\n" + title)
        for g in groups:
            print("  %s: %d pairs, measured %.3fx, predicted %.3fx (medians), MAPE %.1f%%, "
                  "mean signed error %s" % (label(g), g["n"], g["measured_median"],
                                            g["predicted_median"], 100 * g["mape"],
                                            pct(g["mean_signed_error"])))
            for m in g.get("by_batch", []):
                print("    batch %-5d %d pairs, measured %.3fx, predicted %.3fx (medians), MAPE "
                      "%.1f%%, mean signed error %s" % (m["batch"], m["n"], m["measured_median"],
                                                        m["predicted_median"], 100 * m["mape"],
                                                        pct(m["mean_signed_error"])))
            for r in g["rows"]:
                print("    %-*s  b%-5d  measured %6.3fx  predicted %6.3fx  %7s"
                      % (w, r["model"], r["batch"], r["measured"], r["predicted"],
                         pct(r["error"])))
    if skipped:
        print("\nSkipped (vitperf could not predict them)")
        for s in skipped:
            print("  %s (%s %s, res %d): %s" % (s["model"], s["setting"], s["execution"],
                                                 s["res"], s["reason"]))
    if not_compared:
        print("\nNot compared (no ok measurement)")
        for n in not_compared:
            print("  %s %s %s b%d: %s %s" % (n["model"], n["setting"], n["execution"],
                                             n["batch"], n["status"], n["message"][:120]))


# ---------------------------------------------------------------- main


def main(argv):
    ap = OneLineParser(prog=PROG, description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", help="JSONL files of scripts/timm_amp_study.py")
    ap.add_argument("--gpu", default="h200", help="vitperf GPU profile (vitperf gpus)")
    ap.add_argument("--binary", default=default_binary(),
                    help="vitperf (default: $VITPERF_BINARY, else build/cli/vitperf)")
    ap.add_argument("--run", action="append", help="only this run id (repeatable)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                    help="vitperf calls at once")
    ap.add_argument("--json", metavar="OUT", help="write rows, summaries and gains here")
    try:
        a = ap.parse_args(argv)
        for f in a.files:
            if not os.path.isfile(f):
                raise ArgumentError("files: '%s' is not a file" % f)
        if not (os.path.isfile(a.binary) and os.access(a.binary, os.X_OK)):
            raise ArgumentError("--binary: '%s' is not an executable vitperf (build it, or pass "
                                "--binary / set VITPERF_BINARY)" % a.binary)
        if a.jobs < 1:
            raise ArgumentError("--jobs: %d (accepted: an integer >= 1)" % a.jobs)
        names, canonical = gpu_names(a.binary)
        if a.gpu not in names:
            raise ArgumentError("--gpu: '%s' is not one of %s" % (a.gpu, ", ".join(canonical)))
        points, not_compared, provenances = load_points(a.files, set(a.run) if a.run else None)
        if not points:
            raise ArgumentError("files: no ok point of schema %s in %s%s" % (
                STUDY_SCHEMA, ", ".join(a.files),
                " for run %s" % ", ".join(a.run) if a.run else ""))
    except ArgumentError as e:
        print("%s: error: %s" % (PROG, e), file=sys.stderr)
        return 2

    predicted, failed, meta = predict_all(a.binary, a.gpu, points, a.jobs)
    skipped = [{"model": g[0], "res": g[1], "setting": g[2], "execution": g[3], "reason": why,
                "points": sum(1 for k in points if k[:4] == g)}
               for g, why in sorted(failed.items())]
    rows, by_setting, by_batch = compare(points, predicted)
    autocast, compiled = gains(rows)
    print_report(rows, by_setting, by_batch, autocast, compiled, skipped, not_compared, a.gpu)

    if a.json:
        doc = {"schema": SCHEMA, "schema_version": 1,
               "time_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(),
               "command": ["python3", "scripts/timm_amp_compare.py"] + list(argv),
               "measurements": [os.path.basename(f) for f in a.files],
               "runs": [provenances[k] for k in sorted(provenances, key=str)],
               "gpu_profile": a.gpu,
               "vitperf": {k: meta.get(k) for k in ("version", "git_revision", "calibrated",
                                                    "device")},
               "rows": rows, "mape_by_setting": by_setting, "mape_by_batch": by_batch,
               "autocast_gains": autocast, "compile_gains": compiled,
               "skipped": skipped, "not_compared": not_compared}
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print("\nwrote %s" % a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
