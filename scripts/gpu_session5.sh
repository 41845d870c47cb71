#!/usr/bin/env bash
# Fifth GPU session (2026-11-23, third session): two diagnostics.
#   1. eager_host_noise twice, in two processes: do eager small-batch points timed for 2 s
#      (instead of 0.25 s) repeat better? Their ids match h100_campaign's points.
#   2. scripts/bmm_threshold_probe.py: when cuBLAS leaves tensor cores for the math-attention
#      score product (the 2048 px batch-4 regret).
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
start=$(date +%s)
python3 scripts/bmm_threshold_probe.py > "$OUT/bmm_threshold.jsonl" 2>&1
echo "bmm probe done at $(( $(date +%s) - start )) s"; cut -c1-220 "$OUT/bmm_threshold.jsonl"
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build done at $(( $(date +%s) - start )) s"
gpu=${GPU_TAG:-h100}
for pass in 1 2; do
  build-gpu/cli/vitperf measure --device cuda:0 -e data/experiments/eager_host_noise.json \
    -o "$OUT/$gpu-eager_host_noise_$pass.jsonl" 2>&1 | tail -1
  echo "pass $pass done at $(( $(date +%s) - start )) s"
done
