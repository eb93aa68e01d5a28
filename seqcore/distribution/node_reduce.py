"""The gradient allreduce of ranks on one machine, through memory they share.

MPI's allreduce between processes on one machine copies the gradients
through its own shared buffers in pieces; here every rank's gradient arena
lives in an MPI shared-memory window, where the other ranks read and write
it in place. Each rank's segment of the window holds

    small   float64 (n_small,)   the step's rows and BN statistics
    arena   float32 (n,)         the optimizer's gradients

and a step is

    1. write `small`; barrier
    2. rank r: chunk r of every rank's arena <- the weighted mean of the
       ranks' chunk r (each weighted by its rows / all rows, added in rank
       order by one C pass that reads every arena and stores to every
       arena), and `small` <- the sum of every rank's; barrier.

In step 2 each rank touches only its own chunk of every arena, and no rank
writes its arena (backward) before the second barrier or reads the others'
before the first: two barriers a step. The barriers are nonblocking,
bounded by the job's deadline (mpi_backend). Every chunk is computed by one
rank and stored to all: the ranks' gradients stay bitwise identical."""
import numpy as np

from seqcore import _kernels

# Elements per cache line of float32: chunks start on a line of their own.
_LINE = 16


def shared_window(MPI, nbytes, node):
    """MPI_Win_allocate_shared: nbytes on each rank of the communicator
    `node`, 64-byte aligned (collective)."""
    return MPI.Win.Allocate_shared(nbytes, 64, comm=node)


class _Window:
    """One shared-memory window: per rank, `small` and an arena.

    Attributes:
        window: the MPI window (locked for the job's life).
        segments: per rank, (small float64 (n_small,), arena float32 (n,)).
        chunks: chunk `rank` of every rank's arena (what this rank sums).
    """

    def __init__(self, window, segments, rank, size):
        self.window, self.segments = window, segments
        self.n_small = segments[0][0].size
        self.own = segments[rank][1]
        n = self.own.size
        per_rank = -(-n // size)
        chunk = -(-per_rank // _LINE) * _LINE
        lo, hi = min(rank * chunk, n), min((rank + 1) * chunk, n)
        self.chunks = [arena[lo:hi] for _, arena in segments]


class NodeReducer:
    """The on-node allreduce of one job whose ranks share a machine.

    Args:
        comm: the job's MpiComm (every rank on this machine).
    """

    def __init__(self, comm):
        self.comm = comm
        MPI = comm.MPI
        comm.barrier("start of the shared-memory gradient reduction")
        self.node = comm.comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.rank)
        if self.node.Get_size() != comm.size:
            raise RuntimeError("seqcore.distribution: the shared-memory "
                               "reduction needs every rank on one machine")
        self.rank, self.size = self.node.Get_rank(), self.node.Get_size()
        # One window per optimizer (two models trained in turn, as a GAN's,
        # keep theirs), reused while its arena keeps its size. A replaced
        # window is kept, not freed: an arena a variable still views must
        # not be unmapped under it.
        self._windows = {}
        self._replaced = []

    def _allocate(self, n, n_small):
        """A window for arenas of n float32 and `small` of n_small float64
        (collective: every rank asks at the same step)."""
        MPI = self.comm.MPI
        small_bytes = -(-n_small * 8 // 64) * 64
        try:
            window = shared_window(MPI, small_bytes + n * 4, self.node)
        except MPI.Exception as err:
            raise RuntimeError(
                f"seqcore.distribution: could not allocate the "
                f"{small_bytes + n * 4}-byte shared-memory window of the "
                f"gradient reduction ({err}); a small /dev/shm (as in "
                f"containers) is the usual cause: enlarge it, or set "
                f"SEQCORE_MPI_SHARED=0 to reduce through MPI messages") \
                from err
        window.Lock_all(MPI.MODE_NOCHECK)
        segments = []
        for q in range(self.size):
            memory, _ = window.Shared_query(q)
            raw = np.frombuffer(memory, np.uint8)
            segments.append((raw[:n_small * 8].view(np.float64),
                             raw[small_bytes:small_bytes + n * 4]
                             .view(np.float32)))
        return _Window(window, segments, self.rank, self.size)

    def _home(self, optimizer, n_small):
        """This optimizer's window, its gradient arena moved into this
        rank's segment (once per arena; a new window when the sizes
        change)."""
        grads = optimizer._grads
        held = self._windows.get(id(optimizer))
        if held is not None and grads is held.own and \
                n_small == held.n_small:
            return held
        sizes = np.array([grads.size, n_small, -grads.size, -n_small],
                         np.int64)
        self.comm.allreduce_max(sizes, "agreement on the gradient size")
        if sizes[0] != -sizes[2] or sizes[1] != -sizes[3]:
            raise ValueError(
                f"seqcore.distribution: the ranks' models differ: gradient "
                f"arenas of {-sizes[2]} to {sizes[0]} values (this rank: "
                f"{grads.size}); every rank must build the same model")
        if held is None or grads.size != held.own.size or \
                n_small != held.n_small:
            if held is not None:
                self._replaced.append(held)
            held = self._allocate(grads.size, n_small)
            self._windows[id(optimizer)] = held
        optimizer._move_gradients(held.own)
        return held

    def mean_gradients(self, optimizer, small):
        """optimizer's arena <- the rows-weighted mean of every rank's;
        `small` (float64, small[0] = this rank's rows) <- its sum over
        ranks. Returns the total rows."""
        held = self._home(optimizer, small.size)
        held.segments[self.rank][0][...] = small
        self._barrier(held.window)
        rows = np.array([s[0] for s, _ in held.segments], np.float64)
        total = rows.sum()
        small[...] = held.segments[0][0]
        for s, _ in held.segments[1:]:
            small += s
        if total <= 0:
            raise ValueError("seqcore.distribution: a training step with no "
                             "samples on any rank")
        if held.chunks[0].size:
            _kernels.weighted_sum(held.chunks,
                                  (rows / total).astype(np.float32),
                                  held.chunks)
        self._barrier(held.window)
        return total

    def _barrier(self, window):
        window.Sync()
        self.comm._wait(self.node.Ibarrier(),
                        "barrier of the gradient reduction")
        window.Sync()
