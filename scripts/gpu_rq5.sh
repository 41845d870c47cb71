#!/usr/bin/env bash
# RQ5 on the GPU host (issue 24), in one device call under a wall-clock deadline: the build,
# the C++ pipeline study (data/experiments/rq5_pipeline.json) and the Python side by side
# (scripts/python_pipeline_compare.py: timm eager and torch.compile with a careful user's loop),
# then the tables (scripts/rq5_table.py).
#
# Run from the repository root with $OUT set (carry .deps: the header-only dependencies and
# .deps/git_revision, written by scripts/stamp_revision.sh before the call):
#   scripts/gpu_rq5.sh          # everything, in priority order, stopping by the deadline
# Order: build (scripts/gpu_build.sh); the C++ points the comparison and the latency table need
# (sweeps side_by_side, normalize_compute, sequential_224, latency, latency_sequential, and the
# h2d/d2h probes); with RQ5_COMPILED=1 (the default), side_by_side and normalize_compute again
# with AOTInductor packages
# (execution=compiled: packages built by scripts/aoti_compile.py into build-gpu/aoti, which stay
# on the host for a second call); the Python loops; the rest of the C++ study; the comparison
# again over every record; tables.
# Every C++ point is appended to $OUT/rq5_pipeline.jsonl as it is measured and every Python point
# to $OUT/python_pipeline.jsonl; a stage cut by the deadline stops after its current point.
# A second call finishes what the first left: place the first call's rq5_pipeline.jsonl and
# python_pipeline.jsonl in a folder of the tree and name it in RQ5_RESUME_DIR; they are copied to
# $OUT and resumed (points measured there are not measured again; skipped ones are tried
# again). Without it a run starts afresh.
#
# Environment: RQ5_RESUME_DIR (unset: a fresh run), RQ5_DEADLINE_S (default 585: seconds from
# the start to finish everything),
# RQ5_PY_RESERVE_S (default 180: kept for the Python stage when the first C++ stage starts),
# RQ5_COMPILED (default 1; 0 skips the compiled points), RQ5_RQ3_PROBES (default 1; 0 skips
# rq3_compiled's micro-probes).
set -uo pipefail
[ -n "${OUT:-}" ] || { echo "gpu_rq5.sh: OUT: set it to the folder results go to" >&2; exit 2; }
case "${RQ5_DEADLINE_S:-585}${RQ5_PY_RESERVE_S:-180}" in
  *[!0-9]*)
    echo "gpu_rq5.sh: RQ5_DEADLINE_S, RQ5_PY_RESERVE_S: whole seconds expected" >&2
    exit 2
    ;;
esac
case "${RQ5_COMPILED:-1}" in
  0 | 1) ;;
  *)
    echo "gpu_rq5.sh: RQ5_COMPILED: 0 or 1 expected" >&2
    exit 2
    ;;
esac
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
mkdir -p "$OUT"
start=$(date +%s)
deadline=$((start + ${RQ5_DEADLINE_S:-585}))
since() { echo "$(($(date +%s) - start)) s"; }
left() { echo $((deadline - $(date +%s))); }
# A positive number of seconds for `timeout`: what is left minus a reserve, at least $2.
budget() {
  local b=$(($(left) - $1))
  [ "$b" -lt "$2" ] && b=$2
  echo "$b"
}

V=build-gpu/cli/vitperf
J="$OUT/rq5_pipeline.jsonl"
P="$OUT/python_pipeline.jsonl"
# The comparison file is named after the GPU it ran on (h200, h100, ...): a call may get either.
gpu_tag=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import timm_amp_study as s
print(s.gpu_short_name(sys.argv[1]))' "$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)")
gpu_tag=${gpu_tag:-gpu}
C="$OUT/$gpu_tag-pipeline_vs_python.json"
resume_dir=${RQ5_RESUME_DIR:-}
for f in rq5_pipeline.jsonl python_pipeline.jsonl; do
  if [ -n "$resume_dir" ] && [ ! -f "$OUT/$f" ] && [ -f "$resume_dir/$f" ]; then
    cp "$resume_dir/$f" "$OUT/$f"
    echo "resuming $f ($(grep -c . "$OUT/$f") lines)"
  fi
done

nvidia-smi --query-gpu=name,driver_version,memory.total,pci.bus_id --format=csv,noheader \
  | tee "$OUT/gpu.txt"
python3 -c 'import torch, timm; print("torch", torch.__version__, "cuda", torch.version.cuda, "timm", timm.__version__)' \
  | tee -a "$OUT/gpu.txt"

# ---- build ----
if ! scripts/gpu_build.sh >"$OUT/build.log" 2>&1; then
  tail -60 "$OUT/build.log"
  echo "gpu_rq5.sh: build failed after $(since)" >&2
  exit 1
fi
echo "build done after $(since)"

AOTI=build-gpu/aoti
measure() {  # measure SECONDS [overrides...]
  local seconds=$1
  shift
  timeout -s TERM -k 30 "${seconds}s" "$V" measure -e rq5_pipeline --device cuda:0 --cupti off \
    --aoti-dir "$AOTI" -o "$J" --resume "$@" 2>>"$OUT/measure.log" | tail -3
}

# ---- the points the comparison and the latency table need ----
# With the compiled points on, this stage also leaves them 180 s: ~110 for the packages, ~70 to
# measure them (the 10:36 run on 2026-12-05 gave the first stage everything and the packages 30 s).
compiled_reserve_s=0
[ "${RQ5_COMPILED:-1}" = 1 ] && compiled_reserve_s=180
measure "$(budget $((${RQ5_PY_RESERVE_S:-180} + compiled_reserve_s)) 30)" \
  sweep=side_by_side,normalize_compute,sequential_224,latency,latency_sequential
echo "C++ side_by_side and latency done after $(since)"

# ---- the compiled side_by_side (AOTInductor packages of the four models, default mode) ----
if [ "${RQ5_COMPILED:-1}" = 1 ]; then
  mkdir -p "$AOTI"
  "$V" measure -e rq5_pipeline --device cuda:0 --aoti-dir "$AOTI" --aoti-prepare \
    sweep=side_by_side,normalize_compute execution=compiled >>"$OUT/measure.log" 2>&1 \
    || echo "gpu_rq5.sh: --aoti-prepare failed (see measure.log)" >&2
  # The four packages take 90-100 s each, built four at once (sidecars in rq5_aoti/); with less, the
  # compile is cut and every compiled point skipped (the 10:36 run, deadline 440 s, gave it 30).
  compile_s=$(budget $((${RQ5_PY_RESERVE_S:-180} + 60)) 30)
  [ "$compile_s" -lt 100 ] && echo "gpu_rq5.sh: $compile_s s left for the AOTInductor packages," \
    "which take about 100: raise RQ5_DEADLINE_S for the compiled points" >&2
  python3 scripts/aoti_compile.py "$AOTI" --jobs 4 --only default \
    --deadline "$compile_s" >"$OUT/aoti_compile.log" 2>&1 \
    || tail -5 "$OUT/aoti_compile.log"
  measure "$(budget "${RQ5_PY_RESERVE_S:-180}" 30)" sweep=side_by_side,normalize_compute \
    execution=compiled
  echo "C++ compiled side_by_side done after $(since)"
fi

# ---- the Python side by side ----
# --time-budget: start no new model once it is spent (a model's torch.compile takes 15-20 s).
# The four models take ~100 s (L/16 last, ~35 s): start no model in the last 60 s.
py_budget=$(budget 60 20)
timeout -s TERM -k 15 "$(budget 30 30)s" python3 scripts/python_pipeline_compare.py \
  -o "$C" --python-jsonl "$P" --vitperf-jsonl "$J" --time-budget "$py_budget" \
  2>&1 | tee "$OUT/python_pipeline_compare.log" | tail -12
echo "Python side by side done after $(since)"

# ---- rq3_compiled's micro-probes (gelu beside device_copy, launch; about 15 s), for issue 23:
# how much of the streaming rate an erf GELU keeps. Appended to data/measurements/<gpu>/
# rq3_compiled.jsonl; RQ5_RQ3_PROBES=0 skips them.
if [ "${RQ5_RQ3_PROBES:-1}" = 1 ]; then
  timeout -s TERM -k 10 60s "$V" measure -e rq3_compiled --device cuda:0 sweep=none \
    -o "$OUT/$gpu_tag-rq3-probes.jsonl" --resume >>"$OUT/measure.log" 2>&1 \
    || echo "gpu_rq5.sh: rq3_compiled probes failed (see measure.log)" >&2
  echo "rq3_compiled probes done after $(since)"
fi

# ---- the rest of the study ----
measure "$(budget 25 10)"
echo "C++ study done after $(since)"

# ---- the comparison over every record, and the tables ----
python3 scripts/python_pipeline_compare.py --compare-only -o "$C" --python-jsonl "$P" \
  --vitperf-jsonl "$J" >/dev/null 2>&1 || true
python3 scripts/rq5_table.py "$J" --comparison "$C" >"$OUT/rq5_tables.md" 2>"$OUT/rq5_table.err" \
  || tail -3 "$OUT/rq5_table.err"
tail -40 "$OUT/rq5_tables.md"
python3 - "$J" <<'PY'
import collections, json, sys
count = collections.Counter()
for line in open(sys.argv[1]):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    if j.get("kind") == "pipeline":
        count[j.get("status")] += 1
print("pipeline records by status:", dict(count))
PY
# The device returns at most 8 files from $OUT (2026-12-05: a run that left 11 lost
# rq5_pipeline.jsonl): drop the build log of a build that worked, fold the compile log into
# measure.log, and drop an empty error file.
rm -f "$OUT/build.log"
if [ -f "$OUT/aoti_compile.log" ]; then
  cat "$OUT/aoti_compile.log" >>"$OUT/measure.log" && rm -f "$OUT/aoti_compile.log"
fi
[ -s "$OUT/rq5_table.err" ] || rm -f "$OUT/rq5_table.err"
echo "files in \$OUT: $(find "$OUT" -maxdepth 1 -type f | wc -l) (8 come back at most)"
echo "gpu_rq5.sh took $(since)"
