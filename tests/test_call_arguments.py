"""Tensors given to a layer as call arguments (`lstm(x,
initial_state=[h, c])`, `gru(x, h0)`, `custom(x, gate)`, `mha(x, x)` inside
a custom layer) are part of the graph and train, and options given in a
graph call (`base(x, training=False)`) are kept: predictions and weights
after 2 epochs of SGD equal Keras 3's (make_call_argument_fixtures.py)."""
import pathlib

import numpy as np
import pytest

import seqcore
from tests.fixtures import call_argument_cases as cases

FIXTURES = np.load(pathlib.Path(__file__).parent / "fixtures" /
                   "keras_call_arguments.npz")


def _weights(name, stage):
    found = sorted((int(k.rsplit("/", 1)[1]), k) for k in FIXTURES.files
                   if k.startswith(f"{name}/{stage}/"))
    return [FIXTURES[k] for _, k in found]


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_trains_as_keras(name):
    seqcore.utils.set_random_seed(0)
    model, x, y, loss = cases.CASES[name](seqcore)
    x, y = cases.as_float32(x), np.asarray(y, np.float32)
    model.set_weights(_weights(name, "initial"))
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               FIXTURES[f"{name}/predict"],
                               rtol=1e-5, atol=1e-5)
    model.compile(optimizer=seqcore.optimizers.SGD(0.1), loss=loss)
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"],
                               FIXTURES[f"{name}/loss"], rtol=1e-4)
    for got, want in zip(model.get_weights(), _weights(name, "trained"),
                         strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_encoder_of_initial_state_is_in_the_model():
    model, *_ = cases.lstm_seq2seq(seqcore)
    assert [type(l).__name__ for l in model.layers] == \
        ["InputLayer", "InputLayer", "LSTM", "LSTM", "Dense"]


def test_fit_replaces_a_graph_calls_training_false_as_keras():
    """Keras 3.15 replaces the training value a graph call was made with
    by the model's (fit: True), so the base's BatchNormalization updates
    its moving statistics; the fixture's trained weights (compared above)
    carry Keras's updated statistics."""
    model, x, y, loss = cases.frozen_batchnorm_base(seqcore)
    batchnorm = model.get_layer("base").layers[1]
    before = [w.copy() for w in batchnorm.get_weights()[2:]]
    model.compile(optimizer="sgd", loss=loss)
    model.fit(cases.as_float32(x), np.asarray(y, np.float32), epochs=1,
              verbose=0)
    for got, want in zip(batchnorm.get_weights()[2:], before):
        assert not np.allclose(got, want)


def test_graph_calls_training_holds_when_the_model_gets_none():
    inputs = seqcore.Input((200,))
    out = seqcore.layers.Dropout(0.5)(inputs, training=True)
    model = seqcore.Model(inputs, out)
    x = np.ones((2, 200), np.float32)
    assert np.count_nonzero(model(x) == 0) > 50          # training=None
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


def test_undifferentiable_argument_is_an_error_not_a_silent_zero():
    class Shift(seqcore.layers.Layer):
        """A built-in-style layer (own backward) taking a tensor argument
        it cannot differentiate."""

        def call(self, x, offset=None, training=None):
            return x + offset

        def compute_output_shape(self, shape):
            return shape

        def backward(self, dy):
            return dy

        _uses_tape = staticmethod(lambda: False)

    inputs = seqcore.Input((3,))
    offset = seqcore.layers.Dense(3)(inputs)
    out = Shift()(inputs, offset=offset)
    model = seqcore.Model(inputs, seqcore.layers.Dense(1)(out))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(NotImplementedError, match="offset"):
        model.fit(np.ones((4, 3), np.float32), np.ones((4, 1), np.float32),
                  verbose=0)


def test_zero_dimensional_activation_keeps_its_shape():
    for name in ("sigmoid", "tanh", "relu", "softplus"):
        out = getattr(seqcore.ops, name)(np.float32(0.25))
        assert np.shape(out) == ()
