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
row "H100 datasheet" --profile data/hardware/datasheet/h100-sxm.json --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
row "H100 datasheet+host probes" --profile data/hardware/datasheet/h100-sxm.json --host-probes-from-data --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
row "H100 kfold" --profile data/hardware/datasheet/h100-sxm.json --kfold 5 --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
row "H100 kfold host-state" --profile data/hardware/datasheet/h100-sxm.json --kfold 5 --host-state-from-data --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
row "H100 kfold host-state per run" --profile data/hardware/datasheet/h100-sxm.json --kfold 5 --host-state-from-data --host-state-scope run --data $D/h100-{calibration,campaign,quick_test,staging_study}*.jsonl
$V fit $D/h100-calibration*.jsonl --base data/hardware/datasheet/h100-sxm.json -o "${TMPDIR:-/tmp}/cal-only.json" > /dev/null
row "H100 cal-only on campaign" --profile "${TMPDIR:-/tmp}/cal-only.json" --data $D/h100-campaign*.jsonl
git show 15d010e:data/hardware/h100-sxm.json > "${TMPDIR:-/tmp}/h100-before-K.json"
row "H100 lease K, profile before it" --profile "${TMPDIR:-/tmp}/h100-before-K.json" --data $D/h100-{calibration,campaign,quick_test}-leaseK.jsonl
row "H100 lease K, profile before it, host state" --profile "${TMPDIR:-/tmp}/h100-before-K.json" --host-state-from-data --data $D/h100-{calibration,campaign,quick_test}-leaseK.jsonl
git show 6a895b6:data/hardware/h100-sxm.json > "${TMPDIR:-/tmp}/h100-before-M.json"
row "H100 lease M, profile before it" --profile "${TMPDIR:-/tmp}/h100-before-M.json" --data $D/h100-{calibration,campaign,quick_test}-leaseM.jsonl
row "H100 lease M, profile before it, host state" --profile "${TMPDIR:-/tmp}/h100-before-M.json" --host-state-from-data --data $D/h100-{calibration,campaign,quick_test}-leaseM.jsonl
git show 5945d0b:data/hardware/h100-sxm.json > "${TMPDIR:-/tmp}/h100-before-NO.json"
row "H100 leases N+O, profile before them" --profile "${TMPDIR:-/tmp}/h100-before-NO.json" --data $D/h100-campaign-lease{N,O}.jsonl
git show 353c91f:data/hardware/h100-sxm.json > "${TMPDIR:-/tmp}/h100-before-PQ.json"
row "H100 leases P+Q, profile before them" --profile "${TMPDIR:-/tmp}/h100-before-PQ.json" --data $D/h100-calibration-leaseP.jsonl $D/h100-campaign-leasePQ.jsonl $D/h100-quick_test-leaseQ.jsonl
row "H100 leases P+Q, profile before them, host state" --profile "${TMPDIR:-/tmp}/h100-before-PQ.json" --host-state-from-data --data $D/h100-calibration-leaseP.jsonl $D/h100-campaign-leasePQ.jsonl $D/h100-quick_test-leaseQ.jsonl
git show ad4e437:data/hardware/h100-sxm.json > "${TMPDIR:-/tmp}/h100-before-R.json"
row "H100 lease R, profile before it" --profile "${TMPDIR:-/tmp}/h100-before-R.json" --data $D/h100-{calibration,campaign,quick_test}-leaseR.jsonl
row "H100 lease R, profile before it, host state" --profile "${TMPDIR:-/tmp}/h100-before-R.json" --host-state-from-data --data $D/h100-{calibration,campaign,quick_test}-leaseR.jsonl
git show 03df2f5:data/hardware/h100-sxm.json > "${TMPDIR:-/tmp}/h100-before-S.json"
row "H100 lease S, profile before it" --profile "${TMPDIR:-/tmp}/h100-before-S.json" --data $D/h100-campaign-leaseS.jsonl
git show 2927ac7:data/hardware/h100-sxm.json > "${TMPDIR:-/tmp}/h100-before-T.json"
row "H100 lease T, profile before it" --profile "${TMPDIR:-/tmp}/h100-before-T.json" --data $D/h100-{calibration,campaign,quick_test}-leaseT.jsonl
row "H100 lease T, profile before it, host state" --profile "${TMPDIR:-/tmp}/h100-before-T.json" --host-state-from-data --data $D/h100-{calibration,campaign,quick_test}-leaseT.jsonl
git show c2a1089:data/hardware/h100-sxm.json > "${TMPDIR:-/tmp}/h100-before-U.json"
row "H100 lease U, profile before it" --profile "${TMPDIR:-/tmp}/h100-before-U.json" --data $D/h100-{calibration,campaign,quick_test}-leaseU.jsonl
row "H100 lease U, profile before it, host state" --profile "${TMPDIR:-/tmp}/h100-before-U.json" --host-state-from-data --data $D/h100-{calibration,campaign,quick_test}-leaseU.jsonl
row "H100 simt_check" --profile h100 --data $D/h100-simt_check.jsonl
row "H100 attention_check" --profile h100 --data $D/h100-attention_check.jsonl
row "H200 attention_check" --profile h200 --data $D/h200-attention_check.jsonl
git show 1ce1f3d:data/hardware/h200.json > "${TMPDIR:-/tmp}/h200-before-6.json"
row "H200 lease 6, profile before it" --profile "${TMPDIR:-/tmp}/h200-before-6.json" --data $D/h200-campaign-lease6.jsonl
row "H200 lease 6, profile before it, host state" --profile "${TMPDIR:-/tmp}/h200-before-6.json" --host-state-from-data --data $D/h200-campaign-lease6.jsonl
git show 0315d65:data/hardware/h200.json > "${TMPDIR:-/tmp}/h200-before-7.json"
row "H200 leases 7+8, profile before them" --profile "${TMPDIR:-/tmp}/h200-before-7.json" --data $D/h200-{calibration,campaign,quick_test}-lease{7,8}.jsonl
row "H200 leases 7+8, profile before them, host state" --profile "${TMPDIR:-/tmp}/h200-before-7.json" --host-state-from-data --data $D/h200-{calibration,campaign,quick_test}-lease{7,8}.jsonl
git show 2927ac7:data/hardware/h200.json > "${TMPDIR:-/tmp}/h200-before-9.json"
row "H200 lease 9, profile before it" --profile "${TMPDIR:-/tmp}/h200-before-9.json" --data $D/h200-{calibration,campaign,quick_test}-lease9.jsonl
row "H200 lease 9, profile before it, host state" --profile "${TMPDIR:-/tmp}/h200-before-9.json" --host-state-from-data --data $D/h200-{calibration,campaign,quick_test}-lease9.jsonl
git show 75cc14c:data/hardware/h200.json > "${TMPDIR:-/tmp}/h200-before-10.json"
row "H200 lease 10, profile before it" --profile "${TMPDIR:-/tmp}/h200-before-10.json" --data $D/h200-{calibration,campaign,quick_test}-lease10.jsonl
row "H200 lease 10, profile before it, host state" --profile "${TMPDIR:-/tmp}/h200-before-10.json" --host-state-from-data --data $D/h200-{calibration,campaign,quick_test}-lease10.jsonl
row "H200 kfold" --profile data/hardware/datasheet/h200.json --kfold 5 --data $D/h200-{calibration,campaign,quick_test,staging_study}*.jsonl
row "cross-GPU" --profile data/hardware/datasheet/h200.json --coefficients-from h100 --data $D/h200-{calibration,campaign,quick_test,staging_study}*.jsonl
row "cross-GPU host probes" --profile data/hardware/datasheet/h200.json --coefficients-from h100 --host-probes-from-data --data $D/h200-{calibration,campaign,quick_test,staging_study}*.jsonl
row "cross-GPU host state per run" --profile data/hardware/datasheet/h200.json --coefficients-from h100 --host-state-from-data --host-state-scope run --data $D/h200-{calibration,campaign,quick_test,staging_study}*.jsonl
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
