"""The MPI transport: mpi4py imported lazily, collectives with a deadline.

A process started without a launcher (no `mpiexec`) is a job of size 1 and
never imports mpi4py. Under `mpiexec`, `connect()` imports mpi4py (a clear
ImportError says how to install it), sets the communicator's error handler
to return errors, and installs an exception hook that aborts the whole job
when any rank raises, so the other ranks exit instead of waiting.

Every collective is nonblocking (`Iallreduce`, `Ibcast`, `Iallgather`...)
followed by a `Test` loop with a deadline: `SEQCORE_MPI_TIMEOUT` seconds
(default 60). A rank that waits past the deadline prints which collective
did not complete and aborts the job, so a dead or stuck rank never leaves
the others hanging."""
import hashlib
import os
import sys
import time
import traceback

import numpy as np

DEFAULT_TIMEOUT = 60.0

# Environment variables that launchers set in every rank they start.
_LAUNCHER_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE",
                       "MPI_LOCALNRANKS", "SLURM_NTASKS")
_LAUNCHER_RANK_VARS = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK")

INSTALL_HINT = ("seqcore's distribution runs on MPI through mpi4py, which "
                "is not installed. Install it with `pip install "
                "seqcore[mpi]` (mpi4py and the `mpich` wheel, which brings "
                "`mpiexec`), or `pip install mpi4py` against a system MPI "
                "(Debian: `apt-get install mpich libmpich-dev`).")


def launched_size():
    """The job size a launcher announced in the environment, or None when
    this process was not started by `mpiexec`/`srun`."""
    for name in _LAUNCHER_SIZE_VARS[:3]:
        value = os.environ.get(name)
        if value:
            try:
                return int(value)
            except ValueError:
                return None
    if any(os.environ.get(name) for name in _LAUNCHER_RANK_VARS):
        return 0      # a rank variable without a size: ask MPI
    return None


def timeout_seconds():
    """SEQCORE_MPI_TIMEOUT as a positive float (default 60 s)."""
    raw = os.environ.get("SEQCORE_MPI_TIMEOUT")
    if raw is None or raw == "":
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"SEQCORE_MPI_TIMEOUT must be a number of seconds, "
                         f"received {raw!r}") from None
    if not value > 0:
        raise ValueError(f"SEQCORE_MPI_TIMEOUT must be positive, received "
                         f"{raw!r}")
    return value


def import_mpi():
    """mpi4py's MPI module, or ImportError naming how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise ImportError(f"{INSTALL_HINT} (import failed: {err})") from err
    return MPI


class SingleProcess:
    """The job of one process: rank 0 of 1; every collective is the
    identity."""

    rank = 0
    size = 1

    def abort(self, message):
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
        os._exit(1)


# How long a rank waits between printing why it aborts and aborting.
ABORT_GRACE_SECONDS = 0.5

# A collective's wait polls without pause this long, then yields the core
# between polls this much longer, then sleeps 1 ms between polls.
SPIN_SECONDS = 0.01
YIELD_SECONDS = 0.1


class MpiComm:
    """COMM_WORLD with deadline-bounded collectives.

    Args:
        MPI: the mpi4py.MPI module.
        timeout: seconds a collective may take before the job is aborted.
    """

    def __init__(self, MPI, timeout):
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD
        self.comm.Set_errhandler(MPI.ERRORS_RETURN)
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self.timeout = timeout
        self.wait_seconds = 0.0     # time spent inside collectives

    # ---- faults -------------------------------------------------------------

    def abort(self, message):
        """Print `message` on stderr and abort every rank of the job."""
        sys.stderr.write(f"seqcore.distribution (rank {self.rank} of "
                         f"{self.size}): {message}\n")
        sys.stderr.flush()
        # MPI_Abort makes the launcher kill every rank, and it may do so
        # before it has forwarded what this rank just wrote (seen under
        # load: an empty stderr). A moment's pause lets it through.
        time.sleep(ABORT_GRACE_SECONDS)
        try:
            self.comm.Abort(1)
        finally:
            os._exit(1)

    def _wait(self, request, what):
        """Complete `request`, or abort the job after the deadline.

        A nonblocking collective advances only while its ranks call Test, so
        a rank that sleeps stalls the others: the first SPIN_SECONDS poll
        without pause (steps are that far apart at most when the ranks are
        balanced), the next YIELD_SECONDS give the core away between polls,
        and only a longer wait (a slow or failed rank) sleeps."""
        start = time.perf_counter()
        deadline = start + self.timeout
        spins = 0
        try:
            while not request.Test():
                spins += 1
                if spins % 64:
                    continue
                now = time.perf_counter()
                waited = now - start
                if waited < SPIN_SECONDS:
                    continue
                if now > deadline:
                    self.abort(
                        f"{what} did not complete within "
                        f"{self.timeout:g} s (SEQCORE_MPI_TIMEOUT): "
                        f"another rank has failed, exited or is "
                        f"stuck; aborting the job")
                if waited < SPIN_SECONDS + YIELD_SECONDS:
                    os.sched_yield()
                else:
                    time.sleep(1e-3)
        except self.MPI.Exception as err:
            self.abort(f"{what} failed: {err}")
        self.wait_seconds += time.perf_counter() - start

    # ---- collectives --------------------------------------------------------

    def allreduce_sum(self, buffer, what="allreduce"):
        """Sum the contiguous numpy `buffer` over ranks, in place."""
        request = self.comm.Iallreduce(self.MPI.IN_PLACE, buffer,
                                       op=self.MPI.SUM)
        self._wait(request, what)
        return buffer

    def barrier(self, what="barrier"):
        """Return when every rank has called it (or abort at the deadline)."""
        self._wait(self.comm.Ibarrier(), what)

    def allreduce_max(self, buffer, what="allreduce"):
        request = self.comm.Iallreduce(self.MPI.IN_PLACE, buffer,
                                       op=self.MPI.MAX)
        self._wait(request, what)
        return buffer

    def bcast(self, buffer, root=0, what="broadcast"):
        """Overwrite the contiguous `buffer` with root's, in place."""
        request = self.comm.Ibcast(buffer, root=root)
        self._wait(request, what)
        return buffer

    def allgather(self, array, what="allgather"):
        """(size, *array.shape): every rank's `array` (same shape on all)."""
        array = np.ascontiguousarray(array)
        out = np.empty((self.size,) + array.shape, array.dtype)
        request = self.comm.Iallgather(array, out)
        self._wait(request, what)
        return out

    def node_count(self):
        """How many machines the job's ranks run on (by processor name)."""
        if getattr(self, "_nodes", None) is None:
            name = self.MPI.Get_processor_name().encode()
            digest = np.frombuffer(hashlib.sha256(name).digest()[:8],
                                   np.int64)
            self._nodes = len(set(self.allgather(digest, "host names")
                                  .reshape(-1).tolist()))
        return self._nodes

    def allgatherv(self, array, counts, what="allgatherv"):
        """Concatenate every rank's 1-D `array` (rank r has counts[r]
        elements) in rank order."""
        array = np.ascontiguousarray(array).reshape(-1)
        counts = np.asarray(counts, np.int64)
        displs = np.concatenate([[0], np.cumsum(counts)[:-1]])
        out = np.empty(int(counts.sum()), array.dtype)
        request = self.comm.Iallgatherv(
            array, [out, (counts.tolist(), displs.tolist())])
        self._wait(request, what)
        return out


def install_abort_hook(comm):
    """An uncaught exception on this rank prints its traceback, then
    aborts every rank (instead of leaving them waiting in a collective)."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        try:
            traceback.print_exception(kind, value, tb)
        finally:
            comm.abort(f"{kind.__name__} raised on this rank (traceback "
                       f"above); aborting all ranks")
        previous(kind, value, tb)

    sys.excepthook = hook


def connect():
    """This process's view of the job: SingleProcess without a launcher,
    else an MpiComm (mpi4py required)."""
    if launched_size() is None:
        return SingleProcess()
    MPI = import_mpi()
    comm = MpiComm(MPI, timeout_seconds())
    if comm.size > 1:
        install_abort_hook(comm)
    return comm
