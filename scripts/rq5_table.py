#!/usr/bin/env python3
"""The RQ5 tables (issue 24) for the README and docs/rq5.md, computed from the records of
`vitperf measure -e rq5_pipeline` and, when given, the side-by-side comparison written by
scripts/python_pipeline_compare.py. Markdown on stdout; nothing is edited by hand.

Tables:
  1. pipeline efficiency = end-to-end throughput / compute-only throughput of the same record's
     execution mode (its `compute`: the forward pass alone on a device-resident input), sequential
     and overlapped, per model, resolution and execution mode;
  2. recommended queue depth and producer count per model: the smallest that reach 99% of the
     best overlapped throughput measured for that model at 224 px, batch 256 (with what was
     measured);
  3. the side by side with Python (ratios);
  4. where the remaining gap is: the slowest stage (median per batch) of each model's best
     overlapped record, its share of the batch period, and the efficiency;
  5. latency p50/p90/p99 of a batch [ms] at batch 1 and at each model's throughput-optimal batch,
     sequential and overlapped;
  6. input format and host memory (uint8 vs float32, pinned vs pageable), sequential and
     overlapped.

Usage: rq5_table.py RQ5.jsonl [--comparison h200-pipeline_vs_python.json] [--readme]
                    [--since 2026-12-05T03:40] [--until 2026-12-05T04:00]
       rq5_table.py --self-test
--readme prints only the README's summary: one row per model at 224 px, batch 256.
--since keeps the records measured at or after that UTC time, --until those before it (the file
holds every run).
Exit status: 0, or 2 for a missing or unreadable file.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jsonl_records import measured_since, pipeline_e2e_ips, read_jsonl, since_error  # noqa: E402

MODELS = ("vit_s16", "vit_b16", "vit_b32", "vit_l16")


def ok_pipeline(records):
    return [r for r in records if r.get("kind") == "pipeline" and r.get("status") == "ok"]


def compute_ips(r):
    m = r.get("compute", {}).get("median_ms", 0)
    return r["batch"] / (m * 1e-3) if m > 0 else 0.0


def efficiency(r):
    c = compute_ips(r)
    return pipeline_e2e_ips(r) / c if c > 0 else None


def res(r):
    return r["config"]["image_height"]


def start(r):
    return r["options"].get("start", "pageable")


def is_standard(r):
    """uint8 into pinned buffers, not compute-only: the pipeline as deployed."""
    o = r["options"]
    return o.get("input") == "uint8" and o.get("host_memory") == "pinned" and not o.get(
        "compute_only")


def best(records, key=pipeline_e2e_ips):
    return max(records, key=key) if records else None


def fmt(x, digits=0):
    if x is None:
        return "-"
    return ("%." + str(digits) + "f") % x


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def efficiency_table(recs):
    rows = []
    groups = {}
    for r in recs:
        if not is_standard(r) or start(r) != "pageable":
            continue
        key = (r["config"]["name"], res(r), r["batch"], r["options"]["execution"])
        groups.setdefault(key, []).append(r)
    for key in sorted(groups, key=lambda k: (k[1], MODELS.index(k[0]) if k[0] in MODELS else 9,
                                             k[0], k[2], k[3])):
        if key[2] == 1:
            continue  # batch 1 is the latency table's
        g = groups[key]
        seq = best([r for r in g if r["options"]["pipeline"] == "sequential"])
        ovl = best([r for r in g if r["options"]["pipeline"] == "overlapped"])
        ref = ovl or seq
        rows.append([key[0], key[1], key[2], key[3], fmt(compute_ips(ref)),
                     fmt(pipeline_e2e_ips(seq)) if seq else "-",
                     fmt(efficiency(seq), 3) if seq else "-",
                     fmt(pipeline_e2e_ips(ovl)) if ovl else "-",
                     fmt(efficiency(ovl), 3) if ovl else "-",
                     "q%d/t%d" % (ovl["options"]["queue_depth"],
                                  ovl["options"]["producer_threads"]) if ovl else "-"])
    return table(["model", "res", "batch", "execution", "compute img/s", "sequential img/s",
                  "seq. efficiency", "overlapped img/s", "ovl. efficiency", "best ring"], rows)


def recommended_ring(recs, name, near=0.99):
    """(pick, best, records) for one model: the smallest queue depth and producer count whose
    overlapped throughput reaches `near` of the best measured at 224 px, batch 256, from pageable
    images; None when none was measured."""
    g = [r for r in recs if r["config"]["name"] == name and is_standard(r)
         and start(r) == "pageable" and res(r) == 224 and r["batch"] == 256
         and r["options"]["pipeline"] == "overlapped"]
    if not g:
        return None
    top = best(g)
    good = [r for r in g if pipeline_e2e_ips(r) >= near * pipeline_e2e_ips(top)]
    pick = min(good, key=lambda r: (r["options"]["queue_depth"],
                                    r["options"]["producer_threads"], -pipeline_e2e_ips(r)))
    return pick, top, g


def recommended_table(recs):
    rows = []
    names = sorted({r["config"]["name"] for r in recs},
                   key=lambda n: (MODELS.index(n) if n in MODELS else 9, n))
    for name in names:
        found = recommended_ring(recs, name)
        if not found:
            continue
        pick, top, g = found
        qs = sorted({r["options"]["queue_depth"] for r in g})
        ts = sorted({r["options"]["producer_threads"] for r in g})
        rows.append([name, pick["options"]["queue_depth"], pick["options"]["producer_threads"],
                     pick["options"]["execution"], fmt(pipeline_e2e_ips(pick)),
                     fmt(pipeline_e2e_ips(top)), fmt(efficiency(pick), 3),
                     ",".join(map(str, qs)), ",".join(map(str, ts))])
    return table(["model", "queue depth", "producers", "execution", "img/s", "best img/s",
                  "efficiency", "depths measured", "producers measured"], rows)


def side_by_side_table(comparison):
    rows = []
    for r in comparison["records"]:
        eff = (r["vitperf_e2e_ips"] / r["vitperf_compute_ips"]
               if r.get("vitperf_e2e_ips") and r.get("vitperf_compute_ips") else None)
        ratio = r.get("ratio_vitperf_to_python")
        rows.append([r["model"], r["start"], fmt(r.get("vitperf_e2e_ips")),
                     fmt(r.get("vitperf_compute_ips")), fmt(eff, 3),
                     r.get("vitperf_execution") or "-", fmt(r.get("python_best_e2e_ips")),
                     r.get("python_best_mode") or "-", fmt(ratio, 3)])
    return table(["model", "images start", "vitperf e2e img/s", "vitperf compute img/s",
                  "vitperf efficiency", "vitperf mode", "Python best e2e img/s", "Python mode",
                  "vitperf / Python"], rows)


def slowest_stage_table(recs):
    rows = []
    for name in MODELS:
        for s in ("pageable", "pinned"):
            g = [r for r in recs if r["config"]["name"] == name and is_standard(r)
                 and start(r) == s and res(r) == 224 and r["batch"] == 256
                 and r["options"]["pipeline"] == "overlapped"]
            r = best(g)
            if not r:
                continue
            stages = r.get("stage_ms", {})
            slowest = max(("preprocess", "h2d", "compute", "d2h"), key=lambda k: stages.get(k, 0))
            period_ms = r["batch"] / pipeline_e2e_ips(r) * 1e3
            # Means and maxima (records from 2026-12-05 on): a mean compute stage above the
            # median means held-up forward passes; a mean idle gap, a starved compute stream.
            mean = r.get("stage_mean_ms", {})
            peak = r.get("stage_max_ms", {})
            rows.append([name, s, r["options"]["execution"],
                         fmt(stages.get("preprocess"), 2), fmt(stages.get("h2d"), 2),
                         fmt(stages.get("compute"), 2), fmt(mean.get("compute"), 2),
                         fmt(peak.get("compute"), 2), fmt(mean.get("compute_idle"), 3),
                         fmt(stages.get("d2h"), 3),
                         fmt(period_ms, 2), slowest,
                         fmt(stages.get(slowest, 0) / period_ms, 3),
                         fmt(efficiency(r), 3)])
    return table(["model", "images start", "execution", "preprocess ms", "H2D ms",
                  "compute ms (median)", "compute ms (mean)", "compute ms (max)",
                  "compute idle ms (mean)", "D2H ms", "batch period ms", "slowest stage",
                  "slowest / period", "efficiency"], rows)


def latency_table(recs):
    rows = []
    for name in MODELS:
        g = [r for r in recs if r["config"]["name"] == name and is_standard(r)
             and start(r) == "pageable" and res(r) == 224]
        if not g:
            continue
        ovl_batches = [r for r in g if r["options"]["pipeline"] == "overlapped"]
        top = best(ovl_batches)
        for batch, why in ((1, "batch 1"), (top["batch"] if top else None, "throughput-optimal")):
            if batch is None:
                continue
            for pipeline in ("sequential", "overlapped"):
                cands = [r for r in g if r["batch"] == batch
                         and r["options"]["pipeline"] == pipeline]
                if batch == 1:
                    # The lowest-latency ring: latency at batch 1 is what it is measured for.
                    cands_sorted = sorted(cands, key=lambda r: r["latency"]["median_ms"])
                    chosen = cands_sorted[0] if cands_sorted else None
                else:
                    chosen = best(cands)
                if not chosen:
                    continue
                lat = chosen["latency"]
                ring = ("q%d/t%d" % (chosen["options"]["queue_depth"],
                                     chosen["options"]["producer_threads"])
                        if pipeline == "overlapped" else "-")
                rows.append([name, why, batch, pipeline, chosen["options"]["execution"], ring,
                             fmt(lat["median_ms"], 2), fmt(lat["p90_ms"], 2),
                             fmt(lat["p99_ms"], 2), fmt(pipeline_e2e_ips(chosen))])
    return table(["model", "batch kind", "batch", "pipeline", "execution", "ring", "p50 ms",
                  "p90 ms", "p99 ms", "img/s"], rows)


def normalize_on(r):
    return r["options"].get("normalize_on", "input_stream")


def normalize_table(recs):
    """The device normalisation on the input stream (beside the previous forward pass) against
    the compute stream (just before the forward pass): 224 px, batch 256, overlapped q4/t4."""
    rows = []
    for name in MODELS:
        for s in ("pageable", "pinned"):
            for execution in ("eager", "graph", "compiled"):
                g = [r for r in recs if r["config"]["name"] == name and is_standard(r)
                     and start(r) == s and res(r) == 224 and r["batch"] == 256
                     and r["options"]["pipeline"] == "overlapped"
                     and r["options"]["queue_depth"] == 4
                     and r["options"]["producer_threads"] == 4
                     and r["options"]["execution"] == execution]
                on_input = best([r for r in g if normalize_on(r) == "input_stream"])
                on_compute = best([r for r in g if normalize_on(r) == "compute_stream"])
                if not on_compute:
                    continue
                cells = [name, s, execution]
                for r in (on_input, on_compute):
                    cells += [fmt(r["stage_ms"].get("compute"), 2) if r else "-",
                              fmt(efficiency(r), 3) if r else "-"]
                rows.append(cells)
    return table(["model", "images start", "execution", "input stream: compute ms",
                  "input stream: efficiency", "compute stream: compute ms",
                  "compute stream: efficiency"], rows)


def input_memory_table(recs):
    rows = []
    for name in MODELS:
        g = [r for r in recs if r["config"]["name"] == name and res(r) == 224
             and normalize_on(r) == "input_stream"
             and r["batch"] == 256 and start(r) == "pageable"
             and r["options"].get("execution") == "graph"
             and r["options"]["queue_depth"] in (1, 4) and r["options"]["producer_threads"] == 4]
        for inp in ("uint8", "float32"):
            for mem in ("pinned", "pageable"):
                cells = []
                for pipeline in ("sequential", "overlapped"):
                    r = best([x for x in g if x["options"]["input"] == inp
                              and x["options"]["host_memory"] == mem
                              and x["options"]["pipeline"] == pipeline])
                    cells += [fmt(pipeline_e2e_ips(r)) if r else "-",
                              fmt(efficiency(r), 3) if r else "-"]
                if any(c != "-" for c in cells):
                    rows.append([name, inp, mem] + cells)
    return table(["model", "input", "host memory", "sequential img/s", "seq. efficiency",
                  "overlapped img/s", "ovl. efficiency"], rows)


def readme_table(recs, comparison):
    """One row per model for the README: compute-only and end-to-end throughput from both start
    states (efficiency), the ratio to the best Python loop, the recommended ring and the slowest
    stage of the best pageable record with its share of the batch period."""
    sides = {(r["model"], r["start"]): r for r in (comparison or {}).get("records", [])}
    rows = []
    for name in MODELS:
        cells = [name]
        best_of = {}
        for s in ("pageable", "pinned"):
            g = [r for r in recs if r["config"]["name"] == name and is_standard(r)
                 and start(r) == s and res(r) == 224 and r["batch"] == 256
                 and r["options"]["pipeline"] == "overlapped"]
            best_of[s] = best(g)
        top = best_of["pageable"] or best_of["pinned"]
        if not top:
            continue
        cells.append(fmt(compute_ips(top)))
        for s in ("pageable", "pinned"):
            r = best_of[s]
            cells.append("%s (%s)" % (fmt(pipeline_e2e_ips(r)), fmt(efficiency(r), 2))
                         if r else "-")
        for s in ("pageable", "pinned"):
            cells.append(fmt(sides.get((name, s), {}).get("ratio_vitperf_to_python"), 2))
        found = recommended_ring(recs, name)
        ring = ("q%d/t%d" % (found[0]["options"]["queue_depth"],
                             found[0]["options"]["producer_threads"]) if found else "-")
        stages = top.get("stage_ms", {})
        slowest = max(("preprocess", "h2d", "compute", "d2h"), key=lambda k: stages.get(k, 0))
        period_ms = top["batch"] / pipeline_e2e_ips(top) * 1e3
        cells += [ring, "%s %s" % (slowest, fmt(stages.get(slowest, 0) / period_ms, 2))]
        rows.append(cells)
    return table(["model", "compute img/s", "from pageable img/s (eff.)",
                  "from pinned img/s (eff.)", "/ Python, pageable", "/ Python, pinned", "ring",
                  "slowest stage / period"], rows)


def report(records, comparison):
    recs = ok_pipeline(records)
    prov = next((r for r in records if r.get("kind") == "provenance"), {})
    status = {}
    for r in records:
        if r.get("kind") == "pipeline":
            status[r.get("status")] = status.get(r.get("status"), 0) + 1
    out = ["# RQ5 tables",
           "",
           "Records: %s; device %s, git %s, first provenance %s." % (
               ", ".join("%s %d" % kv for kv in sorted(status.items())) or "none",
               prov.get("device_name", "?"), prov.get("git_revision", "?"),
               prov.get("time_utc", "?")),
           "",
           "## Pipeline efficiency (end-to-end / compute-only, same execution mode)", "",
           efficiency_table(recs), "",
           "## Recommended queue depth and producers (224 px, batch 256)", "",
           recommended_table(recs), ""]
    if comparison is not None:
        out += ["## Side by side with Python (timm, careful loop), batch %s, %s px, bf16" % (
            comparison.get("batch"), comparison.get("res")), "",
            side_by_side_table(comparison), ""]
    out += ["## Where the gap is: stages of the best overlapped record (224 px, batch 256)", "",
            slowest_stage_table(recs), "",
            "## Latency of a batch (224 px)", "",
            latency_table(recs), "",
            "## Input format and host memory (224 px, batch 256, graph)", "",
            input_memory_table(recs), "",
            "## Where the device normalises (224 px, batch 256, overlapped q4/t4)", "",
            normalize_table(recs), ""]
    return "\n".join(out)


def self_test():
    def rec(name, batch, pipeline, ips, compute_ms, q=4, t=4, execution="graph", s="pageable",
            inp="uint8", mem="pinned", r=224, lat=(10.0, 11.0, 12.0), stages=None):
        o = {"execution": execution, "input": inp, "host_memory": mem, "pipeline": pipeline,
             "queue_depth": q, "producer_threads": t, "compute_only": False, "numa": "none"}
        if s != "pageable":
            o["start"] = s
        return {"kind": "pipeline", "status": "ok", "id": "x",
                "config": {"name": name, "image_height": r, "image_width": r,
                           "precision": "bf16"},
                "batch": batch, "options": o, "throughput_ips": ips,
                "compute": {"median_ms": compute_ms},
                "latency": {"median_ms": lat[0], "p90_ms": lat[1], "p99_ms": lat[2]},
                "stage_ms": stages or {"preprocess": 1.0, "h2d": 0.8, "compute": 20.0,
                                       "d2h": 0.01}}
    recs = [
        rec("vit_b16", 256, "overlapped", 10000, 25.0, q=2),
        rec("vit_b16", 256, "overlapped", 12700, 20.0, q=4),
        rec("vit_b16", 256, "overlapped", 12750, 20.0, q=8),
        rec("vit_b16", 256, "sequential", 8000, 20.0, q=1),
        rec("vit_b16", 1, "sequential", 500, 1.5, q=1, t=1, lat=(2.0, 2.2, 2.5)),
        rec("vit_b16", 1, "overlapped", 900, 1.5, q=4, t=1, lat=(4.0, 4.1, 4.2)),
        rec("vit_b16", 1, "overlapped", 800, 1.5, q=2, t=1, lat=(2.5, 2.6, 2.7)),
        rec("vit_b16", 256, "overlapped", 3000, 20.0, inp="float32", mem="pinned"),
        {"kind": "pipeline", "status": "oom"},
        {"kind": "provenance", "device_name": "GPU", "git_revision": "abc"},
    ]
    rec_table = recommended_table(ok_pipeline(recs))
    # q4 reaches 99% of q8's 12750: recommended, with q2, q4, q8 measured.
    assert "| vit_b16 | 4 | 4 | graph | 12700 | 12750 |" in rec_table, rec_table
    assert "2,4,8" in rec_table, rec_table
    eff = efficiency_table(ok_pipeline(recs))
    # compute 256 / 20 ms = 12800 img/s; overlapped best 12750 -> 0.996; sequential 0.625.
    assert "| vit_b16 | 224 | 256 | graph | 12800 | 8000 | 0.625 | 12750 | 0.996 | q8/t4 |" \
        in eff, eff
    lat = latency_table(ok_pipeline(recs))
    assert "| vit_b16 | batch 1 | 1 | overlapped | graph | q2/t1 | 2.50 |" in lat, lat
    assert "| vit_b16 | throughput-optimal | 256 | sequential |" in lat, lat
    slow = slowest_stage_table(ok_pipeline(recs))
    assert "| compute |" in slow, slow
    # Without means (records before 2026-12-05) their cells are "-"; with them, shown.
    assert "| 20.00 | - | - | - |" in slow, slow
    spread = dict(recs[2], stage_mean_ms={"compute": 20.4, "compute_idle": 0.05},
                  stage_max_ms={"compute": 31.0, "compute_idle": 2.0})
    slow = slowest_stage_table(ok_pipeline([spread]))
    assert "| 20.00 | 20.40 | 31.00 | 0.050 |" in slow, slow
    on_compute = dict(recs[1], options=dict(recs[1]["options"], normalize_on="compute_stream"),
                      throughput_ips=12790, stage_ms={"compute": 20.1})
    norm = normalize_table(ok_pipeline(recs + [on_compute]))
    # q4's input-stream record (12700 over 12800) beside the compute-stream one (12790).
    assert "| vit_b16 | pageable | graph | 20.00 | 0.992 | 20.10 | 0.999 |" in norm, norm
    assert "| vit_b16 |" not in normalize_table(ok_pipeline(recs)), "no compute-stream record"
    im = input_memory_table(ok_pipeline(recs + [on_compute]))
    assert "| vit_b16 | float32 | pinned | - | - | 3000 | 0.234 |" in im, im
    comp = {"batch": 256, "res": 224, "records": [
        {"model": "vit_b16", "start": "pinned", "vitperf_e2e_ips": 11000.0,
         "vitperf_compute_ips": 11200.0, "vitperf_execution": "graph",
         "python_best_e2e_ips": 10000.0, "python_best_mode": "compile",
         "ratio_vitperf_to_python": 1.1}]}
    side = side_by_side_table(comp)
    assert "| vit_b16 | pinned | 11000 | 11200 | 0.982 | graph | 10000 | compile | 1.100 |" \
        in side, side
    summary = readme_table(ok_pipeline(recs), comp)
    # pageable best 12750 over compute 256 / 20 ms; no pinned record; q4/t4 recommended.
    assert "| vit_b16 | 12800 | 12750 (1.00) | - | - | 1.10 | q4/t4 | compute 1.00 |" \
        in summary, summary
    text = report(recs, comp)
    assert "Records: ok 8, oom 1; device GPU, git abc" in text, text.splitlines()[2]
    old = dict(recs[1], provenance={"time_utc": "2026-12-04T20:44:36Z"})
    new = dict(recs[2], provenance={"time_utc": "2026-12-05T03:39:02.699605+00:00"})
    assert measured_since([old, new], "2026-12-05T03:39") == [new]
    assert measured_since([old, new], "") == [old, new]
    assert measured_since([old, new], "", "2026-12-05T03:39") == [old]
    assert measured_since([old, new], "2026-12-04", "2026-12-05T04") == [old, new]
    print("rq5_table.py self-test: ok")
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("records", nargs="?", help="JSONL of `vitperf measure -e rq5_pipeline`")
    ap.add_argument("--comparison", help="h200-pipeline_vs_python.json")
    ap.add_argument("--readme", action="store_true",
                    help="only the README's one-row-per-model summary")
    ap.add_argument("--since", default="",
                    help="UTC 'YYYY-MM-DD[THH:MM]': only the records measured at or after it")
    ap.add_argument("--until", default="",
                    help="UTC 'YYYY-MM-DD[THH:MM]': only the records measured before it")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    for field, value in (("since", a.since), ("until", a.until)):
        if since_error(value, field):
            print("rq5_table.py: " + since_error(value, field), file=sys.stderr)
            return 2
    if not a.records:
        print("rq5_table.py: records: the JSONL file is required", file=sys.stderr)
        return 2
    for path in [a.records] + ([a.comparison] if a.comparison else []):
        if not os.path.isfile(path):
            print("rq5_table.py: '%s' is not a file" % path, file=sys.stderr)
            return 2
    comparison = None
    if a.comparison:
        with open(a.comparison, "r", encoding="utf-8") as f:
            try:
                comparison = json.load(f)
            except ValueError as e:
                print("rq5_table.py: comparison: %s is not JSON (%s)" % (a.comparison, e),
                      file=sys.stderr)
                return 2
    records = measured_since(read_jsonl(a.records), a.since, a.until)
    if a.readme:
        print(readme_table(ok_pipeline(records), comparison))
        return 0
    print(report(records, comparison))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
