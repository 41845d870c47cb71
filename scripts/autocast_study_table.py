#!/usr/bin/env python3
"""The autocast study's held-out tables, from the records of `vitperf measure -e autocast_study`
(data/experiments/autocast_study.json) and `vitperf validate --json` over them (every point's
measured and predicted images/s, joined to its record by id). Markdown on stdout.

Tables:
  1. MAPE (and mean signed error, predicted / measured - 1) per autocast on/off, execution,
     scope (compute-only or end to end) and batch;
  2. the autocast slowdown: throughput under autocast over the same model cast to the
     precision (same config, precision, execution, pipeline options and batch), measured
     against predicted, per execution and scope (median ratios, the ratio's MAPE), then per
     batch; --rows lists every pair;
  3. with --timm FILE (records of scripts/timm_amp_study.py, schema vitperf.timm_amp): timm's
     eager forward time (Python) over this study's eager compute-only time (C++, LibTorch) for
     the same model, resolution, precision, autocast and batch, per setting and batch: what
     Python's per-call host cost adds where the host sets the pace, and a check that both time
     the same kernels where the device does.

Usage:
    python3 scripts/autocast_study_table.py data/measurements/h200/autocast_study.jsonl \\
        [--profile data/calibration/h200.json] [--binary build/cli/vitperf] [--rows]
        [--timm data/measurements/h200/timm_amp.jsonl]
    python3 scripts/autocast_study_table.py --self-test
Exit status: 0; 2 for a missing file, a vitperf that cannot be run or a failed validate.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jsonl_records import read_jsonl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXECUTIONS = ("eager", "graph", "compiled")
TIMM_SCHEMA = "vitperf.timm_amp"
# timm's names of vitperf's presets (the zoo models carry timm's names on both sides).
TIMM_PRESETS = {"vit_small_patch16_224": "vit_s16", "vit_base_patch16_224": "vit_b16",
                "vit_large_patch16_224": "vit_l16"}
SETTING_ORDER = ("autocast-fp16", "fp16", "autocast-bf16", "bf16")


def default_binary():
    return os.environ.get("VITPERF_BINARY") or os.path.join(ROOT, "build", "cli", "vitperf")


def validate_points(binary, profile, files):
    """vitperf validate --json's points: [{id, measured_ips, predicted_ips, ...}]."""
    out = subprocess.run([binary, "validate", "--profile", profile, "--data", *files, "--json"],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):  # 1: a bound exceeded; none is set here
        lines = out.stderr.strip().splitlines()
        raise RuntimeError(lines[-1] if lines else "vitperf validate exited %d" % out.returncode)
    return json.loads(out.stdout)["points"]


# ---------------------------------------------------------------- joining and grouping


def scope(record):
    return "compute-only" if record["options"].get("compute_only") else "end to end"


def pair_key(record):
    """Everything but autocast: the cast model's point of the same config."""
    c = {k: v for k, v in record["config"].items() if k != "autocast"}
    return (json.dumps(c, sort_keys=True), json.dumps(record["options"], sort_keys=True),
            int(record["batch"]))


def join(records, points):
    """Rows {model, precision, autocast, execution, scope, batch, measured, predicted, error, key}
    of the ok pipeline records vitperf validated."""
    by_id = {p["id"]: p for p in points}
    rows = []
    for r in records:
        if r.get("kind") != "pipeline" or r.get("status") != "ok" or r.get("id") not in by_id:
            continue
        p = by_id[r["id"]]
        rows.append({"model": r["config"]["name"], "precision": r["config"]["precision"],
                     "autocast": bool(r["config"].get("autocast")),
                     "execution": r["options"]["execution"], "scope": scope(r),
                     "pipeline": r["options"].get("pipeline", "sequential"),
                     "batch": int(r["batch"]), "measured": p["measured_ips"],
                     "predicted": p["predicted_ips"],
                     "error": p["predicted_ips"] / p["measured_ips"] - 1, "key": pair_key(r)})
    return rows


def stats(errors):
    return {"n": len(errors), "mape": sum(abs(e) for e in errors) / len(errors),
            "signed": sum(errors) / len(errors)}


def order(execution):
    return EXECUTIONS.index(execution) if execution in EXECUTIONS else len(EXECUTIONS)


def mape_table(rows):
    """[(autocast, execution, scope, batch, stats)], and the same without the batch."""
    groups, whole = {}, {}
    for r in rows:
        g = (r["autocast"], r["execution"], r["scope"])
        groups.setdefault(g + (r["batch"],), []).append(r["error"])
        whole.setdefault(g, []).append(r["error"])

    def sort(k):
        return (not k[0], order(k[1]), k[2]) + k[3:]
    return ([k + (stats(v),) for k, v in sorted(groups.items(), key=lambda kv: sort(kv[0]))],
            [k + (stats(v),) for k, v in sorted(whole.items(), key=lambda kv: sort(kv[0]))])


def autocast_pairs(rows):
    """[{model, precision, execution, scope, pipeline, batch, measured, predicted, error}]:
    autocast over cast throughput of each config measured both ways."""
    cast = {r["key"]: r for r in rows if not r["autocast"]}
    out = []
    for r in rows:
        c = cast.get(r["key"]) if r["autocast"] else None
        if c is None:
            continue
        m, p = r["measured"] / c["measured"], r["predicted"] / c["predicted"]
        out.append({k: r[k] for k in ("model", "precision", "execution", "scope", "pipeline",
                                      "batch")} | {"measured": m, "predicted": p,
                                                   "error": p / m - 1})
    out.sort(key=lambda x: (order(x["execution"]), x["scope"], x["model"], x["precision"],
                            x["pipeline"], x["batch"]))
    return out


def ratio_summary(pairs, fields):
    groups = {}
    for x in pairs:
        groups.setdefault(tuple(x[f] for f in fields), []).append(x)
    out = []
    for k, sel in groups.items():
        out.append(k + ({"n": len(sel),
                         "measured": statistics.median(x["measured"] for x in sel),
                         "predicted": statistics.median(x["predicted"] for x in sel),
                         **stats([x["error"] for x in sel])},))
    out.sort(key=lambda t: (order(t[0]),) + t[1:-1])
    return out


def python_over_cxx(records, timm_records):
    """[(setting, batch, [timm ms / C++ ms per model])] for the eager compute-only points measured
    on both sides."""
    cxx = {}
    for r in records:
        o = r.get("options") or {}
        if (r.get("kind") != "pipeline" or r.get("status") != "ok" or o.get("execution") != "eager"
                or not o.get("compute_only")):
            continue
        c = r["config"]
        cxx[(c["name"], int(c.get("image_height", 0)), c["precision"], bool(c.get("autocast")),
             int(r["batch"]))] = r["compute"]["median_ms"]
    ratios = {}
    for t in timm_records:
        if (t.get("schema") != TIMM_SCHEMA or t.get("kind") != "point" or t.get("status") != "ok"
                or t.get("execution") != "eager"):
            continue
        key = (TIMM_PRESETS.get(t["model"], t["model"]), int(t["res"]), t["precision"],
               bool(t["autocast"]), int(t["batch"]))
        if key in cxx:
            ratios.setdefault((t["setting"], int(t["batch"])), []).append(
                t["compute"]["median_ms"] / cxx[key])
    return [(s, b, v) for (s, b), v in sorted(
        ratios.items(), key=lambda kv: (SETTING_ORDER.index(kv[0][0])
                                        if kv[0][0] in SETTING_ORDER else 9, kv[0][1]))]


# ---------------------------------------------------------------- printing


def pct(x):
    return "%+.1f%%" % (100 * x)


def print_tables(rows, pairs, show_rows, timm_ratios=None):
    by_batch, whole = mape_table(rows)
    print("MAPE of the predicted images/s (mean signed error: + predicted faster)\n")
    print("| autocast | execution | scope | points | MAPE | signed |")
    print("|---|---|---|---|---|---|")
    for a, e, s, st in whole:
        print("| %s | %s | %s | %d | %.1f%% | %s |"
              % ("on" if a else "off", e, s, st["n"], 100 * st["mape"], pct(st["signed"])))
    st = stats([r["error"] for r in rows])
    print("| all | | | %d | %.1f%% | %s |" % (st["n"], 100 * st["mape"], pct(st["signed"])))
    print("\n| autocast | execution | scope | batch | points | MAPE | signed |")
    print("|---|---|---|---|---|---|---|")
    for a, e, s, b, st in by_batch:
        print("| %s | %s | %s | %d | %d | %.1f%% | %s |"
              % ("on" if a else "off", e, s, b, st["n"], 100 * st["mape"], pct(st["signed"])))
    print("\nAutocast over cast (throughput ratio, same config; medians; MAPE of the ratio)\n")
    print("| execution | scope | pairs | measured | predicted | MAPE | signed |")
    print("|---|---|---|---|---|---|---|")
    for e, s, st in ratio_summary(pairs, ("execution", "scope")):
        print("| %s | %s | %d | %.3f | %.3f | %.1f%% | %s |"
              % (e, s, st["n"], st["measured"], st["predicted"], 100 * st["mape"],
                 pct(st["signed"])))
    print("\n| execution | scope | batch | pairs | measured | predicted | MAPE | signed |")
    print("|---|---|---|---|---|---|---|---|")
    for e, s, b, st in ratio_summary(pairs, ("execution", "scope", "batch")):
        print("| %s | %s | %d | %d | %.3f | %.3f | %.1f%% | %s |"
              % (e, s, b, st["n"], st["measured"], st["predicted"], 100 * st["mape"],
                 pct(st["signed"])))
    if timm_ratios:
        print("\ntimm (Python) eager time over the C++ probe's, same model and setting "
              "(compute-only)\n")
        print("| setting | batch | models | median | min | max |")
        print("|---|---|---|---|---|---|")
        for s, b, v in timm_ratios:
            print("| %s | %d | %d | %.2f | %.2f | %.2f |"
                  % (s, b, len(v), statistics.median(v), min(v), max(v)))
    if show_rows:
        print("\n| model | precision | execution | scope | pipeline | batch | measured | "
              "predicted | error |")
        print("|---|---|---|---|---|---|---|---|---|")
        for x in pairs:
            print("| %s | %s | %s | %s | %s | %d | %.3f | %.3f | %s |"
                  % (x["model"], x["precision"], x["execution"], x["scope"], x["pipeline"],
                     x["batch"], x["measured"], x["predicted"], pct(x["error"])))


# ---------------------------------------------------------------- self-test


def self_test():
    """Join, grouping and ratios on TEST FIXTURE records and validate points (no vitperf)."""
    def rec(i, name, autocast, execution, batch, compute_only=True, pipeline="sequential"):
        c = {"name": name, "precision": "fp16", "image_height": 224}
        if autocast:
            c["autocast"] = True
        return {"kind": "pipeline", "status": "ok", "id": "pl-%d" % i, "batch": batch,
                "config": c, "options": {"execution": execution, "compute_only": compute_only,
                                         "pipeline": pipeline}}

    records = [rec(1, "a", True, "eager", 1), rec(2, "a", False, "eager", 1),
               rec(3, "a", True, "graph", 256), rec(4, "a", False, "graph", 256),
               rec(5, "a", True, "eager", 64, False, "overlapped"),
               rec(6, "a", False, "eager", 64, False, "overlapped"),
               rec(7, "a", True, "eager", 64, False, "sequential"),  # no cast partner
               rec(8, "b", False, "eager", 1),  # no autocast partner
               dict(rec(9, "a", True, "eager", 16), status="error"),  # not ok: left out
               {"kind": "probe", "status": "ok", "id": "pr-1"}]
    # (measured, predicted) images/s per id.
    ips = {1: (80, 88), 2: (100, 120), 3: (900, 900), 4: (1000, 950), 5: (50, 45), 6: (60, 60),
           7: (55, 55), 8: (10, 11), 9: (1, 1)}
    points = [{"id": "pl-%d" % i, "measured_ips": m, "predicted_ips": p}
              for i, (m, p) in ips.items()]
    rows = join(records, points)
    assert len(rows) == 8, rows
    r1 = next(r for r in rows if r["key"] == pair_key(records[0]) and r["autocast"])
    assert abs(r1["error"] - 0.1) < 1e-12, r1
    assert pair_key(records[0]) == pair_key(records[1]) != pair_key(records[6])

    pairs = autocast_pairs(rows)
    got = {(x["execution"], x["scope"], x["batch"]): x for x in pairs}
    assert set(got) == {("eager", "compute-only", 1), ("graph", "compute-only", 256),
                        ("eager", "end to end", 64)}, got
    x = got[("eager", "compute-only", 1)]
    assert abs(x["measured"] - 0.8) < 1e-12 and abs(x["predicted"] - 88 / 120) < 1e-12, x
    assert abs(x["error"] - (88 / 120) / 0.8 + 1) < 1e-12, x
    assert abs(got[("eager", "end to end", 64)]["predicted"] - 0.75) < 1e-12

    by_batch, whole = mape_table(rows)
    w = {k[:3]: k[3] for k in whole}
    assert w[(True, "eager", "compute-only")]["n"] == 1
    assert abs(w[(False, "eager", "compute-only")]["mape"] - (0.2 + 0.1) / 2) < 1e-12, w
    assert abs(w[(False, "graph", "compute-only")]["signed"] + 0.05) < 1e-12, w
    assert [k[:3] for k in whole][0] == (True, "eager", "compute-only"), whole  # on first
    b = {k[:4]: k[4] for k in by_batch}
    assert len(b) == 6, by_batch  # both end-to-end autocast points share one group
    e2e = b[(True, "eager", "end to end", 64)]
    assert e2e["n"] == 2 and abs(e2e["mape"] - 0.05) < 1e-12 and abs(e2e["signed"] + 0.05) < 1e-12

    summ = ratio_summary(pairs, ("execution", "scope"))
    assert [t[:2] for t in summ] == [("eager", "compute-only"), ("eager", "end to end"),
                                     ("graph", "compute-only")], summ
    # Python over C++: matched by timm's preset name, precision, autocast and batch.
    for r in records:
        if "config" in r:
            r["compute"] = {"median_ms": 2.0}
            r["config"]["name"] = {"a": "vit_s16"}.get(r["config"]["name"], r["config"]["name"])

    def trec(model, setting, batch, ms, execution="eager"):
        return {"schema": TIMM_SCHEMA, "kind": "point", "status": "ok", "model": model,
                "res": 224, "batch": batch, "setting": setting,
                "precision": setting.split("-")[-1], "autocast": setting.startswith("autocast"),
                "execution": execution, "compute": {"median_ms": ms}}

    timm = [trec("vit_small_patch16_224", "autocast-fp16", 1, 3.0),  # vs pl-1: 1.5
            trec("vit_small_patch16_224", "fp16", 1, 2.5),  # vs pl-2: 1.25
            trec("vit_small_patch16_224", "fp16", 256, 2.0, "compiled"),  # not eager
            trec("vit_small_patch16_224", "bf16", 1, 9.0),  # no bf16 C++ point
            trec("b", "fp16", 1, 4.0)]  # vs pl-8 (zoo name on both sides): 2.0
    got = python_over_cxx(records, timm)
    assert got == [("autocast-fp16", 1, [1.5]), ("fp16", 1, [1.25, 2.0])], got
    print("autocast_study_table.py self-test: ok")
    return 0


# ---------------------------------------------------------------- main


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="JSONL files of vitperf measure -e autocast_study")
    ap.add_argument("--profile", default=os.path.join(ROOT, "data", "calibration", "h200.json"),
                    help="profile to validate against (default data/calibration/h200.json)")
    ap.add_argument("--binary", default=default_binary(),
                    help="vitperf (default: $VITPERF_BINARY, else build/cli/vitperf)")
    ap.add_argument("--rows", action="store_true", help="list every autocast/cast pair")
    ap.add_argument("--timm", action="append", default=[], metavar="FILE",
                    help="records of scripts/timm_amp_study.py: Python's time over C++'s "
                         "(repeatable)")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    if not a.files:
        print("autocast_study_table.py: error: files: none given", file=sys.stderr)
        return 2
    for f in a.files + a.timm:
        if not os.path.isfile(f):
            print("autocast_study_table.py: error: files: '%s' is not a file" % f,
                  file=sys.stderr)
            return 2
    try:
        points = validate_points(a.binary, a.profile, a.files)
    except (OSError, RuntimeError, ValueError) as e:
        print("autocast_study_table.py: error: vitperf validate: %s" % e, file=sys.stderr)
        return 2
    records = [r for f in a.files for r in read_jsonl(f)]
    rows = join(records, points)
    timm_ratios = python_over_cxx(records, [t for f in a.timm for t in read_jsonl(f)])
    print_tables(rows, autocast_pairs(rows), a.rows, timm_ratios)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
