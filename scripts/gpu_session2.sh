#!/usr/bin/env bash
# Second GPU session: rebuild, kernel-level comparison with timm, the timm side-by-side,
# quick_test, calibration and the h100_campaign dataset. Writes everything under $OUT.
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
start=$(date +%s)
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
V=build-gpu/cli/vitperf
$V measure -e timm_compare --device cuda:0 -o "$OUT/h100-timm_compare.jsonl" 2>&1 | tail -3
python3 - "$OUT/h100-timm_compare.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("kind") == "pipeline" and r.get("breakdown"):
        b = r["breakdown"]
        print(r["options"]["execution"], "kernels", round(b["kernel_time_ms"], 2), "ms", {k: round(v["time_ms"], 2) for k, v in b["kernels"].items()})
        for k in b.get("top_kernels", [])[:10]:
            print(f"  {k['time_ms']:8.3f} ms x{k['count']:<4} {k['name'][:110]}")
PY
python3 scripts/timm_kernel_profile.py --batch 256 --out "$OUT/timm_kernels.json" 2>&1 | tail -14
python3 scripts/compare_timm.py "$OUT/timm.json" --batch 256 --compile 2>&1 | tail -6
$V measure -e quick_test --device cuda:0 -o "$OUT/h100-quick_test.jsonl" 2>&1 | tail -2
$V measure -e calibration --device cuda:0 -o "$OUT/h100-calibration.jsonl" 2>&1 | tail -2
$V measure -e h100_campaign --device cuda:0 -o "$OUT/h100-campaign.jsonl" 2>&1 | tail -4
echo "session took $(( $(date +%s) - start )) s"
