#!/usr/bin/env bash
# The host staging study (data/experiments/staging_study.json) on a GPU host, in one device
# call: the host's cache and glibc memcpy facts, a build, then the staging probe into $OUT.
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
start=$(date +%s)
gpu=${GPU_TAG:-h100}
{
  lscpu
  echo "== getconf"; getconf -a | grep -i CACHE
  echo "== glibc"; ldd --version | head -1
  echo "== ld.so tunables (memcpy thresholds)"
  ld=$(ls /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 2>/dev/null | head -1)
  "$ld" --list-tunables 2>&1 | grep -Ei "x86_(non_temporal|rep_movsb|rep_stosb|shared|data)" || true
} > "$OUT/$gpu-staging_host.txt" 2>&1
grep -Ei "L3|glibc|non_temporal|rep_movsb" "$OUT/$gpu-staging_host.txt"
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
timeout -s INT "${BUDGET_S:-400}" build-gpu/cli/vitperf measure -e staging_study \
  --device cuda:0 -o "$OUT/$gpu-staging_study.jsonl" 2>&1 | tail -3
echo "session took $(( $(date +%s) - start )) s"
