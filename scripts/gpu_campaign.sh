#!/usr/bin/env bash
# A measuring campaign on a GPU host, in one call: builds vitperf against the host's LibTorch
# (scripts/gpu_build.sh), records the GPU's and host's facts, then measures each experiment into
# $OUT/<gpu>/<experiment>.jsonl, every record tagged with one run id, "<gpu>-<UTC date>-<HHMM>".
#
#   GPU=h200 OUT=out scripts/gpu_campaign.sh                     # calibration, campaign, quick_test
#   GPU=h100 scripts/gpu_campaign.sh staging_study attention_check
#   GPU=h200 scripts/gpu_campaign.sh "h100_campaign sweep=grid_sample,presets_high_res"
#
# Each argument is an experiment of data/experiments/ (h100_campaign is written as campaign.jsonl),
# optionally followed by its KEY=VALUE overrides in the same quoted word. Experiments are
# resumable: run the same command again with the same RUN_ID and a partial file in
# $OUT/<gpu>/ is continued. No new experiment starts once BUDGET_S seconds (default 3600) have
# passed, and a running one is stopped (cleanly, its points kept) at that limit.
# Afterwards the new records join the shipped ones by appending each file to
# data/measurements/<gpu>/<experiment>.jsonl (data/measurements/README.md): the run id in every
# record keeps the runs apart.
set -uo pipefail
cd "$(dirname "$0")/.."
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
gpu=${GPU:?set GPU to the data/measurements folder name of this GPU, e.g. h100 or h200}
out=${OUT:-out}/$gpu
budget=${BUDGET_S:-3600}
start=$(date +%s)
export VITPERF_RUN_ID=${RUN_ID:-$gpu-$(date -u +%F-%H%M)}
mkdir -p "$out"
echo "run $VITPERF_RUN_ID into $out"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu \
  --format=csv,noheader | tee "$out/gpu.txt"
{
  lscpu
  echo "== glibc"; ldd --version | head -1
  echo "== ld.so tunables (memcpy thresholds)"
  ld=$(ls /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 2>/dev/null | head -1)
  [ -n "$ld" ] && "$ld" --list-tunables 2>&1 | grep -Ei "x86_(non_temporal|rep_movsb|shared)" || true
} > "$out/host.txt" 2>&1
scripts/gpu_build.sh > "$out/build.log" 2>&1 || { tail -60 "$out/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
V=build-gpu/cli/vitperf
[ $# -gt 0 ] || set -- calibration h100_campaign quick_test
for spec in "$@"; do
  read -r -a words <<< "$spec"
  experiment=${words[0]}
  file=$out/${experiment/h100_campaign/campaign}.jsonl
  left=$(( budget - ($(date +%s) - start) ))
  if [ "$left" -lt 30 ]; then echo "$experiment: no time left"; continue; fi
  resume=(); [ -f "$file" ] && resume=(--resume)
  s=$(date +%s)
  timeout -s INT "$left" "$V" measure --device cuda:0 -e "$experiment" -o "$file" "${resume[@]}" \
    "${words[@]:1}" 2>&1 | tail -2
  echo "$experiment: $(( $(date +%s) - s )) s, $(grep -c '"kind":"pipeline"\|"kind":"probe"' "$file") records"
done
echo "campaign took $(( $(date +%s) - start )) s"
