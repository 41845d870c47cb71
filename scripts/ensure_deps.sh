#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages vitperf builds with, only those missing; silent when
# nothing is missing. Set VITPERF_SKIP_DEPS=1 on hosts that manage their own dependencies
# (the GPU host: LibTorch from pip, no Ceres).
set -euo pipefail
[ "${VITPERF_SKIP_DEPS:-0}" = 1 ] && exit 0

packages=(cmake ninja-build g++ pkg-config git
          nlohmann-json3-dev libcli11-dev libeigen3-dev libgtest-dev libbenchmark-dev
          libhwloc-dev libceres-dev libtorch-dev gnuplot-nox)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "vitperf: missing packages (${missing[*]}) and no apt-get to install them" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "vitperf: run as root to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "vitperf: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
