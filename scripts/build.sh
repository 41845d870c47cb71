#!/usr/bin/env bash
# Configures (once) and builds vitperf incrementally in build/. Quiet when up to date;
# prints the build log when something fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${VITPERF_BUILD_DIR:-$root/build}"
log="$build/last-build.log"
mkdir -p "$build"
if [ ! -f "$build/build.ninja" ]; then
  echo "vitperf: configuring in $build (the first build takes several minutes)" >&2
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
jobs=$(nproc 2>/dev/null || echo 2)
if ! cmake --build "$build" -j"$jobs" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
