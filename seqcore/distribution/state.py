"""The process's distribution state: the MPI job it belongs to (joined
lazily) and the distribution `set_distribution` chose. Import-light: the
trainer, the progress bar and the callbacks ask it who is chief and which
hooks to run, without importing mpi4py."""

_comm = None
_distribution = None
_runtime = None


def comm():
    """This process's job (joined on first use): rank, size, collectives."""
    global _comm
    if _comm is None:
        from seqcore.distribution import mpi_backend
        _comm = mpi_backend.connect()
    return _comm


def joined():
    return _comm is not None


def get_distribution():
    return _distribution


def set_distribution(value):
    global _distribution, _runtime
    _distribution = value
    _runtime = None


def is_chief():
    """True on rank 0, and in any process that never joined a job: the
    rank that prints and writes files."""
    return _comm is None or _comm.rank == 0


def hooks():
    """What the trainer asks at each step: a DataParallelRuntime when a
    DataParallel distribution is set and the job has several ranks, else
    the no-op hooks (so a single process trains exactly as without
    distribution)."""
    global _runtime
    from seqcore.distribution import data_parallel
    if _distribution is None or not getattr(_distribution,
                                            "_data_parallel", False):
        return data_parallel.NO_DISTRIBUTION
    job = comm()
    if job.size == 1:
        return data_parallel.NO_DISTRIBUTION
    if _runtime is None or _runtime.distribution is not _distribution:
        _runtime = data_parallel.DataParallelRuntime(job, _distribution)
    return _runtime
