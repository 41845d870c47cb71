#!/usr/bin/env bash
# Third GPU session: rebuild with the fused-bias linear, the timm side-by-side, quick_test,
# calibration, then the h100_campaign dataset (resumed from .deps/resume/ when present).
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
start=$(date +%s)
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
V=build-gpu/cli/vitperf
if [ ! -f .deps/resume/h100-campaign.jsonl ]; then
  $V measure -e timm_compare --device cuda:0 -o "$OUT/h100-timm_compare.jsonl" 2>&1 | tail -3
  python3 scripts/compare_timm.py "$OUT/timm.json" --batch 256 --compile 2>&1 | tail -5
  $V measure -e quick_test --device cuda:0 -o "$OUT/h100-quick_test.jsonl" 2>&1 | tail -1
  $V measure -e calibration --device cuda:0 -o "$OUT/h100-calibration.jsonl" 2>&1 | tail -1
else
  cp .deps/resume/h100-campaign.jsonl "$OUT/h100-campaign.jsonl"
fi
echo "before campaign: $(( $(date +%s) - start )) s"
$V measure -e h100_campaign --device cuda:0 -o "$OUT/h100-campaign.jsonl" --resume 2>&1 | tail -3
echo "session took $(( $(date +%s) - start )) s"
