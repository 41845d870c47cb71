#!/usr/bin/env bash
# Builds the vitperf CLI on a GPU host against pip's LibTorch (CUDA), in build-gpu/.
# That host has no Ceres: fit/ is skipped, measuring works. Header-only dependencies missing
# there (CLI11, nlohmann_json) can be supplied under .deps/usr (copied from Debian's packages).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# The tree arrives without .git: scripts/stamp_revision.sh wrote the revision beside .deps.
revision=$(cat "$root/.deps/git_revision" 2>/dev/null || echo unknown)
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$root/.deps/usr" \
  -DCLI11_INCLUDE_DIR="$root/.deps/usr/include" \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DVITPERF_WITH_TESTS=OFF \
  -DVITPERF_GIT_REVISION_OVERRIDE="$revision"
cmake --build build-gpu -j"$(nproc)" --target vitperf
