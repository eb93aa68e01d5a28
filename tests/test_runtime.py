"""Threads, ISA selection and build information."""
import os
import subprocess
import sys

import pytest

import seqcore
from seqcore import _kernels


def run_python(code, **env):
    """Run `code` in a fresh interpreter with extra environment variables."""
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("SEQCORE_ISA", "OMP_NUM_THREADS")}
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", code], env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_version_and_build_info():
    assert isinstance(seqcore.__version__, str) and seqcore.__version__
    info = seqcore.build_info()
    assert info["isa"] in info["isa_available"]
    assert "generic" in info["isa_available"]
    assert info["num_threads"] == seqcore.get_num_threads()


def test_set_and_get_num_threads(threads):
    threads(1)
    assert seqcore.get_num_threads() == 1
    if _kernels.openmp_enabled():
        threads(3)
        assert seqcore.get_num_threads() == 3


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", None, True])
def test_set_num_threads_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="positive integer, received"):
        seqcore.set_num_threads(bad)


def test_default_threads_follow_affinity_mask():
    if not _kernels.openmp_enabled():
        pytest.skip("built without OpenMP: always one thread")
    out = run_python("import seqcore; print(seqcore.get_num_threads())")
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(os.sched_getaffinity(0))
    one_cpu = sorted(os.sched_getaffinity(0))[0]
    out = run_python(f"import os; os.sched_setaffinity(0, {{{one_cpu}}}); "
                     "import seqcore; print(seqcore.get_num_threads())")
    assert int(out.stdout) == 1


def test_default_threads_honour_omp_num_threads():
    if not _kernels.openmp_enabled():
        pytest.skip("built without OpenMP: always one thread")
    out = run_python("import seqcore; print(seqcore.get_num_threads())",
                     OMP_NUM_THREADS="3")
    assert int(out.stdout) == 3


def test_seqcore_isa_environment_variable():
    out = run_python("import seqcore; print(seqcore.build_info()['isa'])",
                     SEQCORE_ISA="generic")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "generic"


def test_unknown_isa_name_is_a_clear_error():
    out = run_python("import seqcore", SEQCORE_ISA="sse9")
    assert out.returncode != 0
    assert "SEQCORE_ISA must be one of ['generic', 'avx2', 'avx512'], " \
           "received 'sse9'" in out.stderr


def test_unavailable_isa_is_a_clear_error():
    missing = [n for n in _kernels.isa_names() if not _kernels.isa_available(n)]
    if not missing:
        pytest.skip("this CPU runs every ISA seqcore has")
    out = run_python("import seqcore", SEQCORE_ISA=missing[0])
    assert out.returncode != 0
    assert f"cannot run the {missing[0]!r} kernels" in out.stderr


def test_select_isa_rejects_unknown_name():
    with pytest.raises(ValueError, match="unknown ISA 'mmx'"):
        _kernels.select_isa("mmx")
