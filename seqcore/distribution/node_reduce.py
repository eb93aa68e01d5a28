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
rank and stored to all: the ranks' gradients stay bitwise identical.

When the optimizer's update is elementwise (Optimizer._updates_elementwise:
Adam, SGD, RMSprop... without norm clipping, moving average, accumulation
or constraints), the ranks also share one copy of the weights and the
optimizer's slots, held after rank 0's arena:

    weights float32 (n,), then each slot float32 (n,)      (rank 0 only)

and step 2 becomes: rank r reduces chunk r into its own arena only and
applies the update to chunk r of the weights and slots. Each rank thus does
1/N of the update instead of all of it, and after the second barrier every
rank reads the same updated weights. Forward and backward only read the
weights; they are written only between the two barriers, each element by
one rank."""
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
        lo, hi: that chunk's bounds.
        weights, slots: the one copy of the weights (n,) and the slots
            (name -> (n,)) the ranks share, or None (not allocated).
        sharing: whether the optimizer's weights and slots live there now.
    """

    def __init__(self, window, segments, rank, size, weights, slots):
        self.window, self.segments = window, segments
        self.n_small = segments[0][0].size
        self.own = segments[rank][1]
        n = self.own.size
        per_rank = -(-n // size)
        chunk = -(-per_rank // _LINE) * _LINE
        self.lo, self.hi = min(rank * chunk, n), min((rank + 1) * chunk, n)
        self.chunks = [arena[self.lo:self.hi] for _, arena in segments]
        self.weights, self.slots = weights, slots
        self.sharing = False

    def fits(self, optimizer, n_small, shared_update):
        """Whether this window serves the optimizer's current arena."""
        return optimizer._grads is self.own and n_small == self.n_small \
            and (not shared_update or self.slot_names() ==
                 tuple(optimizer._slots))

    def slot_names(self):
        return None if self.slots is None else tuple(self.slots)


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

    def _allocate(self, n, n_small, slot_names):
        """A window for arenas of n float32 and `small` of n_small float64,
        and when slot_names is not None one copy of the weights and of
        these slots (collective: every rank asks at the same step)."""
        MPI = self.comm.MPI
        small_bytes = -(-n_small * 8 // 64) * 64
        state = 0 if slot_names is None else (1 + len(slot_names)) * n * 4
        nbytes = small_bytes + n * 4 + (state if self.rank == 0 else 0)
        try:
            window = shared_window(MPI, nbytes, self.node)
        except MPI.Exception as err:
            raise RuntimeError(
                f"seqcore.distribution: could not allocate the "
                f"{nbytes}-byte shared-memory window of the gradient "
                f"reduction ({err}); a small /dev/shm (as in containers) is "
                f"the usual cause: enlarge it, or set SEQCORE_MPI_SHARED=0 "
                f"to reduce through MPI messages") from err
        window.Lock_all(MPI.MODE_NOCHECK)
        segments, arrays = [], []
        for q in range(self.size):
            memory, _ = window.Shared_query(q)
            raw = np.frombuffer(memory, np.uint8)
            segments.append((raw[:n_small * 8].view(np.float64),
                             raw[small_bytes:small_bytes + n * 4]
                             .view(np.float32)))
            if q == 0 and state:
                arrays = raw[small_bytes + n * 4:small_bytes + n * 4 +
                             state].view(np.float32).reshape(-1, n)
        weights, slots = None, None
        if state:
            weights = arrays[0]
            slots = dict(zip(slot_names, arrays[1:]))
        return _Window(window, segments, self.rank, self.size, weights,
                       slots)

    def _home(self, optimizer, n_small, shared_update):
        """This optimizer's window, its gradient arena moved into this
        rank's segment (once per arena; a new window when the sizes, or
        the slots of a shared update, change)."""
        grads = optimizer._grads
        held = self._windows.get(id(optimizer))
        if held is not None and held.fits(optimizer, n_small,
                                          shared_update):
            return held
        if held is not None and held.sharing:
            # The weights move to a new arena (the optimizer was rebuilt):
            # the old window's copy is no longer theirs.
            held.sharing = False
        n_slots = len(optimizer._slots) if shared_update else -1
        sizes = np.array([grads.size, n_small, n_slots], np.int64)
        sizes = np.concatenate([sizes, -sizes])
        self.comm.allreduce_max(sizes, "agreement on the gradient size")
        if np.any(sizes[:3] != -sizes[3:]):
            raise ValueError(
                f"seqcore.distribution: the ranks' models or optimizers "
                f"differ: gradient arenas of {-sizes[3]} to {sizes[0]} "
                f"values (this rank: {grads.size}), {-sizes[5]} to "
                f"{sizes[2]} shared optimizer slots (this rank: {n_slots}, "
                f"-1: none shared); every rank must build the same model "
                f"and optimizer")
        slot_names = tuple(optimizer._slots) if shared_update else None
        if held is None or grads.size != held.own.size or \
                n_small != held.n_small or (
                    shared_update and held.slot_names() != slot_names):
            if held is not None:
                self._replaced.append(held)
            held = self._allocate(grads.size, n_small, slot_names)
            self._windows[id(optimizer)] = held
        optimizer._move_gradients(held.own)
        return held

    def mean_gradients(self, optimizer, small, update=False):
        """optimizer's arena <- the rows-weighted mean of every rank's;
        `small` (float64, small[0] = this rank's rows) <- its sum over
        ranks. With `update` (the optimizer's `_updates_elementwise()`,
        the same on every rank) the step's update is also applied: each
        rank reduces only its own chunk and updates that chunk of the one
        shared copy of the weights and slots; the optimizer then only
        counts the step (`step(applied=True)`). Returns the total rows."""
        held = self._home(optimizer, small.size, update)
        if update and not held.sharing:
            self._share(held, optimizer)
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
        weights = (rows / total).astype(np.float32)
        if update:
            if held.chunks[0].size:
                _kernels.weighted_sum(held.chunks, weights,
                                      [held.chunks[self.rank]])
            # Even an empty chunk: the rule's scalars may carry state
            # (Nadam's running product) that every rank must advance.
            optimizer._update_range(held.lo, held.hi)
            self._barrier(held.window)
            return total
        if held.chunks[0].size:
            _kernels.weighted_sum(held.chunks, weights, held.chunks)
        self._barrier(held.window)
        if held.sharing:
            self._unshare(held, optimizer)
        return total

    def _share(self, held, optimizer):
        """The optimizer's weights and slots into the window's one copy:
        each rank copies its own chunk (every rank holds the same values),
        which is the only part it reads before the next barrier."""
        lo, hi = held.lo, held.hi
        held.weights[lo:hi] = optimizer._params[lo:hi]
        for name, values in held.slots.items():
            values[lo:hi] = optimizer._slots[name][lo:hi]
        optimizer._move_state(held.weights, held.slots)
        optimizer._shared_release = lambda: self._release(held, optimizer)
        held.sharing = True

    @staticmethod
    def _release(held, optimizer):
        """This rank's own copy of the shared weights and slots, for an
        update that is not split over the ranks: a step that is not
        elementwise, or `apply_gradients` called outside `fit`, which
        would otherwise update the one copy once per rank."""
        optimizer._move_state(
            _kernels.aligned_empty(held.weights.shape),
            {name: np.empty_like(values)
             for name, values in held.slots.items()})
        optimizer._params[...] = held.weights
        for name, values in held.slots.items():
            optimizer._slots[name][...] = values
        optimizer._shared_release = None
        held.sharing = False

    def _unshare(self, held, optimizer):
        """Each rank its own copy of the weights and slots again (the step
        is not elementwise, as after clipnorm is set). Called after the
        reduction's last barrier; the barrier after the copies keeps every
        rank from writing the shared copy while another still reads it.
        (Outside fit, `step()` releases the copy without a barrier: the
        next fit starts with collective calls, which every rank reaches
        after its copy.)"""
        self._release(held, optimizer)
        self._barrier(held.window)

    def _barrier(self, window):
        window.Sync()
        self.comm._wait(self.node.Ibarrier(),
                        "barrier of the gradient reduction")
        window.Sync()
