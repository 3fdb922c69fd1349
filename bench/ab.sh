#!/bin/bash
# bench/ab.sh: two occam binaries side by side (A = before a change, B = after), `occam bench`
# on the MLP and the CNN, repetitions interleaved (A, B, A, B, ...) so that the machine's load
# falls on both alike. Prints each run's steady samples/s and the median ratio B/A per model.
#
#   bash bench/ab.sh /tmp/base/build/occam build/occam        # REPS=5 by default
#
# Variables: REPS [5], MLP_ARGS [--epochs 1 --max-batches 300 --no-eval],
#            CNN_ARGS [--epochs 1 --max-batches 60 --no-eval], THREADS [2]
set -euo pipefail
A=${1:?usage: bench/ab.sh OCCAM_A OCCAM_B}
B=${2:?usage: bench/ab.sh OCCAM_A OCCAM_B}
REPS=${REPS:-5}
THREADS=${THREADS:-2}
MLP_ARGS=${MLP_ARGS:---epochs 1 --max-batches 300 --no-eval}
CNN_ARGS=${CNN_ARGS:---epochs 1 --max-batches 60 --no-eval}
OUT=$(mktemp)
for model in mlp cnn; do
  args=$MLP_ARGS
  [[ $model == cnn ]] && args=$CNN_ARGS
  for rep in $(seq "$REPS"); do
    for side in A B; do
      bin=$A
      [[ $side == B ]] && bin=$B
      # shellcheck disable=SC2086
      sps=$("$bin" bench --model "$model" --threads "$THREADS" $args |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["train_sps_steady_median"])')
      echo "$model $rep $side $sps" | tee -a "$OUT"
    done
  done
done
/usr/bin/python3 - "$OUT" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for model in ("mlp", "cnn"):
    a = [float(r[3]) for r in rows if r[0] == model and r[2] == "A"]
    b = [float(r[3]) for r in rows if r[0] == model and r[2] == "B"]
    pairs = [y / x for x, y in zip(a, b)]
    print(f"{model}: A median {statistics.median(a):.0f}  B median {statistics.median(b):.0f} samples/s;"
          f"  B/A per pair {', '.join(f'{p:.3f}' for p in pairs)}; median {statistics.median(pairs):.3f}")
PY
rm -f "$OUT"
