#!/usr/bin/env python3
"""One-time migration of data/measurements/ to one JSONL file per GPU and experiment.

Moves records, never changes one: every line of the old files lands, in the same order, in
data/measurements/<gpu>/<experiment>.jsonl, with one field added, the run id ("run_id" in a
provenance line, "provenance.run_id" in a record). A run is one stint of measuring on one
machine: the records of one host boot (provenance "host_boot_id") where they carry one, else
those of one old file label. Its id is the GPU, the UTC date and the start time [HHMM] of its
earliest record, e.g. "h100-2026-11-24-0048".

The old files of one experiment are concatenated in byte order of their names, the order in
which the fit and validate commands read them (a shell glob in the C locale, Python's sorted,
std::sort), so that every consumer reads the same records in the same order as before.

Studies that are not fitted (repeatability, diagnostics, NUMA) move under data/measurements/
studies/. Checks at the end: every old line is in the new files, equal to the old record but for
the run id, and no run id names two runs.

Usage: python3 scripts/migrate_measurements.py [--dry-run]
"""
import argparse
import collections
import json
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
M = ROOT / "data/measurements"
# Experiment names as the files spelled them -> the new file name.
EXPERIMENTS = {"calibration": "calibration", "campaign": "campaign", "quick_test": "quick_test",
               "staging_study": "staging_study", "attention_check": "attention_check",
               "attention_bias": "attention_bias", "layout_study": "layout_study",
               "simt_check": "simt_check", "timm_compare": "timm_compare",
               "zoo_study": "zoo_study", "rq3-compiled": "rq3_compiled",
               "rq3-torch-compile": "rq3_torch_compile"}
OLD_LABEL = re.compile(r"^(?P<gpu>[a-z0-9]+)-(?P<exp>" +
                       "|".join(re.escape(e) for e in sorted(EXPERIMENTS, key=len, reverse=True))
                       + r")(?:-(?P<label>.+))?\.jsonl$")
# Whole folders and single files that only move (studies that are not fitted).
MOVES = {
    "repeatability": "studies/repeatability",
    "diagnostics": "studies/diagnostics",
    "numa": "studies/numa",
    "h200-rq3-aoti": "h200/rq3_aoti",
}
# Folder names that said how the project booked the machine, renamed by what they hold.
RENAMES = {"studies/repeatability/lease1": "studies/repeatability/h100-2026-11-23"}


def provenance_of(rec):
    if rec.get("kind") == "provenance":
        return rec
    p = rec.get("provenance")
    return p if isinstance(p, dict) else rec


def with_run_id(rec, run_id):
    out = dict(rec)
    if rec.get("kind") == "provenance" or not isinstance(rec.get("provenance"), dict):
        out["run_id"] = run_id
    else:
        out["provenance"] = dict(rec["provenance"], run_id=run_id)
    return out


def group_key(gpu, path, label, rec, exp):
    boot = provenance_of(rec).get("host_boot_id")
    if boot:
        return (gpu, "boot", boot)
    if label is not None and label.startswith("lease"):
        return (gpu, "label", label)
    if label is None and exp in ("calibration", "campaign", "quick_test"):
        return (gpu, "label", "")  # the first full run, its files named without a label
    return (gpu, "file", path.name)


def read_lines(path):
    return [line for line in path.read_text().split("\n") if line.strip()]


def plan_files(src_dir):
    """(old path, gpu, new experiment, label) for the run files, in byte order of their names."""
    out = []
    for path in sorted(src_dir.glob("*.jsonl"), key=lambda p: p.name.encode()):
        m = OLD_LABEL.match(path.name)
        if not m:
            raise SystemExit(f"{path.name}: not <gpu>-<experiment>[-<label>].jsonl")
        out.append((path, m["gpu"], EXPERIMENTS[m["exp"]], m["label"]))
    return out


def run_ids(groups):
    """Group key -> run id from the GPU and the earliest time of the group's lines."""
    ids = {}
    for key, times in groups.items():
        t = min(times)
        ids[key] = f"{key[0]}-{t[0:10]}-{t[11:13]}{t[14:16]}"
    seen = collections.Counter(ids.values())
    # Two runs starting in one minute on one GPU: tell them apart by their order.
    for key in sorted(ids, key=lambda k: min(groups[k])):
        if seen[ids[key]] > 1:
            n = sum(1 for k in ids if ids[k].startswith(ids[key] + "-")) + 1
            ids[key] = f"{ids[key]}-{n}"
    return ids


def migrate_jsonl_files(entries, dest_of):
    """entries: (path, gpu, label, experiment); dest_of(entry) -> new path.
    Returns ({new path: lines}, {group key: run id}, {group key: times})."""
    groups = collections.defaultdict(list)
    parsed = []
    for path, gpu, label, exp in entries:
        lines = []
        for line in read_lines(path):
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                lines.append((line, None, None))  # a torn line moves as it is
                continue
            key = group_key(gpu, path, label, rec, exp)
            t = provenance_of(rec).get("time_utc")
            if t:
                groups[key].append(t)
            lines.append((line, rec, key))
        parsed.append(((path, gpu, label, exp), lines))
    ids = run_ids(groups)
    out = collections.OrderedDict()
    for entry, lines in parsed:
        dest = dest_of(entry)
        new = out.setdefault(dest, [])
        for line, rec, key in lines:
            if rec is None:
                new.append(line)
                continue
            new.append(json.dumps(with_run_id(rec, ids[key]), separators=(",", ":"),
                                  ensure_ascii=False))
    return out, ids, groups


def check(old_lines, new_lines):
    """Every old line is the new line without its run id."""
    assert len(old_lines) == len(new_lines), (len(old_lines), len(new_lines))
    for a, b in zip(old_lines, new_lines):
        try:
            ra = json.loads(a)
        except json.JSONDecodeError:
            assert a == b
            continue
        rb = json.loads(b)
        if "run_id" in rb:
            rb.pop("run_id")
        else:
            rb["provenance"].pop("run_id")
        assert ra == rb, a[:200]


def git_mv(src, dst, dry):
    print(f"move {src.relative_to(ROOT)} -> {dst.relative_to(ROOT)}")
    if not dry:
        dst.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "mv", str(src), str(dst)], cwd=ROOT, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args()

    # 1. The per-GPU runs: one file per GPU and experiment.
    plan = plan_files(M)
    entries = [(p, gpu, label, exp) for p, gpu, exp, label in plan]
    out, ids, groups = migrate_jsonl_files(entries, lambda e: M / e[1] / (e[3] + ".jsonl"))
    old_by_new = collections.defaultdict(list)
    for p, gpu, exp, label in plan:
        old_by_new[M / gpu / (exp + ".jsonl")].extend(read_lines(p))
    for dest, lines in out.items():
        check(old_by_new[dest], lines)
        sources = [p.name for p, gpu, exp, label in plan if M / gpu / (exp + ".jsonl") == dest]
        print(f"{dest.relative_to(ROOT)} <- {len(sources)} files, {len(lines)} lines")
    mapping = collections.defaultdict(set)
    for p, gpu, exp, label in plan:
        for line in read_lines(p):
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            mapping[p.name].add(ids[group_key(gpu, p, label, rec, exp)])
    if not a.dry_run:
        for dest, lines in out.items():
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text("\n".join(lines) + "\n")
        for p, *_ in plan:
            subprocess.run(["git", "rm", "-q", str(p)], cwd=ROOT, check=True)
        for dest in out:
            subprocess.run(["git", "add", str(dest)], cwd=ROOT, check=True)

    # 2. Studies and other folders: moved whole, their JSONL records given run ids in place.
    for src, dst in MOVES.items():
        if (M / src).exists():
            git_mv(M / src, M / dst, a.dry_run)
    for src, dst in RENAMES.items():
        if (M / src).exists():
            git_mv(M / src, M / dst, a.dry_run)
    if not a.dry_run:
        # vitperf's own records only; the diagnostic scripts' outputs move as they are.
        study_files = [p for p in sorted((M / "studies").rglob("*.jsonl"))
                       if '"schema":"vitperf.measurement"' in p.read_text().split("\n", 1)[0]]
        entries = []
        for p in study_files:
            gpu = p.name.split("-")[0]
            entries.append((p, gpu, None, "study"))
        out2, ids2, _ = migrate_jsonl_files(entries, lambda e: e[0])
        for dest, lines in out2.items():
            check(read_lines(dest), lines)
            dest.write_text("\n".join(lines) + "\n")
            subprocess.run(["git", "add", str(dest)], cwd=ROOT, check=True)
            mapping["studies/" + str(dest.relative_to(M / "studies"))] |= set(
                json.loads(l).get("run_id") or json.loads(l)["provenance"]["run_id"]
                for l in lines if l.startswith("{"))

    # The old name -> run ids map, for data/measurements/README.md.
    print("\nold file -> run ids")
    for name in sorted(mapping):
        print(f"{name}\t{' '.join(sorted(mapping[name]))}")


if __name__ == "__main__":
    main()
