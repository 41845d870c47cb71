#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages vitperf builds with, only those missing; silent when
# nothing is missing.
#   scripts/ensure_deps.sh [light|gpu|full]
# light: what the command line's predictions need (compiler, CMake, two header-only libraries),
#        so the first `./vitperf predict` on a fresh machine installs little.
# gpu:   light plus hwloc and Ceres, for measuring against PyTorch's LibTorch and fitting.
# full (default): also LibTorch, Ceres, hwloc, the test frameworks, pybind11 for the Python
#        module, and Slurm with munge for the job-array test.
# Set VITPERF_SKIP_DEPS=1 on hosts that manage their own dependencies (a GPU host with pip's
# LibTorch and no package registry).
set -euo pipefail
[ "${VITPERF_SKIP_DEPS:-0}" = 1 ] && exit 0
tier=${1:-full}

packages=(cmake ninja-build g++ pkg-config git nlohmann-json3-dev libcli11-dev)
case $tier in
  light) ;;
  gpu) packages+=(libhwloc-dev libceres-dev) ;;
  full)
    packages+=(libeigen3-dev libgtest-dev libbenchmark-dev libhwloc-dev libceres-dev
               libtorch-dev gnuplot-nox python3-dev pybind11-dev slurm-wlm munge) ;;
  *) echo "ensure_deps.sh: '$tier' is not one of light, gpu, full" >&2; exit 2 ;;
esac

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
# Package scripts must not start daemons (slurmctld, munged) on this machine: the Slurm test
# starts its own. policy-rc.d exit 101 tells invoke-rc.d "not allowed".
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy"
  created_policy=1
fi
status=0
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || status=$?
[ $created_policy = 1 ] && $sudo rm -f "$policy"
exit $status
