#!/usr/bin/env bash
# How much the H100 5-fold max best-batch regret depends on which runs were measured: the figure
# again with each run's records left out in turn (docs/accuracy.md). V= the vitperf binary.
# Runs are named by their records' provenance.run_id; the campaign resumed after a reboot on
# 2026-11-24 (15:40 and 15:51) is left out as one.
set -euo pipefail
cd "$(dirname "$0")/../.."
V=${V:-build/cli/vitperf}
D=data/measurements/h100
files=("$D"/{calibration,campaign,quick_test,staging_study}.jsonl)
# Every run id in the fitted files, and the runs of the first three experiments (staging study
# runs always stay).
all=$(python3 scripts/run_ids.py "${files[@]}")
left_out=$(python3 scripts/run_ids.py "$D"/{calibration,campaign,quick_test}.jsonl |
  sed 's/^h100-2026-11-24-1551$//; s/^h100-2026-11-24-1540$/h100-2026-11-24-1540,h100-2026-11-24-1551/' |
  grep .)
for out in $left_out; do
  keep=()
  for r in $all; do
    case ",$out," in *",$r,"*) ;; *) keep+=(--run "$r") ;; esac
  done
  "$V" validate --profile data/hardware/h100-sxm.json --kfold 5 --data "${files[@]}" "${keep[@]}" \
    --json | python3 -c "
import json, sys
j = json.load(sys.stdin); s = j['summary']; w = max(j['regret'], key=lambda r: r['regret'])
print('without %-40s MAPE %.1f%%  max regret %.1f%%  (%s: batch %d, measured best %d)' % (
    '$out', 100 * s['mape'], 100 * s['max_regret'], w['config'], w['predicted_best_batch'],
    w['measured_best_batch']))"
done
