"""The bucket plan of the overlapped gradient allreduce
(seqcore/distribution/overlap.py), without MPI: which arena slices are
final after which backward step. The MPI runs are in test_distribution.py
(the overlapped sums change no bit)."""
import numpy as np
import pytest

import seqcore as keras
from seqcore.distribution.data_parallel import _overlap_setting
from seqcore.distribution.overlap import BucketPlan, bucket_bytes
from seqcore.engine import backprop


def _recorded(regularizer=None):
    """An MLP 8-64-32-4 after one step, and the layers its backward
    announced (last layer first)."""
    keras.utils.set_random_seed(0)
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((8,)), layers.Dense(64),
        layers.Dense(32, kernel_regularizer=regularizer),
        layers.Dense(4)])
    model.compile(optimizer="sgd", loss="mse")
    announced = []
    rng = np.random.default_rng(0)
    with backprop.backward_listener(announced.extend):
        model.train_on_batch(rng.standard_normal((5, 8)).astype(np.float32),
                             rng.standard_normal((5, 4)).astype(np.float32))
    return model, announced


def _slices(plan):
    return {index: [(start, end) for start, end, _ in parts]
            for index, parts in plan.issues.items()}


def test_backward_announces_every_step_from_the_last(monkeypatch):
    model, announced = _recorded()
    assert [layer.name for layer in announced] == \
        [layer.name for layer in model.layers[::-1]]


def test_buckets_grow_down_from_the_arena_end(monkeypatch):
    monkeypatch.setenv("SEQCORE_MPI_BUCKET_BYTES", "1024")   # 256 floats
    model, announced = _recorded()
    plan = BucketPlan.from_first_step(announced, model.optimizer)
    # arena: dense 512 + 64 | dense_1 2048 + 32 | dense_2 128 + 4 = 2788;
    # dense_2's 132 floats wait for dense_1's to make a bucket
    assert _slices(plan) == {1: [(576, 2788)], 2: [(0, 576)]}
    assert plan.issued_end == 0
    assert plan.key == tuple(id(layer) for layer in announced)
    held = plan.issues[1][0][2]
    dense_1, dense_2 = model.layers[1:]
    assert [id(v) for v in held] == [id(v) for v in (
        dense_1.kernel, dense_1.bias, dense_2.kernel, dense_2.bias)]


def test_a_regularized_weight_stops_the_final_region(monkeypatch):
    monkeypatch.setenv("SEQCORE_MPI_BUCKET_BYTES", "256")    # 64 floats
    model, announced = _recorded(regularizer="l2")
    plan = BucketPlan.from_first_step(announced, model.optimizer)
    # dense_2 (132) is a bucket; dense_1's bias joins the region, its
    # kernel gets an l2 gradient after backward: nothing below it goes
    assert _slices(plan) == {0: [(2656, 2788)]}
    assert plan.issued_end == 2656


def test_the_default_bucket_and_bad_values(monkeypatch):
    monkeypatch.delenv("SEQCORE_MPI_BUCKET_BYTES", raising=False)
    assert bucket_bytes() == 256 << 10
    monkeypatch.setenv("SEQCORE_MPI_BUCKET_BYTES", "-5")
    with pytest.raises(ValueError, match="SEQCORE_MPI_BUCKET_BYTES must be "
                       "a positive integer.*'-5'"):
        bucket_bytes()


def test_the_overlap_setting(monkeypatch):
    monkeypatch.delenv("SEQCORE_MPI_OVERLAP", raising=False)
    assert _overlap_setting() == "auto"
    for value in ("0", "1", "auto"):
        monkeypatch.setenv("SEQCORE_MPI_OVERLAP", value)
        assert _overlap_setting() == value
    monkeypatch.setenv("SEQCORE_MPI_OVERLAP", "yes")
    with pytest.raises(ValueError, match="SEQCORE_MPI_OVERLAP must be 0, 1 "
                       "or auto, received 'yes'"):
        _overlap_setting()
