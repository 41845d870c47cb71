#!/usr/bin/env bash
# After a failed GPU configure: names the dependencies the GPU build could not find and where
# they can come from on a host without a package registry (.deps/usr, see gpu_build.sh).
root=$(cd "$(dirname "$0")/.." && pwd)
missing=()
have() {  # have HEADER: in the system include dirs or under .deps/usr/include
  [ -e "/usr/include/$1" ] || [ -e "/usr/local/include/$1" ] || [ -e "$root/.deps/usr/include/$1" ]
}
have nlohmann/json.hpp || missing+=("nlohmann-json3-dev (nlohmann/json.hpp)")
have CLI/CLI.hpp || missing+=("libcli11-dev (CLI/CLI.hpp)")
have hwloc.h || missing+=("libhwloc-dev (hwloc.h, and libhwloc.so)")
command -v cmake >/dev/null || missing+=("cmake")
command -v ninja >/dev/null || missing+=("ninja-build")
if [ ${#missing[@]} -gt 0 ]; then
  echo "vitperf: the GPU build lacks: ${missing[*]}."
  echo "  With a package registry: apt-get install the packages named."
  echo "  Without one: download those .deb files elsewhere, then here run"
  echo "    for f in *.deb; do dpkg-deb -x \"\$f\" $root/.deps; done"
  echo "  and run the command again (the build looks in $root/.deps/usr)."
fi
