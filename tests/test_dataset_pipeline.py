"""tf.data's chainable methods on seqcore's datasets
(seqcore/utils/dataset_pipeline.py), against numpy."""
import numpy as np
import pytest

import seqcore as keras
from seqcore.utils.dataset_utils import ArrayDataset


def _dataset(batch_size=4):
    x = np.arange(10 * 3, dtype="float32").reshape(10, 3)
    y = np.arange(10, dtype="float32")
    return x, y, ArrayDataset(x, y, batch_size=batch_size)


def _collect(dataset):
    xs, ys = zip(*list(dataset))
    return np.concatenate(xs), np.concatenate(ys)


def test_map_unbatch_batch_take_skip():
    x, y, ds = _dataset()
    mapped = ds.map(lambda a, b: (a * 2, b + 1))
    gx, gy = _collect(mapped)
    np.testing.assert_array_equal(gx, x * 2)
    np.testing.assert_array_equal(gy, y + 1)
    rebatched = mapped.unbatch().batch(3)
    assert [b[0].shape[0] for b in rebatched] == [3, 3, 3, 1]
    assert len(mapped.unbatch().batch(3, drop_remainder=True)) == 3
    assert len(ds.take(2)) == 2 and len(ds.skip(1)) == 2
    np.testing.assert_array_equal(ds.skip(2)[0][1], y[8:])
    np.testing.assert_array_equal(ds.take(-1)[2][1], y[8:])
    first = list(ds.take(1).as_numpy_iterator())
    np.testing.assert_array_equal(first[0][0], x[:4])


def test_shuffle_repeat_filter_concatenate():
    x, y, ds = _dataset(batch_size=None)
    shuffled = ds.shuffle(100, seed=3)
    order = [int(b[1]) for b in shuffled]
    assert sorted(order) == list(range(10)) and order != list(range(10))
    assert [int(b[1]) for b in shuffled] == order      # same epoch
    shuffled.on_epoch_end()
    assert [int(b[1]) for b in shuffled] != order       # reshuffled
    fixed = ds.shuffle(100, seed=3, reshuffle_each_iteration=False)
    before = [int(b[1]) for b in fixed]
    fixed.on_epoch_end()
    assert [int(b[1]) for b in fixed] == before
    twice = ds.repeat(2)
    assert len(twice) == 20 and int(twice[13][1]) == 3
    assert ds.repeat().cardinality() == -1
    with pytest.raises(TypeError, match="infinite"):
        len(ds.repeat())
    odd = ds.filter(lambda a, b: b % 2 == 1)
    assert [int(b[1]) for b in odd] == [1, 3, 5, 7, 9]
    both = ds.take(2).concatenate(ds.skip(8))
    assert [int(b[1]) for b in both] == [0, 1, 8, 9]
    assert ds.prefetch(2) is ds and ds.cache() is ds


def test_fit_consumes_pipelines():
    x, y, ds = _dataset()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.001), "mse")
    pipeline = ds.map(lambda a, b: (a / 30.0, b)).unbatch().batch(5)
    reference = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    reference.set_weights(model.get_weights())
    reference.compile(keras.optimizers.SGD(0.001), "mse")
    a = model.fit(pipeline, epochs=2, verbose=0).history["loss"]
    b = reference.fit(x / 30.0, y, batch_size=5, epochs=2, shuffle=False,
                      verbose=0).history["loss"]
    np.testing.assert_allclose(a, b, rtol=1e-6)
    endless = pipeline.repeat()
    history = model.fit(endless, epochs=1, steps_per_epoch=3, verbose=0)
    assert len(history.history["loss"]) == 1
    with pytest.raises(ValueError, match="batch_size"):
        ds.unbatch().batch(0)
