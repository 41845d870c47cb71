#!/usr/bin/env bash
# H200 session: the same build, calibration, quick_test and a subset of h100_campaign (presets,
# compute-only eager/graph, resolution x attention), for the cross-GPU check of issue 5.
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
start=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
V=build-gpu/cli/vitperf
$V measure -e calibration --device cuda:0 -o "$OUT/h200-calibration.jsonl" 2>&1 | tail -1
$V measure -e h100_campaign --device cuda:0 -o "$OUT/h200-campaign.jsonl" \
  sweep=presets_224,presets_compute_graph,resolution_attention 2>&1 | tail -2
echo "session took $(( $(date +%s) - start )) s"
