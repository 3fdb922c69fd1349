#!/bin/bash
# bench/compare.sh: Occam against PyTorch (Python) and LibTorch (C++) on this machine, on the two
# reference models of ../shared/bench/torch_ref.py, one program at a time, repetitions
# interleaved (rep 1 of every configuration, then rep 2, ...). Every JSON line goes to
# bench/build/compare-<stamp>.jsonl; bench/summarize.py turns them into the ratio table between
# the markers of bench/RESULTS.md (the rest of that file is written by hand).
#
#   bash bench/compare.sh                    # 3 reps: MLP 2 epochs, CNN 150 steps (~30-60 min)
#   REPS=1 QUICK=1 bash bench/compare.sh     # a smoke run (~3 min), table not written
#
# Variables (defaults in brackets):
#   OCCAM          the occam binary [build/occam]; it must have the `bench` sub-command
#   SHARED_BENCH   folder with torch_ref.py, libtorch_ref.cpp, build.sh and the kernel
#                  benchmarks [../shared/bench, relative to the repository]
#   PYTHON         [/usr/bin/python3]    REPS [3]
#   MLP_ARGS       [--epochs 2]          CNN_ARGS [--epochs 1 --max-batches 150]
#   MODELS         [mlp cnn]             TORCH_CONFIGS [D1 D2 T1 T2 T2b]
#   RESULTS        the file whose marked block is rewritten [bench/RESULTS.md]
# PyTorch configurations, as ../shared/bench/ANCHORS.md names them:
#   D1, D2   as shipped, 1 and 2 threads
#   T1       "no-trim" glibc heap (freed memory stays in the process), 1 thread
#   T2       no-trim, 2 threads, OMP_WAIT_POLICY=passive
#   T2b      no-trim, 2 threads, passive, OpenBLAS on 1 thread
# Occam runs as shipped: `occam bench --threads 2` and `--threads 1`, plus `--l2 0` (no
# regularization terms) to measure what the terms cost.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
OCCAM=${OCCAM:-$REPO/build/occam}
SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
PYTHON=${PYTHON:-/usr/bin/python3}
REPS=${REPS:-3}
MODELS=${MODELS:-mlp cnn}
TORCH_CONFIGS=${TORCH_CONFIGS:-D1 D2 T1 T2 T2b}
RESULTS=${RESULTS:-$REPO/bench/RESULTS.md}
if [[ -n ${QUICK:-} ]]; then
  MLP_ARGS=${MLP_ARGS:---epochs 1 --max-batches 60 --no-eval}
  CNN_ARGS=${CNN_ARGS:---epochs 1 --max-batches 20 --no-eval}
else
  MLP_ARGS=${MLP_ARGS:---epochs 2}
  CNN_ARGS=${CNN_ARGS:---epochs 1 --max-batches 150}
fi
BUILD=$REPO/bench/build
mkdir -p "$BUILD"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$BUILD/compare-$STAMP.jsonl}
NOTRIM=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=68719476736

[[ -x $OCCAM ]] || { echo "compare.sh: no occam binary at $OCCAM (build it, or set OCCAM=)" >&2; exit 1; }
[[ -f $SHARED_BENCH/torch_ref.py ]] || { echo "compare.sh: no torch_ref.py in $SHARED_BENCH (set SHARED_BENCH=)" >&2; exit 1; }
# LibTorch reference and the kernel benchmarks, built once into bench/build/ (git ignores it).
for prog in libtorch_ref dnnl_matmul_bench dnnl_conv_bench fma_peak; do
  [[ -x $BUILD/$prog ]] || BUILD_DIR=$BUILD bash "$SHARED_BENCH/build.sh" >&2
done

# run TAG REP CMD...: runs one benchmark, appends {"tag","rep","result"} to $OUT.
run() {
  local tag=$1 rep=$2
  shift 2
  echo "[$(date -u +%H:%M:%S)] rep $rep $tag: $*" >&2
  local line
  if line=$("$@" 2>"$BUILD/last-stderr.txt" | tail -n 1) && [[ $line == \{* ]]; then
    printf '{"tag": "%s", "rep": %d, "load": "%s", "result": %s}\n' "$tag" "$rep" \
      "$(cut -d' ' -f1-3 /proc/loadavg)" "$line" >>"$OUT"
  else
    echo "compare.sh: $tag failed (stderr in $BUILD/last-stderr.txt)" >&2
  fi
}

# kernels REP: the best library rates on the two models' shapes, in isolation.
kernels() {
  local rep=$1 line
  for prog in "dnnl_matmul_bench --group mlp" "dnnl_conv_bench --layouts any" "fma_peak"; do
    echo "[$(date -u +%H:%M:%S)] rep $rep kernels: $prog" >&2
    # shellcheck disable=SC2086
    "$BUILD"/$prog --trials 3 --seconds 0.15 2>/dev/null | sed -n 's/^json: //p' | while read -r line; do
      printf '{"tag": "kernel:%s", "rep": %d, "result": %s}\n' "${prog%% *}" "$rep" "$line" >>"$OUT"
    done
  done
}

torch_env() {  # CONFIG -> env assignments and extra flags for torch_ref.py / libtorch_ref
  case $1 in
    D1) echo "-- --threads 1" ;;
    D2) echo "-- --threads 2" ;;
    T1) echo "GLIBC_TUNABLES=$NOTRIM -- --threads 1" ;;
    T2) echo "GLIBC_TUNABLES=$NOTRIM -- --threads 2 --omp-wait passive" ;;
    T2b) echo "GLIBC_TUNABLES=$NOTRIM -- --threads 2 --blas-threads 1 --omp-wait passive" ;;
  esac
}

echo "compare.sh: writing $OUT" >&2
for rep in $(seq 1 "$REPS"); do
  [[ -n ${QUICK:-} ]] || kernels "$rep"
  for model in $MODELS; do
    args=$MLP_ARGS
    [[ $model == cnn ]] && args=$CNN_ARGS
    # shellcheck disable=SC2086
    {
      run "occam:2" "$rep" env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT \
        "$OCCAM" bench --model "$model" --threads 2 $args
      run "occam:1" "$rep" env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT \
        "$OCCAM" bench --model "$model" --threads 1 $args
      run "occam:2:no-l2" "$rep" env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT \
        "$OCCAM" bench --model "$model" --threads 2 --l2 0 $args
      for cfg in $TORCH_CONFIGS; do
        spec=$(torch_env "$cfg")
        envs=${spec%%--*}
        flags=${spec#*-- }
        run "pytorch:$cfg" "$rep" env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT $envs \
          "$PYTHON" "$SHARED_BENCH/torch_ref.py" --model "$model" $flags $args
        run "libtorch:$cfg" "$rep" env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT $envs \
          "$BUILD/libtorch_ref" --model "$model" $flags $args
      done
    }
  done
done

if [[ -n ${QUICK:-} ]]; then
  "$PYTHON" "$REPO/bench/summarize.py" "$OUT"
else
  "$PYTHON" "$REPO/bench/summarize.py" "$OUT" --results "$RESULTS" \
    --command "bash bench/compare.sh (REPS=$REPS, MLP: $MLP_ARGS, CNN: $CNN_ARGS)"
fi
