#!/usr/bin/env bash
# Runs a vitperf experiment as a Slurm job array of N shards, then merges and checks them.
#   scripts/slurm/submit_sweep.sh -e EXPERIMENT -n N -o OUT_DIR [--device cpu|cuda:0]
#       [--bin PATH] [--wait] [--sbatch "OPTIONS"] [key=value overrides]
# e.g. scripts/slurm/submit_sweep.sh -e scaling_study -n 8 -o sweep/ --device cuda:0 \
#        --sbatch "--gres=gpu:1 --partition=gpu"
# Prints the two job ids. --wait blocks until the merge has finished and returns its status.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
experiment="" shards="" out="" device=cpu bin="$here/../../build/cli/vitperf" wait=() extra=""
overrides=()
while [ $# -gt 0 ]; do
  case $1 in
    -e) experiment=$2; shift 2 ;;
    -n) shards=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --wait) wait=(--wait); shift ;;
    --sbatch) extra=$2; shift 2 ;;
    *=*) overrides+=("$1"); shift ;;
    *) echo "submit_sweep.sh: unknown argument '$1' (accepted: -e, -n, -o, --device, --bin, --wait, --sbatch, key=value)" >&2; exit 2 ;;
  esac
done
[ -n "$experiment" ] || { echo "submit_sweep.sh: -e EXPERIMENT is required" >&2; exit 2; }
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "submit_sweep.sh: -n: '$shards' is not a positive integer" >&2; exit 2; }
[ -n "$out" ] || { echo "submit_sweep.sh: -o OUT_DIR is required" >&2; exit 2; }
[ -x "$bin" ] || { echo "submit_sweep.sh: --bin: no vitperf at '$bin' (build it: ./vitperf --version)" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export VITPERF_BIN=$bin VITPERF_EXPERIMENT=$experiment VITPERF_DEVICE=$device \
  VITPERF_OUT_DIR=$out VITPERF_SHARDS=$shards
# shellcheck disable=SC2086  # --sbatch holds several options
array=$(sbatch --parsable --array=0-$((shards - 1)) --output="$out/%x-%A_%a.out" $extra \
  "$here/measure_array.sbatch" "${overrides[@]}")
echo "array job: $array ($shards tasks)"
# shellcheck disable=SC2086
merge=$(sbatch --parsable "${wait[@]}" --dependency=afterok:"${array%%;*}" --kill-on-invalid-dep=yes \
  --output="$out/%x-%j.out" $extra "$here/merge.sbatch" "${overrides[@]}") || {
  status=$?
  echo "merge job failed (exit $status); see $out/vitperf-merge-*.out" >&2
  exit "$status"
}
echo "merge job: $merge -> $out/merged.jsonl"
