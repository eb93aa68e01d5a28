#!/bin/sh
# CI for the R package: on a fresh Debian machine, as root, with CI=true:
#   installs R and the Debian R packages it needs, makes a Python environment
#   with numpy < 2 and seqcore from this checkout (through install_seqcore()),
#   installs the R package, runs its testthat tests and prints a final line
#   "N passed, N failed"; exits non-zero when anything failed.
# Without CI=true the apt step is skipped (the tools must be there).
# Environment: SEQCORE_VENV (the Python environment; default under /tmp, reused
# between runs), PYTHON (the Python that creates it; default python3).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

if [ "${CI:-}" = "true" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq r-base-core r-cran-reticulate r-cran-magrittr r-cran-r6 \
    r-cran-testthat python3 python3-venv python3-dev build-essential \
    > /dev/null
fi
for tool in R Rscript; do
  command -v "$tool" > /dev/null || { echo "ci.sh: $tool not found" >&2; exit 2; }
done

venv=${SEQCORE_VENV:-${TMPDIR:-/tmp}/seqcore-r-venv}
python=${PYTHON:-python3}
rlib=$(mktemp -d)
trap 'rm -rf "$rlib"' EXIT

echo "== R CMD INSTALL r (into $rlib)"
R CMD INSTALL --no-multiarch -l "$rlib" "$here" > "$rlib/install.log" 2>&1 || {
  cat "$rlib/install.log"; echo "0 passed, 1 failed"; exit 1; }

echo "== install_seqcore() into $venv"
# RETICULATE_PYTHON is unset here so that install_seqcore() makes the venv.
env -u RETICULATE_PYTHON R_LIBS="$rlib" Rscript -e "
  seqcore::install_seqcore(envname = '$venv', checkout = '$root',
                           python = Sys.which('$python'))" || {
  echo "0 passed, 1 failed"; exit 1; }

echo "== testthat"
cd "$root"
RETICULATE_PYTHON="$venv/bin/python" R_LIBS="$rlib" \
  Rscript "$here/run-tests.R" "$here/tests/testthat"
