#!/usr/bin/env bash
# What each coefficient buys held out: the change of the 5-fold MAPE by config (H100 and H200
# data) when each fitted coefficient is held at the coefficient table's generic default (a GPU
# whose architecture has no measured priors: --freeze --freeze-at-default) or at its
# architecture prior (--freeze), and when each architecture constant is fitted as if it were the
# GPU's own (--free). A fitted coefficient stays while holding it at the default costs at least
# 0.3 points; a constant stays constant while freeing it gains less than that.
#   V=build/cli/vitperf scripts/coefficient_ablation.sh > ablation.txt
set -euo pipefail
cd "$(dirname "$0")/.."
V=${V:-build/cli/vitperf}; D=data/measurements
GPUS=${GPUS:-h100 h200}  # GPUS=h200 for the H200 columns alone
mape() {  # GPU(h100|h200) extra-flags...
  local gpu=$1 base; shift
  base=data/hardware/$([ "$gpu" = h100 ] && echo h100-sxm || echo h200).json
  "$V" validate --profile "$base" --kfold 5 "$@" --json \
      --data $D/$gpu/{calibration,campaign,quick_test,staging_study}.jsonl |
    python3 -c 'import json,sys; print("%.3f" % (100*json.load(sys.stdin)["summary"]["mape"]))'
}
h100=$(mape h100); h200=$(mape h200)
echo "baseline 5-fold MAPE: H100 $h100%, H200 $h200%"
printf '%-30s %-13s %-8s %9s %9s %9s %9s\n' coefficient stage ablation "dH100[pt]" "dH200[pt]" \
  "prior100" "prior200"
python3 - <<'PY' > /tmp/vitperf-stages.txt
import re
text = open("model/coefficients.h").read().replace("\\\n", " ")
for m in re.finditer(r'X\((\w+),\s*[^,]+,\s*[^,]+,\s*[^,]+,\s*"[^"]*",\s*(\w+),', text):
    print(m.group(1), m.group(2))
PY
delta() { python3 -c "print('%+.2f' % ($1 - $2))"; }
while read -r name stage; do
  if [ "$stage" = architecture ]; then
    a=$(mape h100 --free "$name"); b=$(mape h200 --free "$name")
    printf '%-30s %-13s %-8s %9s %9s\n' "$name" "$stage" free "$(delta "$a" "$h100")" \
      "$(delta "$b" "$h200")"
  else
    a=$(mape h100 --freeze "$name" --freeze-at-default); b=$(mape h200 --freeze "$name" --freeze-at-default)
    c=$(mape h100 --freeze "$name"); d=$(mape h200 --freeze "$name")
    printf '%-30s %-13s %-8s %9s %9s %9s %9s\n' "$name" "$stage" freeze "$(delta "$a" "$h100")" \
      "$(delta "$b" "$h200")" "$(delta "$c" "$h100")" "$(delta "$d" "$h200")"
  fi
done < /tmp/vitperf-stages.txt
