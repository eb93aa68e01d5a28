"""Embedding -> LSTM/GRU/SimpleRNN at inference (engine/plan.py's
EmbedRecurrentStep, layers/_rnn_lookup.py): the recurrent layer gets the
ids and looks projections up; outputs must be the bits of the two layers
run apart, on every ISA and thread count, across the cache's states (first
call, table built, table reused) and after any change of the weights."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from seqcore.engine.plan import EmbedRecurrentStep
from seqcore.layers import _rnn_lookup
from tests.conftest import same_bits_with_threads

RECURRENT = [
    (layers.LSTM, {}),
    (layers.LSTM, {"return_sequences": True, "go_backwards": True}),
    (layers.LSTM, {"use_bias": False}),
    (layers.GRU, {}),
    (layers.GRU, {"reset_after": False, "return_sequences": True}),
    (layers.SimpleRNN, {}),
]


def _model(cls, options, vocabulary=40, features=7, units=33,
           mask_zero=False):
    keras.utils.set_random_seed(4)
    extra = {} if options.get("use_bias") is False else \
        {"bias_initializer": "random_normal"}
    return keras.Sequential([
        keras.Input((None,), dtype="int32"),
        layers.Embedding(vocabulary, features, mask_zero=mask_zero),
        cls(units, **extra, **options), layers.Dense(3)])


def _apart(model, ids):
    """The same model's layers called one by one (no fused step)."""
    embedding, recurrent, dense = model.layers
    return dense(recurrent(embedding(ids), mask=embedding.compute_mask(ids)))


def _fused(model, ids):
    """Whether the model's plan (made at its first call) has the step."""
    model(ids)
    return any(isinstance(s, EmbedRecurrentStep) for s in model._plan.steps)


def _ids(shape, vocabulary=40, seed=0, zeros_after=None):
    ids = np.random.default_rng(seed).integers(1, vocabulary, shape)
    if zeros_after is not None:
        ids[:, zeros_after:] = 0
    return ids


@pytest.mark.parametrize("cls,options", RECURRENT)
@pytest.mark.parametrize("mask_zero", [False, True])
def test_fused_calls_give_the_bits_of_the_layers_apart(isa, threads, cls,
                                                       options, mask_zero):
    model = _model(cls, options, mask_zero=mask_zero)
    assert _fused(model, _ids((2, 3)))
    for shape in [(1, 1), (5, 9), (17, 13)]:
        ids = _ids(shape, zeros_after=shape[1] // 2 or None)
        want = np.asarray(_apart(model, ids))
        # first call (distinct ids), second (the table is built), third
        # (the table is reused)
        for _ in range(3):
            got = same_bits_with_threads(threads, lambda: np.asarray(
                model(ids)))
            assert got.tobytes() == want.tobytes()
        np.testing.assert_array_equal(model.predict(ids, verbose=0), want)


def test_a_change_of_any_weight_is_seen(threads):
    model = _model(layers.LSTM, {})
    embedding, recurrent, _ = model.layers
    ids = _ids((4, 6))
    for _ in range(3):
        model(ids)                    # the vocabulary's table is cached
    cache = recurrent.__dict__["_projection_cache"]
    assert cache.table is not None and cache.known[ids].all()

    def check():
        for _ in range(3):
            want = np.asarray(_apart(model, ids))
            assert np.asarray(model(ids)).tobytes() == want.tobytes()

    embedding.embeddings.value[ids[0, 0], 0] += 1.0    # written in place
    check()
    recurrent.kernel.assign(recurrent.kernel.numpy() * 0.5)
    check()
    weights = recurrent.get_weights()
    weights[2][:] = 0.25
    recurrent.set_weights(weights)
    check()
    model.compile("adam", "mse")
    model.fit(ids, np.ones((4, 3)), epochs=1, verbose=0)
    check()


def test_the_table_fills_in_as_new_ids_come(threads):
    model = _model(layers.GRU, {"reset_after": False})
    cache_of = lambda: model.layers[1].__dict__["_projection_cache"]
    first = _ids((3, 4), vocabulary=10)            # ids 1..9
    later = _ids((3, 4), vocabulary=40, seed=5) // 2 + 20   # ids 20..39
    for ids in (first, first, later, first, later):
        want = np.asarray(_apart(model, ids))
        assert np.asarray(model(ids)).tobytes() == want.tobytes()
    known = cache_of().known
    assert known is not None
    np.testing.assert_array_equal(np.flatnonzero(known),
                                  np.union1d(first, later))


def test_no_cache_beyond_its_budget(monkeypatch):
    monkeypatch.setattr(_rnn_lookup, "CACHE_BYTES", 1024)
    model = _model(layers.GRU, {})
    ids = _ids((3, 5))
    want = np.asarray(_apart(model, ids))
    for _ in range(3):
        assert np.asarray(model(ids)).tobytes() == want.tobytes()
    assert model.layers[1].__dict__["_projection_cache"].table is None


@pytest.mark.parametrize("vocabulary,count", [(10, 1000), (5000, 3)])
def test_distinct_ids_both_ways(vocabulary, count):
    # dense marking (a vocabulary up to 8 ids per input id), else sorting
    ids = np.random.default_rng(1).integers(0, vocabulary, (count, 1))
    distinct, rows = _rnn_lookup.distinct_ids(ids, vocabulary)
    np.testing.assert_array_equal(distinct, np.unique(ids))
    np.testing.assert_array_equal(distinct[rows], ids)
    assert rows.dtype == np.int64 and rows.shape == ids.shape


def test_out_of_range_ids_raise_the_embedding_error():
    model = _model(layers.LSTM, {})
    with pytest.raises(ValueError, match="token id 40 is out of range for "
                                         "input_dim=40"):
        model(np.array([[1, 40]]))
    with pytest.raises(ValueError, match="expects integer token ids"):
        model(np.array([[1.5, 2.0]]))


def test_training_matches_a_model_that_cannot_fuse():
    # the same layers with the embedding's output also returned (two
    # readers: no fused step) train to the same weights bit for bit
    fused = _model(layers.LSTM, {}, mask_zero=True)
    ids_in = keras.Input((None,), dtype="int32")
    keras.utils.set_random_seed(4)
    embedding = layers.Embedding(40, 7, mask_zero=True)
    recurrent = layers.LSTM(33, bias_initializer="random_normal")
    embedded = embedding(ids_in)
    apart = keras.Model(ids_in, [layers.Dense(3)(recurrent(embedded)),
                                 embedded])
    apart.set_weights(fused.get_weights())
    ids = _ids((8, 5), zeros_after=3)
    y = np.random.default_rng(3).standard_normal((8, 3)).astype(np.float32)
    fused.compile("adam", "mse")
    apart.compile("adam", ["mse", None])
    for _ in range(3):
        fused.train_on_batch(ids, y)
        apart.train_on_batch(ids, y)
    for a, b in zip(fused.get_weights(), apart.get_weights()):
        assert a.tobytes() == b.tobytes()


def test_training_runs_the_layers_apart_and_learns():
    model = _model(layers.LSTM, {}, mask_zero=True)
    model.compile(keras.optimizers.Adam(0.05), "mse")
    ids = _ids((16, 5), zeros_after=3)
    y = np.random.default_rng(2).standard_normal((16, 3)).astype(np.float32)
    first = model.evaluate(ids, y, verbose=0)
    model.fit(ids, y, epochs=60, verbose=0)
    assert model.evaluate(ids, y, verbose=0) < 0.25 * first
    want = np.asarray(_apart(model, ids))
    assert np.asarray(model(ids)).tobytes() == want.tobytes()


def test_only_the_plain_pattern_is_fused():
    ids_in = keras.Input((None,), dtype="int32")
    embedded = layers.Embedding(20, 4)(ids_in)
    # the embedding read by two layers: not fused
    both = keras.Model(ids_in, [layers.LSTM(3)(embedded),
                                layers.GRU(3)(embedded)])
    ids = _ids((2, 4), vocabulary=20)
    assert not _fused(both, ids)

    class Custom(layers.LSTM):
        def call(self, inputs, **kwargs):
            return super().call(inputs, **kwargs) * 2.0

    custom = keras.Sequential([keras.Input((None,), dtype="int32"),
                               layers.Embedding(20, 4), Custom(3)])
    assert not _fused(custom, ids)
    embedding, recurrent = custom.layers
    np.testing.assert_array_equal(custom(ids), recurrent(embedding(ids)))
    wrapped = keras.Sequential([keras.Input((None,), dtype="int32"),
                                layers.Embedding(20, 4),
                                layers.Bidirectional(layers.LSTM(3))])
    assert not _fused(wrapped, ids)


def test_return_state_in_a_functional_model():
    ids_in = keras.Input((None,), dtype="int32")
    embedding = layers.Embedding(30, 5)
    recurrent = layers.LSTM(6, return_sequences=True, return_state=True,
                            bias_initializer="random_normal")
    seq, h, c = recurrent(embedding(ids_in))
    model = keras.Model(ids_in, [seq, h, c])
    ids = _ids((3, 7), vocabulary=30)
    assert _fused(model, ids)
    for _ in range(3):
        got = model(ids)
        want = recurrent(embedding(ids))
        for a, b in zip(got, want):
            assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_wide_embeddings_are_sliced_along_k_the_same_way(isa):
    # features beyond the GEMM's depth block: the table's product and the
    # loop's are cut into the same k slices
    model = _model(layers.LSTM, {}, vocabulary=300, features=700, units=40)
    ids = _ids((50, 6), vocabulary=300)
    want = np.asarray(_apart(model, ids))
    for _ in range(3):
        assert np.asarray(model(ids)).tobytes() == want.tobytes()
