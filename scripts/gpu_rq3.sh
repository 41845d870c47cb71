#!/usr/bin/env bash
# RQ3 on the GPU host (issue 23): AOTInductor packages for data/experiments/rq3_compiled.json,
# the C++ measurement (eager, graph, compiled default and max-autotune through the same pipeline
# probe), and Python's torch.compile beside it on the same models and weights.
#
# Run from the repository root after scripts/gpu_build.sh (build-gpu/cli/vitperf), with $OUT set:
#   scripts/gpu_rq3.sh compile   # ~5-6 min: writes the requests, builds 8 default + 3 max-autotune
#                                # packages in parallel (killed at 360 s; what is missing is then
#                                # skipped by the measurement, with its name)
#   scripts/gpu_rq3.sh measure   # ~6 min: the 95 C++ points, then torch.compile on 3 models
#   scripts/gpu_rq3.sh all       # both, when one call may take ~12 min
#   scripts/gpu_rq3.sh repeat    # ~2 min: the batch-1 and batch-16 points alone, once more (a
#                                # later pass over the host-bound points, after `compile`)
# The packages live in build-gpu/aoti (several GB: they stay on the host, a second call finds
# them while the machine is held); $OUT gets the records, the logs and aoti-sidecars.tar.gz
# (requests, sidecars and compile logs): at most 7 files, as the device returns no more than 8.
# Environment: RQ3_AOTI_DIR (default build-gpu/aoti), RQ3_JOBS (default 6 compilations at once),
# RQ3_COMPILE_DEADLINE_S (default 360), RQ3_PY_BUDGET_S (default 150), RQ3_PYTHON (default 1;
# 0 skips the torch.compile side, e.g. in a second run when the first one's is committed),
# RQ3_REPEAT_SMALL (default 1: the batch-1 and batch-16 points measured a second time after the
# first pass, ~2 min), RQ3_REQUIRE_GPU (e.g. H200: exit 3 at once, before building anything,
# when the GPU's name does not contain it; a call that may get another card then costs seconds),
# RQ3_COMPILE_MODES (e.g. default: only that mode's compiled points, see below).
set -uo pipefail
stage=${1:-all}
case "$stage" in
  compile | measure | all | repeat) ;;
  *)
    echo "gpu_rq3.sh: stage: '$stage' is not one of compile, measure, all, repeat" >&2
    exit 2
    ;;
esac
[ -n "${OUT:-}" ] || { echo "gpu_rq3.sh: OUT: set it to the folder results go to" >&2; exit 2; }
# RQ3_COMPILE_MODES=default keeps the max-autotune packages out (the longest to build, 160-245
# s): every stage then compiles and measures the default-mode points alone.
mode_args=()
[ -n "${RQ3_COMPILE_MODES:-}" ] && mode_args=("compile_mode=$RQ3_COMPILE_MODES")
gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
if [ -n "${RQ3_REQUIRE_GPU:-}" ] && [[ "$gpu_name" != *"$RQ3_REQUIRE_GPU"* ]]; then
  echo "gpu_rq3.sh: RQ3_REQUIRE_GPU: this GPU is '$gpu_name', not a $RQ3_REQUIRE_GPU; nothing run" >&2
  exit 3
fi
export LD_LIBRARY_PATH="$PWD/.deps/usr/lib:${LD_LIBRARY_PATH:-}"
V=build-gpu/cli/vitperf
[ -x "$V" ] || { echo "gpu_rq3.sh: $V: missing (run scripts/gpu_build.sh first)" >&2; exit 2; }
aoti=${RQ3_AOTI_DIR:-build-gpu/aoti}
mkdir -p "$aoti" "$OUT"
start=$(date +%s)
since() { echo "$(( $(date +%s) - start )) s"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
# Output files are named after the GPU they ran on (h200, h100, ...): a call may get either.
gpu_tag=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import timm_amp_study as s
print(s.gpu_short_name(sys.argv[1]))' "$gpu_name")
gpu_tag=${gpu_tag:-gpu}
python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__, "cuda", torch.version.cuda)'

# Packs what is small and worth keeping into one file: requests, sidecars, compile logs and a
# listing (not the packages and weights, which are GB). One file, because the device returns at
# most 8 files from $OUT (a run that left more lost its records); unpack it into
# data/measurements/<gpu>/rq3_aoti/.
keep_aoti_files() {
  local out
  out=$(cd "$OUT" && pwd)
  ls -la "$aoti" > "$aoti/listing.txt"
  (cd "$aoti" && tar -czf "$out/aoti-sidecars.tar.gz" listing.txt \
    $(ls *.request.json *.pt2.json *.compile.log 2>/dev/null))
}

# The batch-1 and batch-16 points (compute-only and end to end) once more, into a file of their
# own; --resume finishes it after an interruption.
measure_small_batches() {
  $V measure -e rq3_compiled --device cuda:0 --aoti-dir "$aoti" "${mode_args[@]}" batch=1,16 probes=none \
    -o "$OUT/$gpu_tag-rq3-compiled-small-batch-repeat.jsonl" --resume 2>&1 \
    | tee "$OUT/measure-repeat.log" | tail -3
  echo "batch 1 and 16 repeat done after $(since)"
}

if [ "$stage" = compile ] || [ "$stage" = all ]; then
  # The requests name every package the experiment's compiled points run, with the weights the
  # C++ module draws; aoti_compile.py skips packages already built.
  $V measure -e rq3_compiled --device cuda:0 --aoti-dir "$aoti" "${mode_args[@]}" --aoti-prepare \
    || { echo "gpu_rq3.sh: --aoti-prepare failed" >&2; exit 1; }
  echo "requests written after $(since)"
  python3 scripts/aoti_compile.py "$aoti" --jobs "${RQ3_JOBS:-6}" \
    --deadline "${RQ3_COMPILE_DEADLINE_S:-360}" 2>&1 | tee "$OUT/aoti_compile.log"
  echo "packages built after $(since)"
  keep_aoti_files
fi

if [ "$stage" = measure ] || [ "$stage" = all ]; then
  # --resume: a second call (after an interruption) finishes the file instead of refusing it.
  $V measure -e rq3_compiled --device cuda:0 --aoti-dir "$aoti" "${mode_args[@]}" \
    -o "$OUT/$gpu_tag-rq3-compiled.jsonl" --resume 2>&1 | tee "$OUT/measure.log" | tail -5
  echo "C++ measurement done after $(since)"
  # The host-bound points (batch 1 and 16) again, minutes later: one stint's host state moved
  # S/16 against B/16 by 1.5x at batch 1 (same kernels), and the 2-block model's batch-16
  # compiled point ran 40450 img/s in one H100 run and 71942 in the next. validate pools the
  # records of a point into its long-run average (model/repeated_points.h); on the H100 a
  # second pass took the compiled 5-fold from 11.6% to 6.1% (docs/compiled-execution.md).
  # (The end-to-end sweep, batch 1 and 64 in the first pass, gains batch-16 points of its own.)
  [ "${RQ3_REPEAT_SMALL:-1}" = 1 ] && measure_small_batches
  # The Python side by side: eager, torch.compile default and reduce-overhead on the presets at
  # 224 px, batch 1 and 256, with the kernel classes at batch 256.
  if [ "${RQ3_PYTHON:-1}" = 1 ]; then
    python3 scripts/python_compile_compare.py "$aoti" -o "$OUT/$gpu_tag-rq3-torch-compile.jsonl" \
      --models 'vit_s16-224x224*,vit_b16-224x224*,vit_l16-224x224*' --batches 1,256 \
      --time-cap 1 --time-budget "${RQ3_PY_BUDGET_S:-150}" --profile 2>&1 \
      | tee "$OUT/python_compile_compare.log" | tail -25
    echo "torch.compile comparison done after $(since)"
  fi
  keep_aoti_files
  grep -c '"kind":"pipeline"' "$OUT/$gpu_tag-rq3-compiled.jsonl" | sed 's/^/pipeline records: /'
  for s in ok skipped error oom; do
    printf '%s: %s\n' "$s" "$(grep -c "\"status\":\"$s\"" "$OUT/$gpu_tag-rq3-compiled.jsonl")"
  done
fi
if [ "$stage" = repeat ]; then
  measure_small_batches
  keep_aoti_files
fi
echo "gpu_rq3.sh $stage took $(since)"
