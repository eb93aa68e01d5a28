"""Threads and CPU kernels: the process-wide settings every kernel obeys."""
import os

from seqcore import _kernels


def set_num_threads(n):
    """Use up to `n` threads (>= 1) in every seqcore kernel.

    Small kernels still run on one thread: below a work threshold a second
    thread costs more than it saves.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(
            f"set_num_threads: n must be a positive integer, received {n!r}")
    _kernels.set_num_threads(n)


def get_num_threads():
    """The thread count kernels may use: by default OMP_NUM_THREADS if set,
    else the number of CPUs this process may run on (its affinity mask)."""
    return _kernels.get_num_threads()


def _select_isa_from_environment():
    """Honour SEQCORE_ISA=generic|avx2|avx512; unset means the best one."""
    name = os.environ.get("SEQCORE_ISA", "").strip().lower()
    if not name:
        # the first query selects the best ISA for every kernel family
        # (kernels that never ask would otherwise keep the portable loops)
        _kernels.current_isa()
        return
    if name not in _kernels.isa_names():
        raise ValueError(
            f"SEQCORE_ISA must be one of {_kernels.isa_names()}, received "
            f"{os.environ['SEQCORE_ISA']!r}")
    _kernels.select_isa(name)


def build_info():
    """What this build and this CPU provide, as a dict."""
    return {
        "version": __import__("seqcore").__version__,
        "isa": _kernels.current_isa(),
        "isa_available": [n for n in _kernels.isa_names()
                          if _kernels.isa_available(n)],
        "openmp": _kernels.openmp_enabled(),
        "num_threads": _kernels.get_num_threads(),
    }


_select_isa_from_environment()
