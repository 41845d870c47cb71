#!/usr/bin/env bash
# Issue 7 (NUMA study, RQ4) on a multi-GPU host (nvidia-h200-x2 or larger), in one device call:
#   1. the host's facts: nvidia-smi (GPUs, topo -m), lscpu, /sys NUMA nodes, `vitperf topo`
#      (text and JSON, with each GPU's binding plans);
#   2. numa_study, one worker process per GPU (--device cuda:N), run at the same time as a
#      multi-GPU server runs them. On a one-node host the remote points are recorded as skipped
#      by the sweep itself, so the same command serves both cases.
# Outputs under $OUT: host/, <tag>-numa_study-gpuN.jsonl, logs. Stops new work at $BUDGET_S.
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
# The device tool's rule for multi-GPU hosts: NVLink multicast stays off.
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
start=$(date +%s)
budget=${BUDGET_S:-560}
left() { echo $(( budget - ($(date +%s) - start) )); }
tag=${GPU_TAG:-h200x2}
mkdir -p "$OUT/host"
nvidia-smi > "$OUT/host/nvidia-smi.txt" 2>&1
nvidia-smi topo -m > "$OUT/host/nvidia-smi-topo.txt" 2>&1
lscpu > "$OUT/host/lscpu.txt" 2>&1
{ for n in /sys/devices/system/node/node*; do
    [ -d "$n" ] && echo "$(basename "$n") cpus $(cat "$n/cpulist") $(grep MemTotal "$n/meminfo")"
  done
  for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor" 2>/dev/null)" = 0x10de ] &&
      echo "$(basename "$d") class $(cat "$d/class") numa_node $(cat "$d/numa_node")"
  done; } > "$OUT/host/sysfs_numa.txt" 2>&1
cat "$OUT/host/sysfs_numa.txt"
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
V=build-gpu/cli/vitperf
$V topo | tee "$OUT/host/topo.txt"
$V topo --json > "$OUT/host/topo.json"
gpus=$(nvidia-smi -L | wc -l)
for g in $(seq 1 $((gpus - 1))); do $V topo --device "cuda:$g" > "$OUT/host/topo-cuda$g.txt"; done
t=$(( $(left) - 10 ))
[ "$t" -lt 30 ] && { echo "no time left for numa_study"; exit 0; }
for g in $(seq 0 $((gpus - 1))); do
  timeout -s INT "$t" $V measure -e numa_study --device "cuda:$g" \
    -o "$OUT/$tag-numa_study-gpu$g.jsonl" > "$OUT/numa_study-gpu$g.log" 2>&1 &
done
wait
for g in $(seq 0 $((gpus - 1))); do tail -1 "$OUT/numa_study-gpu$g.log"; done
echo "study took $(( $(date +%s) - start )) s"
