#!/usr/bin/env bash
# Sixth GPU session (2026-11-23, third session): a held-out check of the SIMT-fallback rule.
# The model (fitted before these points existed) predicts that ViT-B/16 math attention leaves
# tensor cores for its score product once batch x 12 heads x tokens^2 passes 2^32: at 1024 px
# (4097 tokens) from batch 22, at 2048 px (16385 tokens) from batch 2. Measures either side.
set -uo pipefail
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
start=$(date +%s)
scripts/gpu_build.sh > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
echo "build done at $(( $(date +%s) - start )) s"
gpu=${GPU_TAG:-h100}
out="$OUT/$gpu-simt_check.jsonl"
V=build-gpu/cli/vitperf
$V measure --device cuda:0 -e h100_campaign -o "$out" sweep=resolution_attention probes=none \
  res=1024 attention=math batch=16,20,24,32 2>&1 | tail -1
$V measure --device cuda:0 -e h100_campaign -o "$out" --resume sweep=resolution_attention \
  probes=none res=2048 attention=math batch=1,2,3 2>&1 | tail -1
echo "done at $(( $(date +%s) - start )) s"
