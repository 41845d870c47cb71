#!/usr/bin/env bash
# Builds the vitperf CLI on a GPU host against pip's LibTorch (CUDA), in build-gpu/: the same
# build `./vitperf calibrate --device cuda:0 ...` makes by itself (scripts/build.sh gpu).
# Header-only dependencies missing there (CLI11, nlohmann_json, hwloc) can be supplied under
# .deps/usr (extracted from Debian's packages); scripts/gpu_deps_check.sh names what is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" gpu vitperf
