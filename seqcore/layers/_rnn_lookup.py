"""Input projections of a recurrent layer fed by an Embedding, computed once
per distinct token id.

At inference, Embedding -> LSTM/GRU/SimpleRNN projects every step's
embedded token through the recurrent layer's kernel: batch x steps rows of
`x kernel + bias`. Those rows depend only on the token, so the engine's plan
(EmbedRecurrentStep) hands the layer the ids instead: the rows of the
distinct ids are computed in one GEMM, and the C loop looks a row up at each
step instead of multiplying (`rnn_forward(table=, rows=)`). The values are
the same bits: each table row is the same product plus bias that the loop
would have made for that token.

Between calls a layer keeps a table over the whole vocabulary
(ProjectionCache) when it fits in CACHE_BYTES, filled in as ids come: from
the second call that finds the embeddings, kernel and bias unchanged since
the first, a call computes only the rows of ids no call has computed yet.
Every call compares the weights byte for byte with the copies the rows were
made from, so a weight changed in any way (training, set_weights, assign,
writing into an array) is seen, and no version counter is trusted."""
import numpy as np

from seqcore import _kernels

# While the vocabulary has at most this many entries per input id, the
# distinct ids are found by marking a table over the vocabulary (linear
# time); beyond it, by sorting.
_DENSE_VOCABULARY_PER_ID = 8
# Most bytes a layer keeps for its cached table and the weight copies.
CACHE_BYTES = 64 << 20


def distinct_ids(ids, vocabulary):
    """(distinct, rows): the sorted distinct ids of `ids` (n, t) and, for
    each position, the index of its id in `distinct` (n, t) int64."""
    flat = ids.reshape(-1)
    if vocabulary <= _DENSE_VOCABULARY_PER_ID * max(flat.size, 1):
        present = np.zeros(vocabulary, bool)
        present[flat] = True
        distinct = np.flatnonzero(present)
        index = np.empty(vocabulary, np.int64)
        index[distinct] = np.arange(distinct.size)
        return distinct, index[ids]
    distinct, rows = np.unique(flat, return_inverse=True)
    return distinct, rows.reshape(ids.shape).astype(np.int64, copy=False)


def projection_table(layer, embeddings, distinct):
    """(len(distinct), gates * units) float32: embeddings[distinct] @
    kernel + the input bias, as the layer's C loop computes a step's rows."""
    bias = None
    if layer.bias is not None:
        bias = layer.bias.value
        if bias.ndim == 2:           # GRU with reset_after: input bias row
            bias = bias[0]
    rows = np.take(embeddings, distinct, axis=0)
    return _kernels.gemm(rows, layer.kernel.value, bias=bias)


def _same(a, b):
    """Byte-for-byte equality of two float32 arrays (NaN included)."""
    return a.shape == b.shape and np.array_equal(a.view(np.uint32),
                                                 b.view(np.uint32))


class ProjectionCache:
    """One recurrent layer's projections of the vocabulary's ids, with the
    weights they were made from.

    Args:
        layer: the recurrent layer (kernel, bias).
    """

    def __init__(self, layer):
        self.layer = layer
        self.weights = None     # copies: embeddings, kernel, bias or None
        self.table = None       # (vocabulary, gates * units), or None
        self.known = None       # (vocabulary,) bool: the table's rows made

    def _current(self, embeddings):
        bias = self.layer.bias
        return (embeddings, self.layer.kernel.value,
                None if bias is None else bias.value)

    def _unchanged(self, embeddings):
        if self.weights is None:
            return False
        return all(old is None and new is None or
                   old is not None and new is not None and _same(old, new)
                   for old, new in zip(self.weights,
                                       self._current(embeddings)))

    def lookup(self, embeddings, ids):
        """(table, rows) for `ids` (n, t). On weights unchanged since the
        last call: the vocabulary's table, its missing rows for these ids
        computed now, and the ids themselves as rows. Else (a first call, or
        new weights, which are copied for the next call's comparison): the
        distinct ids' table."""
        vocabulary, width = embeddings.shape[0], self.layer.kernel.shape[1]
        size = 4 * (vocabulary * width + embeddings.size +
                    self.layer.kernel.value.size)
        if size > CACHE_BYTES:
            return self._distinct(embeddings, ids)
        if not self._unchanged(embeddings):
            self.table = self.known = None
            self.weights = tuple(None if w is None else w.copy()
                                 for w in self._current(embeddings))
            return self._distinct(embeddings, ids)
        if self.table is None:
            # rows on cache-line boundaries: the loop copies them whole
            self.table = _kernels.aligned_empty((vocabulary, width))
            self.known = np.zeros(vocabulary, bool)
        if self.known[ids].all():
            return self.table, ids
        distinct, _ = distinct_ids(ids, vocabulary)
        missing = distinct[~self.known[distinct]]
        if missing.size:
            self.table[missing] = projection_table(self.layer, embeddings,
                                                   missing)
            self.known[missing] = True
        return self.table, ids

    def _distinct(self, embeddings, ids):
        distinct, rows = distinct_ids(ids, embeddings.shape[0])
        return projection_table(self.layer, embeddings, distinct), rows
