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
# A lease against the profile committed before it (a forward check), then with each point at its
# recorded host state: forward LABEL PROFILE FILES...
forward() {
  local label=$1 profile=$2; shift 2
  row "$label" --profile "$profile" --data "$@"
  row "$label, host state" --profile "$profile" --host-state-from-data --data "$@"
}
row "H100 datasheet" --profile data/hardware/h100-sxm.json --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
row "H100 datasheet+host probes" --profile data/hardware/h100-sxm.json --host-probes-from-data --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
row "H100 kfold" --profile data/hardware/h100-sxm.json --kfold 5 --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
row "H100 kfold host-state" --profile data/hardware/h100-sxm.json --kfold 5 --host-state-from-data --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
row "H100 kfold host-state per run" --profile data/hardware/h100-sxm.json --kfold 5 --host-state-from-data --host-state-scope run --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
$V fit $D/h100-calibration*.jsonl --base data/hardware/h100-sxm.json -o "${TMPDIR:-/tmp}/cal-only.json" > /dev/null
row "H100 cal-only on campaign" --profile "${TMPDIR:-/tmp}/cal-only.json" --data $D/h100-campaign*.jsonl
forward "H100 lease K, profile before it" "$(profile_at 15d010e h100-sxm)" $D/h100-{calibration,campaign,quick_test}-leaseK.jsonl
forward "H100 lease M, profile before it" "$(profile_at 6a895b6 h100-sxm)" $D/h100-{calibration,campaign,quick_test}-leaseM.jsonl
row "H100 leases N+O, profile before them" --profile "$(profile_at 5945d0b h100-sxm)" --data $D/h100-campaign-lease{N,O}.jsonl
forward "H100 leases P+Q, profile before them" "$(profile_at 353c91f h100-sxm)" $D/h100-calibration-leaseP.jsonl $D/h100-campaign-leasePQ.jsonl $D/h100-quick_test-leaseQ.jsonl
forward "H100 lease R, profile before it" "$(profile_at ad4e437 h100-sxm)" $D/h100-{calibration,campaign,quick_test}-leaseR.jsonl
row "H100 lease S, profile before it" --profile "$(profile_at 03df2f5 h100-sxm)" --data $D/h100-campaign-leaseS.jsonl
forward "H100 lease T, profile before it" "$(profile_at 2927ac7 h100-sxm)" $D/h100-{calibration,campaign,quick_test}-leaseT.jsonl
forward "H100 lease U, profile before it" "$(profile_at c2a1089 h100-sxm)" $D/h100-{calibration,campaign,quick_test}-leaseU.jsonl
row "H100 simt_check" --profile h100 --data $D/h100-simt_check.jsonl
row "H100 attention_check" --profile h100 --data $D/h100-attention_check.jsonl
row "H200 attention_check" --profile h200 --data $D/h200-attention_check.jsonl
forward "H200 lease 6, profile before it" "$(profile_at 1ce1f3d h200)" $D/h200-campaign-lease6.jsonl
forward "H200 leases 7+8, profile before them" "$(profile_at 0315d65 h200)" $D/h200-{calibration,campaign,quick_test}-lease{7,8}.jsonl
forward "H200 lease 9, profile before it" "$(profile_at 2927ac7 h200)" $D/h200-{calibration,campaign,quick_test}-lease9.jsonl
forward "H200 lease 10, profile before it" "$(profile_at 75cc14c h200)" $D/h200-{calibration,campaign,quick_test}-lease10.jsonl
row "H200 kfold" --profile data/hardware/h200.json --kfold 5 --data $D/h200-{calibration,campaign,quick_test,staging_study}*.jsonl
row "cross-GPU" --profile data/hardware/h200.json --coefficients-from h100 --data $D/h200-{calibration,campaign,quick_test,staging_study}*.jsonl
row "cross-GPU host probes" --profile data/hardware/h200.json --coefficients-from h100 --host-probes-from-data --data $D/h200-{calibration,campaign,quick_test,staging_study}*.jsonl
row "cross-GPU host state per run" --profile data/hardware/h200.json --coefficients-from h100 --host-state-from-data --host-state-scope run --data $D/h200-{calibration,campaign,quick_test,staging_study}*.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h100-campaign.jsonl --b $D/repeatability/h100-campaign_repeat.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h100-campaign.jsonl --b $D/h100-campaign-leaseE.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h100-campaign.jsonl --b $D/h100-campaign-leaseF.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h100-campaign.jsonl --b $D/h100-campaign-leaseG.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h100-campaign.jsonl --b $D/h100-campaign-leaseH.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h100-campaign.jsonl --b $D/h100-campaign-leaseK.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h100-campaign.jsonl --b $D/h100-campaign-leaseM.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h100-campaign.jsonl --b $D/h100-campaign-leasePQ.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h100-campaign.jsonl --b $D/h100-campaign-leaseR.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h200-campaign-lease1.jsonl --b $D/h200-campaign.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h200-campaign.jsonl --b $D/h200-campaign-lease3.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h200-campaign-lease6.jsonl --b $D/h200-campaign-lease7.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h200-campaign-lease6.jsonl --b $D/h200-campaign-lease8.jsonl
python3 scripts/repeatability.py --binary $V --a $D/h200-campaign-lease6.jsonl --b $D/h200-campaign-lease10.jsonl
