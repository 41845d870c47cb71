#!/usr/bin/env bash
# ctest: installs the build tree into a temporary prefix, builds this consumer project against
# it with find_package(vitperf), and checks that the consumer reads the installed data and
# predicts exactly what the command line does.
#   run_test.sh <vitperf build dir> <vitperf binary>
set -euo pipefail
build=$1
cli=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
# The installed tree must not depend on the build tree or the sources: move it first.
mv "$tmp/prefix" "$tmp/moved"
cmake -S "$here" -B "$tmp/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/moved" >"$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/build" >"$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }
unset VITPERF_DATA_DIR
out=$(cd "$tmp" && "$tmp/build/consumer")
data_dir=$(sed -n 1p <<<"$out")
if [ "$data_dir" != "$tmp/moved/share/vitperf/data" ]; then
  echo "FAIL: consumer reads data from '$data_dir', not the installed $tmp/moved/share/vitperf/data"
  exit 1
fi
sed -n 2p <<<"$out" >"$tmp/consumer.json"
# --pipeline sequential: the library's PipelineOptions default (the CLI's predict assumes the
# overlapped pipeline unless told).
"$cli" predict --model vit_b16 --gpu h100 --batch 1,64 --pipeline sequential --json >"$tmp/cli.json"
python3 - "$tmp/consumer.json" "$tmp/cli.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    del d["meta"]["argv"]
if a != b:
    sys.exit("FAIL: the installed library's prediction differs from the command line's")
print("consumer: installed find_package(vitperf) build predicts as the CLI does,",
      len(a["rows"]), "rows, recommended batch", a["recommended_batch"])
PY
