#!/bin/sh
# fit() of the guide's MLP from R against the same fit from Python: ROUNDS
# interleaved pairs of processes, REPEATS fits each; prints the medians.
# Usage: RETICULATE_PYTHON=/path/to/venv/bin/python sh r/bench/compare.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${RETICULATE_PYTHON:?set RETICULATE_PYTHON to the venv seqcore is in}
rounds=${ROUNDS:-5}
out=$(mktemp)
i=0
while [ "$i" -lt "$rounds" ]; do
  Rscript "$here/mlp_fit.R" >> "$out"
  (cd /tmp && "$python" "$here/mlp_fit.py") >> "$out"
  i=$((i + 1))
done
lscpu | sed -n 's/^Model name: *//p' | head -1
Rscript -e '
  d <- read.table(commandArgs(TRUE)[1], col.names = c("side", "seconds"))
  m <- tapply(d$seconds, d$side, median)
  n <- table(d$side)
  cat(sprintf("fit, 20 epochs of 1000 x 20: R median %.4f s (n=%d), Python median %.4f s (n=%d), R/Python %.3f\n",
              m[["r"]], n[["r"]], m[["py"]], n[["py"]], m[["r"]] / m[["py"]]))' "$out"
rm -f "$out"
