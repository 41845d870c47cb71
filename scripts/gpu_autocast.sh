#!/usr/bin/env bash
# Autocast on the GPU host: the C++ study (data/experiments/autocast_study.json: vitperf's own
# ViTs as timm's --amp runs them, fp32 module under torch.autocast, against the same models cast,
# eager and CUDA graph), then timm's ViTs under autocast and cast, eager and torch.compile
# (scripts/timm_amp_study.py), then vitperf's predictions beside the timm points
# (scripts/timm_amp_compare.py). Nothing here is fitted: both are held-out tests of the autocast
# model (docs/compiled-execution.md, "Autocast on the H200 (2026-12-05)").
#
# Run from the repository root with $OUT set (carry .deps: the header-only dependencies and
# .deps/git_revision, written here by scripts/stamp_revision.sh before the call):
#   scripts/gpu_autocast.sh all      # call 1: build, the C++ study (~3 min), the timm study until
#                                    # the deadline (eager points first), the comparison
#   AMP_RESUME_DIR=DIR scripts/gpu_autocast.sh python
#                                    # call 2: the timm points call 1 left (its torch.compile
#                                    # points), the comparison over every point
#   scripts/gpu_autocast.sh cxx      # the build and the C++ study alone
# Every point is appended as it is measured. A later call on a fresh machine finishes an earlier
# one's files: place that call's $OUT files in a folder of the tree (untracked files travel) and
# name it in AMP_RESUME_DIR; h200-autocast-study.jsonl and h200-timm-amp.jsonl found there are
# copied to $OUT and resumed (points already there are not measured again).
# Outputs under $OUT (7 files at most): h200-autocast-study.jsonl and .log,
# h200-timm-amp.jsonl and .log, h200-timm-amp-comparison.json and .txt, build.log.
# Environment: AMP_DEADLINE_S (default 540: seconds from the start to finish everything),
# AMP_PY_BUDGET_S (a cap on the timm study's --time-budget; default: what the deadline leaves
# less 30 s for the comparison), AMP_PY_ARGS (more arguments of scripts/timm_amp_study.py, e.g.
# "--settings autocast-fp16,fp16" to drop the bf16 points), AMP_RESUME_DIR, RUN_ID (default
# <gpu>-<UTC date>-<HHMM>).
set -uo pipefail
stage=${1:-all}
case "$stage" in
  cxx | python | all) ;;
  *)
    echo "gpu_autocast.sh: stage: '$stage' is not one of cxx, python, all" >&2
    exit 2
    ;;
esac
[ -n "${OUT:-}" ] || { echo "gpu_autocast.sh: OUT: set it to the folder results go to" >&2; exit 2; }
case "${AMP_DEADLINE_S:-540}${AMP_PY_BUDGET_S:-0}" in
  *[!0-9]*)
    echo "gpu_autocast.sh: AMP_DEADLINE_S, AMP_PY_BUDGET_S: whole seconds expected" >&2
    exit 2
    ;;
esac
if [ -n "${AMP_RESUME_DIR:-}" ] && [ ! -d "$AMP_RESUME_DIR" ]; then
  echo "gpu_autocast.sh: AMP_RESUME_DIR: '$AMP_RESUME_DIR' is not a folder" >&2
  exit 2
fi
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
mkdir -p "$OUT"
start=$(date +%s)
deadline=$((start + ${AMP_DEADLINE_S:-540}))
since() { echo "$(($(date +%s) - start)) s"; }
# A positive number of seconds: what the deadline leaves minus a reserve, at least $2.
budget() {
  local b=$((deadline - $(date +%s) - $1))
  [ "$b" -lt "$2" ] && b=$2
  echo "$b"
}

C="$OUT/h200-autocast-study.jsonl"
P="$OUT/h200-timm-amp.jsonl"
CMP="$OUT/h200-timm-amp-comparison"
if [ -n "${AMP_RESUME_DIR:-}" ]; then
  for f in h200-autocast-study.jsonl h200-timm-amp.jsonl; do
    if [ ! -f "$OUT/$f" ] && [ -f "$AMP_RESUME_DIR/$f" ]; then
      cp "$AMP_RESUME_DIR/$f" "$OUT/$f"
      echo "resuming $f ($(grep -c . "$OUT/$f") lines)"
    fi
  done
fi

gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
# One run id for the call's records, C++ and Python: e.g. h200-2026-12-05-1430.
short=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import timm_amp_study as s
print(s.gpu_short_name(sys.argv[1]))' "$gpu_name")
export VITPERF_RUN_ID=${RUN_ID:-${short:-gpu}-$(date -u +%F-%H%M)}
echo "run $VITPERF_RUN_ID, stage $stage, deadline ${AMP_DEADLINE_S:-540} s"

if [ "$stage" = cxx ] || [ "$stage" = all ]; then
  if ! scripts/gpu_build.sh >"$OUT/build.log" 2>&1; then
    tail -60 "$OUT/build.log"
    echo "gpu_autocast.sh: build failed after $(since)" >&2
    exit 1
  fi
  echo "build done after $(since)"
  # SIGINT: vitperf stops after its current point and says "run again with --resume".
  # In `all`, the C++ study may use all but 90 s: a cut C++ study costs a rebuild in the next
  # call, timm points left over only move to it.
  reserve=30
  [ "$stage" = all ] && reserve=90
  timeout -s INT -k 30 "$(budget "$reserve" 30)s" build-gpu/cli/vitperf measure -e autocast_study \
    --device cuda:0 -o "$C" --resume >>"$OUT/h200-autocast-study.log" 2>&1
  rc=$?
  tail -3 "$OUT/h200-autocast-study.log"
  echo "C++ autocast study: status $rc after $(since)"
  for s in ok skipped error oom; do
    n=$(grep -c "\"status\":\"$s\"" "$C" 2>/dev/null)
    printf '  %s: %s\n' "$s" "${n:-0}"
  done
fi

if [ "$stage" = python ] || [ "$stage" = all ]; then
  python3 -c 'import torch, timm
print("torch", torch.__version__, "cuda", torch.version.cuda, "timm", timm.__version__)' \
    || { echo "gpu_autocast.sh: the timm study needs torch and timm" >&2; exit 1; }
  py_budget=$(budget 30 20)
  if [ "${AMP_PY_BUDGET_S:-0}" -gt 0 ] && [ "$AMP_PY_BUDGET_S" -lt "$py_budget" ]; then
    py_budget=$AMP_PY_BUDGET_S
  fi
  # --time-budget: no point starts that is not expected to end in time (a compiled point is a
  # fresh torch.compile, 15-40 s); `timeout` is the backstop at the deadline, finished points
  # are kept.
  # shellcheck disable=SC2086 # AMP_PY_ARGS: extra study arguments, split on spaces
  timeout -s TERM -k 15 "$((py_budget + 30))s" python3 scripts/timm_amp_study.py -o "$P" \
    --time-budget "$py_budget" ${AMP_PY_ARGS:-} >>"$OUT/h200-timm-amp.log" 2>&1
  rc=$?
  grep -v '^\[' "$OUT/h200-timm-amp.log" | tail -4
  case $rc in
    0) echo "timm study complete after $(since)" ;;
    3 | 124)
      echo "timm study: points left after $(since); call again with this call's files:"
      echo "  AMP_RESUME_DIR=<folder of them> scripts/gpu_autocast.sh python"
      ;;
    *) echo "timm study: status $rc after $(since) (see h200-timm-amp.log)" ;;
  esac

  # The comparison needs vitperf, not the GPU: here when a build is at hand, else on any machine.
  V=""
  for b in build-gpu/cli/vitperf build/cli/vitperf; do [ -x "$b" ] && { V=$b; break; }; done
  if [ -z "$V" ]; then
    echo "no vitperf binary here; compare elsewhere:"
    echo "  python3 scripts/timm_amp_compare.py h200-timm-amp.jsonl --gpu h200"
  elif [ -s "$P" ]; then
    python3 scripts/timm_amp_compare.py "$P" --gpu h200 --binary "$V" --json "$CMP.json" \
      >"$CMP.txt" 2>&1 || echo "gpu_autocast.sh: the comparison failed (see $CMP.txt)" >&2
    sed -n '/^MAPE per setting/,$p' "$CMP.txt" | grep -v '^    ' | head -30
  fi
fi
echo "gpu_autocast.sh $stage took $(since)"
