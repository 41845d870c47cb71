#!/usr/bin/env bash
# Prints every row of README "Accuracy" (one validate --json per row); V= the vitperf binary.
set -euo pipefail
cd "$(dirname "$0")/.."
V=${V:-build-me/cli/vitperf}; D=data/measurements
row() { echo "== $1"; shift; "$V" validate "$@" --json | python3 -c "
import json,sys
v=json.load(sys.stdin); s=v['summary']
print('points %d MAPE %.1f median %.1f P90 %.1f spearman %.3f regret mean %.1f max %.1f' % (s['points'], 100*s['mape'], 100*s['median_ape'], 100*s['p90_ape'], s['spearman'], 100*s['mean_regret'], 100*s['max_regret']))
print('  regimes:', ', '.join('%s %.1f%% (%d)' % (x['regime'], 100*x['mape'], x['points']) for x in v['regimes']))
"; }
# The profile `$2` (h100-sxm or h200) as committed at `$1`, written to a temp file; prints its path.
profile_at() { local f="${TMPDIR:-/tmp}/$2-at-$1.json"; git show "$1:data/hardware/$2.json" > "$f"; echo "$f"; }
# A run against the profile committed before it (a forward check), then with each point at its
# recorded host state: forward LABEL PROFILE GPU RUN-ID... (the runs' fitted experiments)
forward() {
  local label=$1 profile=$2 gpu=$3; shift 3
  local runs=(); for r in "$@"; do runs+=(--run "$r"); done
  row "$label" --profile "$profile" --data $D/$gpu/{calibration,campaign,quick_test}.jsonl "${runs[@]}"
  row "$label, host state" --profile "$profile" --host-state-from-data \
    --data $D/$gpu/{calibration,campaign,quick_test}.jsonl "${runs[@]}"
}
# The fitted experiments of one GPU, every run.
fitset() { echo $D/$1/{calibration,campaign,quick_test,staging_study}.jsonl; }
row "H100 datasheet" --profile data/hardware/h100-sxm.json --data $(fitset h100)
row "H100 datasheet+host probes" --profile data/hardware/h100-sxm.json --host-probes-from-data --data $(fitset h100)
row "H100 kfold" --profile data/hardware/h100-sxm.json --kfold 5 --data $(fitset h100)
row "H100 kfold host-state" --profile data/hardware/h100-sxm.json --kfold 5 --host-state-from-data --data $(fitset h100)
row "H100 kfold host-state per run" --profile data/hardware/h100-sxm.json --kfold 5 --host-state-from-data --host-state-scope run --data $(fitset h100)
$V fit $D/h100/calibration.jsonl --base data/hardware/h100-sxm.json -o "${TMPDIR:-/tmp}/cal-only.json" > /dev/null
row "H100 cal-only on campaign" --profile "${TMPDIR:-/tmp}/cal-only.json" --data $D/h100/campaign.jsonl
forward "H100 2026-11-24 10:30, profile before it" "$(profile_at 15d010e h100-sxm)" h100 h100-2026-11-24-1030
forward "H100 2026-11-24 12:38, profile before it" "$(profile_at 6a895b6 h100-sxm)" h100 h100-2026-11-24-1238
row "H100 2026-11-24 13:05 and 13:15, profile before them" --profile "$(profile_at 5945d0b h100-sxm)" --data $D/h100/campaign.jsonl --run h100-2026-11-24-1305 --run h100-2026-11-24-1315
forward "H100 2026-11-24 15:40 and 15:51, profile before them" "$(profile_at 353c91f h100-sxm)" h100 h100-2026-11-24-1540 h100-2026-11-24-1551
forward "H100 2026-11-24 16:05, profile before it" "$(profile_at ad4e437 h100-sxm)" h100 h100-2026-11-24-1605
row "H100 2026-11-24 16:32, profile before it" --profile "$(profile_at 03df2f5 h100-sxm)" --data $D/h100/campaign.jsonl --run h100-2026-11-24-1632
forward "H100 2026-11-24 17:52, profile before it" "$(profile_at 2927ac7 h100-sxm)" h100 h100-2026-11-24-1752
forward "H100 2026-11-24 18:12, profile before it" "$(profile_at c2a1089 h100-sxm)" h100 h100-2026-11-24-1812
row "H100 simt_check" --profile h100 --data $D/h100/simt_check.jsonl
row "H100 attention_check" --profile h100 --data $D/h100/attention_check.jsonl
row "H200 attention_check" --profile h200 --data $D/h200/attention_check.jsonl
forward "H200 2026-11-24 16:55, profile before it" "$(profile_at 1ce1f3d h200)" h200 h200-2026-11-24-1655
forward "H200 2026-11-24 17:20 and 17:32, profile before them" "$(profile_at 0315d65 h200)" h200 h200-2026-11-24-1720 h200-2026-11-24-1732
forward "H200 2026-11-24 18:02, profile before it" "$(profile_at 2927ac7 h200)" h200 h200-2026-11-24-1802
forward "H200 2026-11-24 18:29, profile before it" "$(profile_at 75cc14c h200)" h200 h200-2026-11-24-1829
row "H200 kfold" --profile data/hardware/h200.json --kfold 5 --data $(fitset h200)
row "cross-GPU" --profile data/hardware/h200.json --coefficients-from h100 --data $(fitset h200)
row "cross-GPU host probes" --profile data/hardware/h200.json --coefficients-from h100 --host-probes-from-data --data $(fitset h200)
row "cross-GPU host state per run" --profile data/hardware/h200.json --coefficients-from h100 --host-state-from-data --host-state-scope run --data $(fitset h200)
# Run-to-run spread: the first full H100 run (2026-11-24 00:48) against a second process and the
# later runs; the H200's runs likewise.
rep() { python3 scripts/repeatability.py --binary $V "$@"; }
rep --a $D/h100/campaign.jsonl --a-run h100-2026-11-24-0048 --b $D/studies/repeatability/h100-campaign_repeat.jsonl
for b in 0255 0314 0431 0452 1030 1238 1540,1551 1605; do
  rep --a $D/h100/campaign.jsonl --a-run h100-2026-11-24-0048 --b $D/h100/campaign.jsonl \
    $(for t in ${b//,/ }; do echo --b-run h100-2026-11-24-$t; done)
done
rep --a $D/h200/campaign.jsonl --a-run h200-2026-11-23-2325 --b $D/h200/campaign.jsonl --b-run h200-2026-11-24-0245
rep --a $D/h200/campaign.jsonl --a-run h200-2026-11-24-0245 --b $D/h200/campaign.jsonl --b-run h200-2026-11-24-0339
for b in 1720 1732 1829; do
  rep --a $D/h200/campaign.jsonl --a-run h200-2026-11-24-1655 --b $D/h200/campaign.jsonl --b-run h200-2026-11-24-$b
done
