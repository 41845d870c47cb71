#!/usr/bin/env bash
# Configures (once) and builds vitperf incrementally; quiet when up to date, prints the build
# log when something fails.
#   scripts/build.sh [light|full|gpu] [target...]
# full (default): build/ with everything found (LibTorch, Ceres, tests, Python module).
# light: build-light/, the command line without LibTorch, Ceres, tests or Python: what
#        predict, best, models, gpus, regimes, laws, report and plain validate need. When build/
#        is configured already, its command line is used instead (it can do everything).
# gpu:   build-gpu/, against PyTorch's LibTorch with CUDA (scripts/torch_prefix.sh finds it),
#        for measure/calibrate on a GPU; header-only dependencies from .deps/usr when present.
# Prints the build directory on stdout. VITPERF_BUILD_DIR overrides the directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tier=${1:-full}
[ $# -gt 0 ] && shift
targets=("$@")
args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
case $tier in
  full) build="${VITPERF_BUILD_DIR:-$root/build}" ;;
  light)
    build="${VITPERF_BUILD_DIR:-$root/build-light}"
    [ -z "${VITPERF_BUILD_DIR:-}" ] && [ -f "$root/build/build.ninja" ] && build="$root/build"
    # -O1: half the compile time of -O3 for the first prediction. The numbers match the full
    # build's (no fast-math; x86-64 without -march has no FMA to contract into).
    args+=(-DVITPERF_WITH_MEASURE=OFF -DVITPERF_WITH_FIT=OFF -DVITPERF_WITH_TESTS=OFF
           -DVITPERF_WITH_PYTHON=OFF "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG") ;;
  gpu)
    build="${VITPERF_BUILD_DIR:-$root/build-gpu}"
    torch_prefix=$("$root/scripts/torch_prefix.sh")
    prefix="$torch_prefix"
    # A host without a package registry: headers copied from Debian's packages (gpu_build.sh).
    if [ -d "$root/.deps/usr/include" ]; then
      prefix="$prefix;$root/.deps/usr"
      args+=(-DCLI11_INCLUDE_DIR="$root/.deps/usr/include")
    fi
    # The stamp (scripts/stamp_revision.sh, with -dirty), read at every build: the device's
    # copy of the tree can hold a .git whose HEAD is older than the tree (2026-12-05: records
    # said 91cbb618d081 for a tree at eccbbeadf6c4), and a warm host keeps its configured build.
    # The GPU's own architecture (torch's CMake config enables CUDA and needs one).
    arch=$(python3 -c 'import torch; m, n = torch.cuda.get_device_capability(0); print(m * 10 + n)' \
           2>/dev/null || echo 90)
    args+=(-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CUDA_ARCHITECTURES="$arch"
           -DVITPERF_WITH_TESTS=OFF -DVITPERF_WITH_PYTHON=OFF
           -DVITPERF_GIT_REVISION_FILE="$build/git_revision") ;;
  *) echo "build.sh: '$tier' is not one of light, full, gpu" >&2; exit 2 ;;
esac
log="$build/last-build.log"
mkdir -p "$build"
if [ "$tier" = gpu ]; then
  # The revision the records will carry: the stamp, marked -unstamped when the tree's contents
  # no longer match the ones it was stamped for. Without a stamp (a git clone on its own GPU
  # host), no file: cmake/git_revision.cmake asks git.
  rm -f "$build/git_revision"
  if [ -f "$root/.deps/git_revision" ]; then
    revision=$(cat "$root/.deps/git_revision")
    if [ -f "$root/.deps/git_tree_files" ] && [ "$("$root/scripts/tree_digest.sh" \
        "$root/.deps/git_tree_files")" != "$(cat "$root/.deps/git_tree_digest" 2>/dev/null)" ]; then
      revision="$revision-unstamped"
      echo "vitperf: the tree differs from the one .deps/git_revision was stamped for" \
        "(run scripts/stamp_revision.sh before a GPU run); records will say $revision" >&2
    fi
    echo "$revision" >"$build/git_revision"
  fi
fi
if [ ! -f "$build/build.ninja" ]; then
  echo "vitperf: configuring a $tier build in $build" >&2
  if ! cmake -S "$root" -B "$build" "${args[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    [ "$tier" = gpu ] && "$root/scripts/gpu_deps_check.sh" >&2
    exit 1
  fi
  if [ "$tier" = gpu ] && ! grep -q "measure/ CUDA=ON" "$log"; then
    echo "vitperf: $build found no LibTorch with CUDA (see $log)" >&2
    exit 1
  fi
fi
jobs=$(nproc 2>/dev/null || echo 2)
target_args=()
for t in "${targets[@]}"; do target_args+=(--target "$t"); done
if ! cmake --build "$build" -j"$jobs" "${target_args[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
echo "$build"
