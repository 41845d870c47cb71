#!/usr/bin/env bash
# How much the H100 5-fold max best-batch regret depends on which leases were measured: the
# figure again with each lease's files left out in turn (README Accuracy). V= the vitperf binary.
set -euo pipefail
cd "$(dirname "$0")/.."
V=${V:-build-me/cli/vitperf}
all=$(ls data/measurements/h100-{calibration,campaign,quick_test,staging_study}*.jsonl)
# Lease D's files carry no lease suffix; leases P and Q share one resumed campaign file.
for lease in D E F G H K L M N O PQ R S T U; do
  case $lease in
    D) drop='h100-[a-z_]*\.jsonl$' ;;
    PQ) drop='lease(P|PQ|Q)\.jsonl$' ;;
    *) drop="lease$lease\\.jsonl\$" ;;
  esac
  # shellcheck disable=SC2046
  "$V" validate --profile data/hardware/h100-sxm.json --kfold 5 \
    --data $(echo "$all" | grep -Ev "$drop") --json | python3 -c "
import json, sys
j = json.load(sys.stdin); s = j['summary']; w = max(j['regret'], key=lambda r: r['regret'])
print('without %-2s  MAPE %.1f%%  max regret %.1f%%  (%s: batch %d, measured best %d)' % (
    '$lease', 100 * s['mape'], 100 * s['max_regret'], w['config'], w['predicted_best_batch'],
    w['measured_best_batch']))"
done
