#!/usr/bin/env bash
# First GPU session: environment, build, topology, quick_test, calibration and the timm
# side-by-side. Writes everything under $OUT.
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,pci.bus_id --format=csv
  python3 -c 'import torch, timm; print("torch", torch.__version__, "cuda", torch.version.cuda, "timm", timm.__version__)'
  g++ --version | head -1; cmake --version | head -1
  ls -d /usr/include/CLI /usr/include/nlohmann /usr/include/hwloc.h /usr/include/eigen3 2>&1
  ldconfig -p | grep -E "libhwloc|libcupti" | head
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"
start=$(date +%s)
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
V=build-gpu/cli/vitperf
$V topo > "$OUT/topo.txt" 2>&1; cat "$OUT/topo.txt"
$V measure -e quick_test --device cuda:0 -o "$OUT/h100-quick_test.jsonl" 2>&1 | tail -25
$V measure -e timm_compare --device cuda:0 -o "$OUT/h100-timm_compare.jsonl" 2>&1 | tail -4
python3 scripts/compare_timm.py "$OUT/timm.json" --batch 256 2>&1 | tail -15
$V measure -e calibration --device cuda:0 -o "$OUT/h100-calibration.jsonl" 2>&1 | tail -30
