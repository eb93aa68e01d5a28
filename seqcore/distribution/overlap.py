"""The gradient allreduce overlapped with the backward pass.

The plan's backward announces each step it has run (backprop.
backward_listener). The first training step of a model under DataParallel
only records that sequence; at its end, `BucketPlan.from_first_step` works
out which weights are final after which announcement: a weight is final at
the last announcement of a layer that holds it, if that step wrote its
gradient (it was reached) and no regularizer adds to it afterwards. The
gradient arena holds the weights in forward order and backward finishes
them from the last layer back, so final weights grow a contiguous region
down from the arena's end; each time that region has grown by at least
BUCKET_BYTES, the plan issues it as one nonblocking allreduce.

Later steps (`OverlappedStep`) issue those buckets as their announcements
arrive, poll the pending requests at every announcement (an MPI library
advances a nonblocking collective only inside MPI calls), and issue the
rest of the arena when backward is done. Every rank issues the same buckets
in the same order, whatever its timing or its rows: a rank whose backward
announces fewer steps (or none: an empty slice of the batch) issues the
buckets it has not reached at the end, in order.

What does not overlap: weights with a regularizer (and everything below
them in the arena), weights no step reached in the first step, and any
model whose backward is not the plan's (custom train_step, tape-only
subclassed models): their gradients are reduced after backward, as one
allreduce.
"""
import os

import numpy as np

# Issue a bucket once this many bytes of the arena are final: above an
# allreduce's fixed cost on one machine, below most models' largest layer.
BUCKET_BYTES = 256 << 10


def bucket_bytes():
    """SEQCORE_MPI_BUCKET_BYTES (a positive integer), else BUCKET_BYTES."""
    raw = os.environ.get("SEQCORE_MPI_BUCKET_BYTES")
    if raw is None:
        return BUCKET_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"SEQCORE_MPI_BUCKET_BYTES must be a positive "
                         f"integer number of bytes, received {raw!r}")
    return value


class BucketPlan:
    """The buckets of one model's arena, in issue order.

    Attributes:
        key: the ids of the announced layers, in order.
        issues: {announcement index: [(start, end, variables), ...]}:
            the arena slices to reduce after that announcement, with the
            variables each slice holds.
        issued_end: where the last bucket starts: [0, issued_end) is
            reduced after backward.
    """

    def __init__(self, key, issues, issued_end):
        self.key, self.issues, self.issued_end = key, issues, issued_end

    @classmethod
    def from_first_step(cls, announced, optimizer):
        """The plan from the layers the first step announced (in order) and
        the optimizer's arena, after that step's backward (its fresh flags
        tell which weights backward reached)."""
        last = {}
        for index, layer in enumerate(announced):
            for v in layer.trainable_weights:
                last[id(v)] = index
        variables = sorted(optimizer._variables,
                           key=lambda v: optimizer._offsets[id(v)])
        ready_at = [None] * len(variables)
        for i, v in enumerate(variables):
            if id(v) in last and v.regularizer is None and \
                    not v.__dict__.get("_grad_fresh", True):
                ready_at[i] = last[id(v)]
        min_floats = max(1, bucket_bytes() // 4)
        total = sum(v.size for v in variables)
        issues, issued_end, top, frontier = {}, total, total, len(variables)
        by_index = {}
        for i, index in enumerate(ready_at):
            if index is not None:
                by_index.setdefault(index, []).append(i)
        ready = [False] * len(variables)
        for index in range(len(announced)):
            for i in by_index.get(index, ()):
                ready[i] = True
            while frontier > 0 and ready[frontier - 1]:
                frontier -= 1
                top -= variables[frontier].size
            if issued_end - top >= min_floats:
                held = [v for v in variables[frontier:]
                        if optimizer._offsets[id(v)] < issued_end]
                issues.setdefault(index, []).append((top, issued_end, held))
                issued_end = top
        return cls(tuple(id(layer) for layer in announced), issues,
                   issued_end)


class OverlappedStep:
    """One training step's allreduce, issued in buckets during backward.

    Args:
        comm: the MpiComm.
        grads: the flat gradient arena.
        n_local: this rank's rows in the step (each bucket is scaled by it
            before the sum; the caller divides by the global rows).
        plan: the model's BucketPlan, or None to only record the
            announcements (the first step).
    """

    def __init__(self, comm, grads, n_local, plan):
        self.comm, self.grads, self.n_local = comm, grads, n_local
        self.plan = plan
        self.announced = []        # layers, in order (recording only)
        self.count = 0             # layers announced so far
        self.requests = []
        self.next_issue = 0        # announcements whose buckets are issued
        self.early = 0             # buckets issued during backward

    def on_backward_step(self, layers):
        """The listener: `layers` (a step's layers) have run backward. Each
        layer counts as one announcement."""
        index = self.count
        if self.plan is None:
            self.announced.extend(layers)
            self.count += len(layers)
            return
        key = self.plan.key
        if index + len(layers) > len(key) or any(
                id(layer) != key[index + j] for j, layer in enumerate(layers)):
            raise RuntimeError(
                "seqcore.distribution: this step's backward ran its layers "
                "in another order than the first step's; the overlapped "
                "gradient allreduce needs the same order every step (a "
                "model whose graph changes between steps cannot overlap: "
                "set SEQCORE_MPI_OVERLAP=0)")
        self.count = index + len(layers)
        issued = len(self.requests)
        self._issue_through(self.count - 1)
        self.early += len(self.requests) - issued
        if self.requests:
            self.comm.MPI.Request.Testall(self.requests)

    def _issue_through(self, index):
        """Issue every bucket planned at announcements <= index."""
        while self.next_issue <= index:
            for start, end, held in self.plan.issues.get(self.next_issue, ()):
                for v in held:           # not reached this time: no change
                    if v.__dict__.get("_grad_fresh"):
                        v.grad[...] = 0.0
                        v._grad_fresh = False
                self._allreduce(self.grads[start:end])
            self.next_issue += 1

    def _allreduce(self, part):
        if self.n_local != 1:
            part *= np.float32(self.n_local)
        mpi = self.comm.MPI
        self.requests.append(self.comm.comm.Iallreduce(mpi.IN_PLACE, part,
                                                       op=mpi.SUM))

    def finish(self, small):
        """After backward: issue the buckets not yet issued, the rest of
        the arena and the `small` float64 buffer (rows and statistics);
        wait for all of it."""
        end = len(self.grads)
        if self.plan is not None:
            self._issue_through(max(self.plan.issues, default=-1))
            end = self.plan.issued_end
        if end > 0:
            self._allreduce(self.grads[:end])
        mpi = self.comm.MPI
        self.requests.append(self.comm.comm.Iallreduce(mpi.IN_PLACE, small,
                                                       op=mpi.SUM))
        for request in self.requests:
            self.comm._wait(request, "allreduce of the gradients")
