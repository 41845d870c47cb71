#!/usr/bin/env bash
# Fourth GPU session (2026-11-23, second session): re-measure after the CUPTI detach fix.
#   1. A/B of the fix: presets_compute_graph (compute-only eager and graph, b1/8/128) with CUPTI
#      kept attached between points (the old behaviour) and with no CUPTI at all; the detached
#      run of the same points is part of the campaign below.
#   2. calibration, h100_campaign (resumable: a partial file under .deps/resume/ is continued),
#      quick_test.
#   3. REPEAT=1: the overhead-prone sweeps of the campaign again, in a second process, so the
#      run-to-run spread of the same points on the same host can be stated (repeat/).
# AB=0 skips step 1.
# Stops starting new work at $BUDGET_S seconds (default 560) so the outputs come back in time.
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
start=$(date +%s)
budget=${BUDGET_S:-560}
left() { echo $(( budget - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
V=build-gpu/cli/vitperf
gpu=${GPU_TAG:-h100}
mkdir -p "$OUT/cupti_ab" "$OUT/repeat"
for d in "" cupti_ab repeat; do
  for f in .deps/resume/$d/*.jsonl; do [ -f "$f" ] && cp "$f" "$OUT/$d/"; done
done
run() {  # run NAME OUTFILE ARGS...: resumable, bounded by the time left
  local name=$1 out=$2; shift 2
  local t=$(( $(left) - 5 ))
  if [ "$t" -lt 20 ]; then echo "$name: no time left"; return; fi
  local s=$(date +%s)
  local resume=""; [ -f "$out" ] && resume=--resume
  timeout -s INT "$t" $V measure --device cuda:0 -o "$out" $resume "$@" 2>&1 | tail -1
  echo "$name: $(( $(date +%s) - s )) s"
}
[ "${AB:-1}" = 1 ] && for mode in keep-attached off; do
  run "ab $mode" "$OUT/cupti_ab/$gpu-compute_$mode.jsonl" -e h100_campaign \
    sweep=presets_compute_graph probes=none --cupti "$mode"
done
run calibration "$OUT/$gpu-calibration.jsonl" -e calibration
run campaign "$OUT/$gpu-campaign.jsonl" -e h100_campaign ${CAMPAIGN_SWEEPS:-}
run quick_test "$OUT/$gpu-quick_test.jsonl" -e quick_test
[ "${REPEAT:-0}" = 1 ] && run repeat "$OUT/repeat/$gpu-campaign_repeat.jsonl" -e h100_campaign \
  sweep=presets_224,presets_compute_graph,grid_sample probes=none
echo "session took $(( $(date +%s) - start )) s"
