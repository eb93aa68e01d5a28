"""The gradient allreduce of ranks on one machine, through memory they share.

MPI's allreduce between processes on one machine copies the gradients
through its own shared buffers in pieces; here every rank's gradient arena
lives in an MPI shared-memory window, where the other ranks read it in
place. Each rank's segment of the window holds

    small   float64 (capacity_small,)  the step's rows and BN statistics
    arena   float32 (capacity,)        the optimizer's gradients
    result  float32 (chunk,)           this rank's share of the mean

and a step is

    1. write `small`; barrier
    2. rank r: result <- chunk r of the weighted mean of every rank's arena
       (each arena weighted by its rows / all rows, summed in rank order by
       one C pass), and the sum of every rank's `small`; barrier
    3. every rank copies each rank's result into its own arena.

A rank writes its result (2) only after the next step's first barrier,
which no rank passes before it has finished copying (3), and writes its
arena (backward) only after the step's second barrier: no rank reads what
another is writing, so two barriers a step suffice. The barriers are
nonblocking, bounded by the job's deadline (mpi_backend). Every chunk is
computed by one rank and copied by the others: the ranks' gradients stay
bitwise identical."""
import numpy as np

from seqcore import _kernels

# Elements per cache line of float32: chunks start on a line of their own.
_LINE = 16


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
        self.window = None
        self.capacity = self.capacity_small = 0
        self._windows = []      # kept alive: arenas may still view them

    def _allocate(self, n, n_small):
        """A window for arenas of n float32 and `small` of n_small float64
        (collective: every rank asks at the same step)."""
        MPI = self.comm.MPI
        chunk = self._chunk(n)
        small_bytes = -(-n_small * 8 // 64) * 64
        arena_bytes = -(-n * 4 // 64) * 64
        window = MPI.Win.Allocate_shared(
            small_bytes + arena_bytes + chunk * 4, 64, comm=self.node)
        window.Lock_all(MPI.MODE_NOCHECK)
        segments = []
        for q in range(self.size):
            memory, _ = window.Shared_query(q)
            raw = np.frombuffer(memory, np.uint8)
            segments.append((
                raw[:n_small * 8].view(np.float64),
                raw[small_bytes:small_bytes + n * 4].view(np.float32),
                raw[small_bytes + arena_bytes:
                    small_bytes + arena_bytes + chunk * 4].view(np.float32)))
        self._windows.append(window)
        self.window, self.segments = window, segments
        self.capacity, self.capacity_small = n, n_small

    def _chunk(self, n):
        per_rank = -(-n // self.size)
        return max(_LINE, -(-per_rank // _LINE) * _LINE)

    def _home(self, optimizer, n_small):
        """Move the optimizer's gradient arena into this rank's segment
        (once per arena; a new window when the sizes change)."""
        grads = optimizer._grads
        own = self.segments[self.rank][1] if self.window is not None \
            else None
        if own is not None and grads.size == self.capacity and \
                grads is own and n_small == self.capacity_small:
            return
        sizes = np.array([grads.size, n_small, -grads.size, -n_small],
                         np.int64)
        self.comm.allreduce_max(sizes, "agreement on the gradient size")
        if sizes[0] != -sizes[2] or sizes[1] != -sizes[3]:
            raise ValueError(
                f"seqcore.distribution: the ranks' models differ: gradient "
                f"arenas of {-sizes[2]} to {sizes[0]} values (this rank: "
                f"{grads.size}); every rank must build the same model")
        if grads.size != self.capacity or n_small != self.capacity_small:
            self._allocate(grads.size, n_small)
        optimizer._move_gradients(self.segments[self.rank][1])

    def mean_gradients(self, optimizer, small):
        """optimizer's arena <- the rows-weighted mean of every rank's;
        `small` (float64, small[0] = this rank's rows) <- its sum over
        ranks. Returns the total rows."""
        self._home(optimizer, small.size)
        own_small, arena, result = self.segments[self.rank]
        own_small[...] = small
        self._barrier()
        rows = np.array([s[0] for s, _, _ in self.segments], np.float64)
        total = rows.sum()
        small[...] = self.segments[0][0]
        for s, _, _ in self.segments[1:]:
            small += s
        if total <= 0:
            raise ValueError("seqcore.distribution: a training step with no "
                             "samples on any rank")
        chunk = result.size
        lo = min(self.rank * chunk, arena.size)
        hi = min(lo + chunk, arena.size)
        if hi > lo:
            _kernels.weighted_sum([a[lo:hi] for _, a, _ in self.segments],
                                  (rows / total).astype(np.float32),
                                  result[:hi - lo])
        self._barrier()
        for q, (_, _, part) in enumerate(self.segments):
            start = min(q * chunk, arena.size)
            end = min(start + chunk, arena.size)
            if end > start:
                arena[start:end] = part[:end - start]
        return total

    def _barrier(self):
        self.window.Sync()
        self.comm._wait(self.node.Ibarrier(),
                        "barrier of the gradient reduction")
        self.window.Sync()
