"""The guides' transfer-learning blueprint on keras.applications bases: a
frozen base under a Dense head trains, its BatchNormalization layers run
in inference mode (weights and moving statistics unchanged), and after
unfreezing, fine-tuning moves the base's weights and statistics as
Keras's transfer-learning guide describes."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import applications, layers


def _randomize_statistics(model, seed=0):
    """Non-trivial moving statistics, so that inference-mode BN differs
    from batch statistics."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        if w.name == "moving_mean":
            w.assign(rng.normal(0, 0.2, w.shape).astype(np.float32))
        elif w.name == "moving_variance":
            w.assign(rng.uniform(0.5, 2.0, w.shape).astype(np.float32))


def _data(n, shape, classes, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (n,) + shape).astype(np.float32),
            rng.integers(0, classes, n))


def test_seed_blueprint_frozen_xception_base_trains_only_the_head():
    # keras.applications.Xception(weights=..., include_top=False,
    # pooling='avg'); base.trainable = False; Sequential([base, Dense])
    base = applications.Xception(weights=None, include_top=False,
                                 pooling="avg", input_shape=(71, 71, 3))
    _randomize_statistics(base)
    base.trainable = False
    model = keras.Sequential([base, layers.Dense(10)])
    model.compile(optimizer="adam", loss=keras.losses.
                  SparseCategoricalCrossentropy(from_logits=True))
    x, y = _data(8, (71, 71, 3), 10)
    before = [w.numpy().copy() for w in base.weights]
    head_before = model.layers[-1].kernel.numpy().copy()
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    for b, w in zip(before, base.weights):
        np.testing.assert_array_equal(b, w.numpy())
    assert not np.array_equal(head_before, model.layers[-1].kernel.numpy())
    assert len(model.trainable_weights) == 2
    assert len(base.non_trainable_weights) == len(base.weights)


def test_frozen_base_runs_batchnorm_in_inference_mode():
    base = applications.MobileNetV2(weights=None, include_top=False,
                                    pooling="avg", alpha=0.35,
                                    input_shape=(32, 32, 3))
    _randomize_statistics(base)
    x, _ = _data(4, (32, 32, 3), 3)
    base.trainable = False
    # the same moving statistics (inference folds them into the
    # convolutions, training applies them apart: rounding differs)
    np.testing.assert_allclose(base(x, training=True),
                               base(x, training=False), rtol=1e-5,
                               atol=1e-6)
    base.trainable = True
    # unfrozen, training mode uses the batch's statistics
    assert np.max(np.abs(base(x, training=True) -
                         base(x, training=False))) > 1e-3


def test_unfreezing_fine_tunes_weights_and_statistics():
    base = applications.MobileNetV2(weights=None, include_top=False,
                                    pooling="avg", alpha=0.35,
                                    input_shape=(32, 32, 3))
    _randomize_statistics(base)
    base.trainable = False
    model = keras.Sequential([base, layers.Dense(3)])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer="adam", loss=loss)
    x, y = _data(16, (32, 32, 3), 3)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    frozen = {w.path: w.numpy().copy() for w in base.weights}

    base.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss=loss)
    assert len(model.trainable_weights) == \
        len(base.trainable_weights) + 2 > 2
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    moved = {w.name for w in base.weights
             if not np.array_equal(frozen[w.path], w.numpy())}
    assert {"kernel", "gamma", "beta", "moving_mean",
            "moving_variance"} <= moved


def test_call_site_training_false_is_replaced_in_fit_as_keras_3_15():
    """Keras's guide calls the base with training=False; Keras 3.15 itself
    replaces that value by fit's training=True (functional.operation_fn),
    so an unfrozen base's BatchNormalization updates its statistics there
    too (checked against Keras's numbers in tests/test_call_arguments.py).
    A frozen base (trainable=False) keeps them: see the blueprint tests."""
    base = applications.MobileNetV2(weights=None, include_top=False,
                                    pooling="avg", alpha=0.35,
                                    input_shape=(32, 32, 3))
    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, layers.Dense(3)(base(inputs,
                                                     training=False)))
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss=keras.losses.
                  SparseCategoricalCrossentropy(from_logits=True))
    x, y = _data(16, (32, 32, 3), 3)
    stats = base.get_layer("bn_Conv1").moving_mean.numpy().copy()
    kernel = base.get_layer("Conv1").kernel.numpy().copy()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.array_equal(kernel, base.get_layer("Conv1").kernel.numpy())
    assert not np.array_equal(
        stats, base.get_layer("bn_Conv1").moving_mean.numpy())


def test_unfrozen_base_in_training_mode_updates_moving_statistics():
    base = applications.MobileNet(weights=None, include_top=False,
                                  pooling="avg", alpha=0.25,
                                  input_shape=(32, 32, 3))
    model = keras.Sequential([base, layers.Dense(2)])
    model.compile(optimizer="sgd", loss=keras.losses.
                  SparseCategoricalCrossentropy(from_logits=True))
    x, y = _data(8, (32, 32, 3), 2)
    mean_before = base.get_layer("conv1_bn").moving_mean.numpy().copy()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.array_equal(mean_before,
                              base.get_layer("conv1_bn").moving_mean.numpy())
