"""What the trainer asks at each step under DataParallel.

The trainer calls the same hooks with or without distribution; without it
(or on a job of one rank) they are NO_DISTRIBUTION's, which change nothing.
On N ranks (DataParallelRuntime):

- begin(model, iterator): at the start of fit/evaluate/predict, every rank's
  configuration (weight count and shapes, data length, steps, batch size)
  is compared (a clear ValueError names both values), then rank 0's weights
  and optimizer state are broadcast (so load_weights/load_model on rank 0
  count), and the shared random state (shuffling) is made rank 0's.
- shard(xs, ys, sw): this rank's contiguous slice of the global batch; a
  batch of n rows gives n // N rows to every rank and one more to the first
  n % N.
- train_step: the model's step with this rank's random stream (dropout
  masks differ per rank); inside it, reduce_gradients sums the flat
  gradient arena weighted by local sample counts (one allreduce), and
  averages BatchNormalization moving statistics (weighted by samples).
- logs: the epoch's loss and every metric's state summed over ranks, so
  History, the progress bar and callbacks see global values.
- agree(flag): stop_training is true on every rank when it is on any.
- gather: predict's outputs from every rank, in the order of the data."""
import hashlib
import os
import pickle
import zlib

import numpy as np

from seqcore import random as sc_random
from seqcore.distribution.overlap import BucketPlan, OverlappedStep
from seqcore.engine import backprop


class _NoDistribution:
    """The hooks of a single process: identity."""

    is_chief = True
    rank = 0
    size = 1

    def begin(self, model, epoch_iterator=None, what="fit"):
        pass

    def shard(self, arrays):
        return arrays

    def train_step(self, model, xs, ys, sw):
        return model._train_batch(xs, ys, sw)

    def test_step(self, model, xs, ys, sw):
        return model._test_batch(xs, ys, sw)

    def predict_step(self, model, xs):
        return model(model._model_input(xs), training=False)

    def reduce_gradients(self, model, n_local):
        """Returns whether the optimizer's update was applied too."""
        return False

    def logs(self, model, loss_total, rows):
        """The logs after a batch; loss_total: the epoch's sum of batch
        losses x rows so far, rows: its rows so far."""
        return model._logs(loss_total / rows if rows else 0.0)

    def agree(self, flag):
        return flag

    def gather(self, outputs):
        return outputs


NO_DISTRIBUTION = _NoDistribution()


def _overlap_setting():
    """SEQCORE_MPI_OVERLAP: "1" on, "0" off, unset "auto" (on when the
    job spans several machines)."""
    raw = os.environ.get("SEQCORE_MPI_OVERLAP", "auto")
    if raw not in ("0", "1", "auto"):
        raise ValueError(f"SEQCORE_MPI_OVERLAP must be 0, 1 or auto, "
                         f"received {raw!r}")
    return raw


def _shared_setting():
    """SEQCORE_MPI_SHARED: "1" on, "0" off, unset "auto": the gradients of
    ranks on one machine are reduced through shared memory
    (node_reduce.py) unless the allreduce overlaps backward."""
    raw = os.environ.get("SEQCORE_MPI_SHARED", "auto")
    if raw not in ("0", "1", "auto"):
        raise ValueError(f"SEQCORE_MPI_SHARED must be 0, 1 or auto, "
                         f"received {raw!r}")
    return raw


def split_counts(n, size):
    """Rows of a batch of n on each of `size` ranks (as even as
    possible, the first n % size ranks one more)."""
    base, extra = divmod(int(n), size)
    return [base + (1 if r < extra else 0) for r in range(size)]


def _take(arrays, index):
    return None if arrays is None else [a[index] for a in arrays]


def _batch_norm_layers(model):
    from seqcore.layers.normalization import BatchNormalization
    return [layer for layer in model._flat_layers()
            if isinstance(layer, BatchNormalization) and layer.trainable
            and getattr(layer, "built", False)]


class DataParallelRuntime:
    """The hooks on a job of several ranks.

    Args:
        comm: an MpiComm (rank, size, deadline-bounded collectives).
        distribution: the DataParallel that is set.
    """

    def __init__(self, comm, distribution):
        self.comm = comm
        self.distribution = distribution
        self.rank, self.size = comm.rank, comm.size
        self.is_chief = comm.rank == 0
        self.auto_shard = distribution.auto_shard_dataset
        self._rank_generator = None
        self._salted = set()
        self._fallback = None
        self._predict_counts = []      # per predict batch, the split
        self._predicting = False
        self.allreduce_seconds = 0.0     # the gradient allreduce's time
        self.steps = 0
        self.early_buckets = 0           # issued during backward (overlap)
        self.shared_steps = 0            # reduced through shared memory
        self.shared_updates = 0          # ... and updated there, in shares
        # Overlap of the allreduce with backward (overlap.py): per model,
        # (the arena the plan is for, its BucketPlan or None when the
        # ranks did not agree on one); the step in progress.
        self._overlap_setting = _overlap_setting()
        self._overlap = None            # decided at the first train step
        self._bucket_plans = {}
        self._step = None
        self._shared_setting = _shared_setting()
        self._node = None               # NodeReducer, made at first use

    # ---- start of fit / evaluate / predict ----------------------------------

    def begin(self, model, epoch_iterator=None, what="fit"):
        self._check_configuration(model, epoch_iterator, what)
        self._broadcast_state(model)
        self._share_random_state()
        self._salt_seeded_layers(model)
        self._predict_counts = []
        self._predicting = what == "predict"

    def _configuration(self, model, epoch_iterator):
        weights = model.weights
        shapes = repr([tuple(w.shape) for w in weights]).encode()
        adapter = getattr(epoch_iterator, "adapter", None)
        optimizer = getattr(model, "optimizer", None)
        values = [
            ("number of weights", len(weights)),
            ("number of parameters", sum(int(np.prod(w.shape))
                                         for w in weights)),
            ("checksum of the weight shapes", zlib.crc32(shapes)),
            ("optimizer built", int(bool(getattr(optimizer, "built",
                                                 False)))),
        ]
        if self.auto_shard and adapter is not None:
            values += [
                ("dataset length (samples)", getattr(adapter, "n", -1)),
                ("steps per epoch", epoch_iterator.num_batches or -1),
                ("batch size", getattr(adapter, "batch_size", -1) or -1),
            ]
        return values

    def _check_configuration(self, model, epoch_iterator, what):
        values = self._configuration(model, epoch_iterator)
        mine = np.array([v for _, v in values], np.int64)
        # The length first: a different count of items is itself a mismatch.
        lengths = self.comm.allgather(np.array([len(mine)], np.int64),
                                      f"{what}: configuration check")
        if np.any(lengths != lengths[0]):
            raise ValueError(
                f"seqcore.distribution: the ranks called {what} with "
                f"different kinds of data (rank 0 describes "
                f"{int(lengths[0, 0])} settings, rank {self.rank} "
                f"{len(mine)}): every rank must run the same script on the "
                f"same data")
        table = self.comm.allgather(mine, f"{what}: configuration check")
        for k, (name, _) in enumerate(values):
            column = table[:, k]
            bad = np.nonzero(column != column[0])[0]
            if bad.size:
                r = int(bad[0])
                raise ValueError(
                    f"seqcore.distribution: the ranks disagree at the start "
                    f"of {what}: {name} is {int(column[0])} on rank 0 but "
                    f"{int(column[r])} on rank {r}. Every rank must build "
                    f"the same model and pass the same data (DataParallel "
                    f"splits each global batch itself).")

    def _state_arrays(self, model):
        arrays = [w.value for w in model.weights]
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and getattr(optimizer, "built", False):
            arrays = arrays + [np.asarray(v) for v in
                               optimizer.state_values()]
        return arrays

    def _broadcast_state(self, model):
        """Rank 0's weights (and optimizer state) on every rank: one
        broadcast of their bytes."""
        arrays = self._state_arrays(model)
        sizes = [a.nbytes for a in arrays]
        buffer = np.empty(sum(sizes), np.uint8)
        offset = 0
        for a, n in zip(arrays, sizes):
            buffer[offset:offset + n] = np.ascontiguousarray(a).view(
                np.uint8).reshape(-1)
            offset += n
        self.comm.bcast(buffer, 0, "broadcast of rank 0's weights")
        if self.rank == 0:
            return
        offset = 0
        weights = model.weights
        restored = []
        for a, n in zip(arrays, sizes):
            restored.append(buffer[offset:offset + n].view(a.dtype)
                            .reshape(a.shape))
            offset += n
        for w, value in zip(weights, restored):
            w.value[...] = value
        if len(restored) > len(weights):
            model.optimizer.load_state_values(
                [np.array(v) for v in restored[len(weights):]])

    def _share_random_state(self):
        """Rank 0's global generator state on every rank (shuffling must
        agree), and this rank's own stream for dropout, derived from it."""
        generator = sc_random.generator()
        blob = pickle.dumps(generator.bit_generator.state) \
            if self.rank == 0 else b""
        size = np.array([len(blob)], np.int64)
        self.comm.bcast(size, 0, "broadcast of the random state")
        buffer = np.frombuffer(blob, np.uint8).copy() if self.rank == 0 \
            else np.empty(int(size[0]), np.uint8)
        self.comm.bcast(buffer, 0, "broadcast of the random state")
        state = pickle.loads(buffer.tobytes())
        generator.bit_generator.state = state
        digest = hashlib.sha256(buffer.tobytes()).digest()
        seed = int.from_bytes(digest[:8], "little")
        self._rank_generator = np.random.default_rng([seed, self.rank])

    def _salt_seeded_layers(self, model):
        """A layer built with a seed (Dropout(seed=1)) holds its own
        generator: give it one per rank, derived from the seed and the
        rank, so masks differ across ranks and repeat across runs."""
        for layer in model._flat_layers():
            rng = layer.__dict__.get("_rng")
            seed = getattr(layer, "seed", None)
            if id(layer) in self._salted or seed is None or \
                    not isinstance(rng, np.random.Generator):
                continue
            layer._rng = np.random.default_rng([int(seed), self.rank,
                                                0x5EED])
            self._salted.add(id(layer))

    # ---- batches ------------------------------------------------------------

    def shard(self, arrays):
        """(xs, ys, sw) of the global batch -> this rank's slice."""
        xs, ys, sw = arrays
        if not self.auto_shard:
            return xs, ys, sw
        counts = split_counts(xs[0].shape[0], self.size)
        start = sum(counts[:self.rank])
        index = slice(start, start + counts[self.rank])
        self._fallback = (_take(xs, slice(0, 1)), _take(ys, slice(0, 1)))
        if self._predicting:     # gather() puts the outputs in order
            self._predict_counts.append(counts)
        return (_take(xs, index), _take(ys, index),
                None if sw is None else sw[index])

    def _with_rank_random(self, action):
        """action() with this rank's random stream as the global one."""
        shared = sc_random._generator
        sc_random._generator = self._rank_generator or shared
        try:
            return action()
        finally:
            self._rank_generator = sc_random._generator
            sc_random._generator = shared

    @property
    def overlap(self):
        """Whether the gradient allreduce overlaps backward. Automatic: only
        across machines. On one machine the reduction is memory copies and
        sums done by the ranks' own cores inside MPI calls, so it cannot
        run behind backward (measured: no gain, within noise); across
        machines the network moves the bytes while backward computes."""
        if self._overlap is None:
            self._overlap = self._overlap_setting == "1" or (
                self._overlap_setting == "auto" and
                self.comm.node_count() > 1)
        return self._overlap

    def train_step(self, model, xs, ys, sw):
        if xs[0].shape[0] == 0:
            return self._with_rank_random(
                lambda: self._empty_train_step(model))
        if not self.overlap:
            return self._with_rank_random(
                lambda: model._train_batch(xs, ys, sw))
        model._prepare_variables()     # the arena this step reduces
        self._step = self._overlapped_step(model, xs[0].shape[0])
        try:
            with backprop.backward_listener(self._step.on_backward_step):
                return self._with_rank_random(
                    lambda: model._train_batch(xs, ys, sw))
        finally:
            self._step = None

    def _overlapped_step(self, model, n_local):
        """The step's allreduce: with the model's bucket plan when there is
        one for its current arena, else recording (the first step)."""
        grads = model.optimizer._grads
        arena, plan = self._bucket_plans.get(id(model), (None, None))
        return OverlappedStep(self.comm, grads, n_local,
                              plan if arena is grads else None)

    def _keep_bucket_plan(self, model, step):
        """After a recording step: the plan its announcements give, kept
        only when every rank made the same one (the ranks must issue the
        same collectives in the same order)."""
        plan = BucketPlan.from_first_step(step.announced, model.optimizer) \
            if step.announced else None
        summary = np.zeros(8, np.int64)
        if plan is not None:
            summary[:4] = (1, len(plan.key), plan.issued_end,
                           sum(len(v) for v in plan.issues.values()))
        summary[4:] = -summary[:4]
        self.comm.allreduce_max(summary, "agreement on the gradient buckets")
        agreed = bool(np.all(summary[:4] == -summary[4:]))
        self._bucket_plans[id(model)] = (step.grads,
                                         plan if agreed else None)

    def _empty_train_step(self, model):
        """A rank with no rows in this batch: it adds nothing to the
        gradient sum but takes part in the allreduce and the update."""
        self._build_metrics(model)
        model._prepare_variables()
        model.optimizer._grads[...] = 0.0
        model.optimizer.step(applied=self.reduce_gradients(model, 0))
        return 0.0

    def _build_metrics(self, model):
        compiled = model._compiled
        if compiled.metrics is None and self._fallback is not None:
            fx, fy = self._fallback
            outputs = model._output_list(model(model._model_input(fx),
                                               training=False))
            compiled.build_metrics(fy, outputs)

    def test_step(self, model, xs, ys, sw):
        if xs[0].shape[0] == 0:
            self._build_metrics(model)
            return 0.0
        return model._test_batch(xs, ys, sw)

    def predict_step(self, model, xs):
        if xs[0].shape[0] == 0:
            fx, _ = self._fallback
            out = model(model._model_input(fx), training=False)
            if isinstance(out, dict):
                return {k: np.asarray(v)[:0] for k, v in out.items()}
            if isinstance(out, (list, tuple)):
                return [np.asarray(v)[:0] for v in out]
            return np.asarray(out)[:0]
        return model(model._model_input(xs), training=False)

    # ---- the step's reductions ----------------------------------------------

    def reduce_gradients(self, model, n_local):
        """The flat gradient arena <- sum over ranks of (local rows x local
        mean gradient) / global rows. The arena's buckets already issued
        during backward (overlap.py) are completed, the rest of it goes as
        one allreduce; the rows and BatchNormalization moving statistics
        (weighted by rows) ride in a small allreduce issued with it.
        Through shared memory, an elementwise update is applied in the
        same pass (node_reduce.py). Returns whether it was."""
        import time
        grads = model.optimizer._grads
        arena, plan = self._bucket_plans.get(id(model), (None, None))
        # Every rank records (and then agrees on a plan) at the same step:
        # the first for this arena, whether or not it had rows to train on.
        recording = self.overlap and arena is not grads
        step = self._step
        if step is None or step.grads is not grads:
            step = OverlappedStep(self.comm, grads, n_local,
                                  plan if arena is grads else None)
        bn = _batch_norm_layers(model)
        stats = [v for layer in bn for v in (layer.moving_mean,
                                            layer.moving_variance)]
        small = np.empty(1 + sum(v.size for v in stats), np.float64)
        small[0] = n_local
        offset = 1
        for v in stats:
            small[offset:offset + v.size] = v.value.reshape(-1)
            small[offset:offset + v.size] *= n_local
            offset += v.size
        start = time.perf_counter()
        applied = False
        if self._use_shared_memory():
            applied = model.optimizer._updates_elementwise()
            total = self._node.mean_gradients(model.optimizer, small,
                                              update=applied)
            self.shared_steps += 1
            self.shared_updates += applied
        else:
            step.finish(small)
            total = small[0]
            if total <= 0:
                raise ValueError("seqcore.distribution: a training step "
                                 "with no samples on any rank")
            grads *= np.float32(1.0 / total)
        self.allreduce_seconds += time.perf_counter() - start
        self.steps += 1
        self.early_buckets += step.early
        if recording:
            self._keep_bucket_plan(model, step)
        offset = 1
        for v in stats:
            v.value[...] = (small[offset:offset + v.size] / total).reshape(
                v.shape)
            offset += v.size
        return applied

    def _use_shared_memory(self):
        """Whether this step's gradients go through the shared-memory
        window: ranks on one machine, no overlap with backward."""
        if self._shared_setting == "0" or self.overlap:
            return False
        if self._node is None:
            if self.comm.node_count() > 1:
                if self._shared_setting == "1":
                    raise ValueError("SEQCORE_MPI_SHARED=1 needs every rank "
                                     "on one machine; this job spans "
                                     f"{self.comm.node_count()}")
                self._shared_setting = "0"
                return False
            from seqcore.distribution.node_reduce import NodeReducer
            self._node = NodeReducer(self.comm)
        return True

    def _metric_variables(self, model):
        metrics = [m for _, m in (model._compiled.metrics or [])]
        metrics += list(model._user_metrics() or [])
        return [v for m in metrics for v in m.variables]

    def logs(self, model, loss_total, rows):
        """Logs from the state summed over ranks: the epoch's mean loss
        (weighted by rows) and every metric's variables (and the
        per-output loss trackers). Local states are kept as they were."""
        variables = self._metric_variables(model)
        trackers = list(model._compiled.loss_trackers.values())
        local = [v.numpy() for v in variables]
        parts = [np.array([loss_total, rows], np.float64)]
        parts += [np.asarray(a, np.float64).reshape(-1) for a in local]
        parts += [np.array(t, np.float64) for t in trackers]
        buffer = np.concatenate(parts)
        self.comm.allreduce_sum(buffer, "allreduce of the metrics")
        offset = 2
        saved_trackers = [list(t) for t in trackers]
        try:
            for v, a in zip(variables, local):
                v.assign(buffer[offset:offset + a.size].reshape(a.shape)
                         .astype(a.dtype))
                offset += a.size
            for t in trackers:
                t[0], t[1] = float(buffer[offset]), buffer[offset + 1]
                offset += 2
            loss = buffer[0] / buffer[1] if buffer[1] else 0.0
            return model._logs(loss)
        finally:
            for v, a in zip(variables, local):
                v.assign(a)
            for t, s in zip(trackers, saved_trackers):
                t[:] = s

    def agree(self, flag):
        """True on every rank when `flag` is true on any."""
        buffer = np.array([1 if flag else 0], np.int32)
        self.comm.allreduce_max(buffer, "allreduce of stop_training")
        return bool(buffer[0])

    def gather(self, outputs):
        """predict's outputs (a list of this rank's concatenated rows per
        output) -> every rank's, in the data's order."""
        if not self.auto_shard:
            return outputs
        counts = np.array(self._predict_counts, np.int64)   # (batches, N)
        gathered = []
        for out in outputs:
            out = np.ascontiguousarray(out)
            row = int(np.prod(out.shape[1:]))
            flat = self.comm.allgatherv(out.reshape(-1),
                                        counts.sum(axis=0) * row,
                                        "gather of predict's outputs")
            per_rank = np.split(flat.reshape((-1,) + out.shape[1:]),
                                np.cumsum(counts.sum(axis=0))[:-1])
            pieces = []
            starts = [0] * self.size
            for batch in counts:
                for r in range(self.size):
                    pieces.append(per_rank[r][starts[r]:starts[r] +
                                              batch[r]])
                    starts[r] += batch[r]
            gathered.append(np.concatenate(pieces))
        self._predict_counts = []
        self._predicting = False
        return gathered
