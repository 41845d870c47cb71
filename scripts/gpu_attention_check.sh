#!/usr/bin/env bash
# The held-out flash-attention check (data/experiments/attention_check.json) on a GPU host, in
# one device call: build, then measure into $OUT. The shipped profiles are committed before this
# runs, so the predictions it is checked against were fixed before the measurement.
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,clocks.sm,temperature.gpu --format=csv,noheader
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
gpu=${GPU_TAG:-h100}
timeout -s INT "${BUDGET_S:-400}" build-gpu/cli/vitperf measure -e attention_check \
  --device cuda:0 -o "$OUT/$gpu-attention_check.jsonl" 2>&1 | tail -3
echo "session took $(( $(date +%s) - start )) s"
