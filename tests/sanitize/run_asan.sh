#!/bin/sh
# Run the kernels' tests against an AddressSanitizer build of seqcore.
#
#   tests/sanitize/run_asan.sh [pytest arguments...]
#
# Installs seqcore built with SEQCORE_SANITIZE=address into a scratch
# directory (the checkout and its own build are left alone), then runs
# pytest on a copy of tests/ with libasan preloaded: the Python interpreter
# is not instrumented, so the ASan runtime must be loaded before it. An
# out-of-bounds read or write, a use after free or a double free in the C
# kernels aborts the run with ASan's report. Leak checking is off (the
# interpreter keeps memory to the end by design). Without arguments the
# kernel test files are run; pass test files or pytest options to run
# others, as paths relative to the checkout (tests/test_x.py: the copy is
# run, so that the sanitized build is the one imported). PYTHON selects the
# interpreter (default: python3), which needs numpy, h5py and pytest, and
# Cython and setuptools to build quickly (else pip builds it in an isolated
# environment, as `pip install` does).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-python3}
libasan=$(${CC:-gcc} -print-file-name=libasan.so)
if [ ! -e "$libasan" ]; then
    echo "run_asan.sh: libasan.so not found (${CC:-gcc} -print-file-name)" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/seqcore-asan.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/src" "$work/site" "$work/run"
for part in setup.py pyproject.toml README.md csrc seqcore; do
    cp -r "$root/$part" "$work/src/"
done
rm -f "$work"/src/seqcore/_kernels.c "$work"/src/seqcore/_kernels*.so
cp -r "$root/tests" "$work/run/"

echo "run_asan.sh: building seqcore with SEQCORE_SANITIZE=address"
if "$python" -c "import Cython, numpy, setuptools" 2>/dev/null; then
    # in place, two compilers at a time
    (cd "$work/src" && SEQCORE_SANITIZE=address "$python" setup.py -q \
        build_ext --inplace -j 2) >"$work/build.log" 2>&1 &&
        mv "$work/src/seqcore" "$work/site/" ||
        { cat "$work/build.log"; exit 1; }
else  # as `pip install` builds, in an isolated environment
    SEQCORE_SANITIZE=address "$python" -m pip install --quiet --no-deps \
        --no-cache-dir --target "$work/site" "$work/src" \
        >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
fi

if [ $# -eq 0 ]; then
    set -- tests/test_gemm.py tests/test_conv_routed.py \
        tests/test_fused_workspaces.py tests/test_layers_forward.py \
        tests/test_activation_backward.py tests/test_losses.py \
        tests/test_gradients.py tests/test_training.py
fi

cd "$work/run"
export LD_PRELOAD="$libasan${LD_PRELOAD:+ $LD_PRELOAD}"
# Reports to files: pytest captures (and, on an abort, loses) stderr.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$work/asan:${ASAN_OPTIONS:-}"
export PYTHONPATH="$work/site${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONMALLOC=malloc  # Python's own blocks through ASan's malloc too
"$python" -c "import seqcore; assert seqcore.__file__.startswith('$work'), \
'not the sanitized build: ' + seqcore.__file__"
ldd "$work"/site/seqcore/_kernels*.so | grep -q libasan ||
    { echo "run_asan.sh: the build is not linked with libasan" >&2; exit 1; }
status=0
"$python" -m pytest -q -p no:cacheprovider "$@" || status=$?
for report in "$work"/asan.*; do
    [ -e "$report" ] || continue
    echo "run_asan.sh: AddressSanitizer report $report:" >&2
    cat "$report" >&2
    [ "$status" -ne 0 ] || status=1
done
exit "$status"
