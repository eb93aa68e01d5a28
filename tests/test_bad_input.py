"""Bad input gets a clear ValueError naming the layer, what it expected and
what it received; nothing reaches the C kernels unchecked."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers


def test_wrong_rank():
    with pytest.raises(ValueError, match=r'layer "conv' + r'.*expected '
                                         r'ndim=4, found ndim=3. Full shape '
                                         r'received: \(2, 5, 5\)'):
        layers.Conv2D(3, 3)(np.ones((2, 5, 5), np.float32))
    with pytest.raises(ValueError, match=r"expected ndim=3, found ndim=2"):
        layers.LSTM(3)(np.ones((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"expected min_ndim=2, found ndim=1"):
        layers.Dense(3)(np.ones(4, np.float32))


def test_wrong_last_dimension():
    layer = layers.Dense(3, name="clf")
    layer(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r'layer "clf".*expected axis -1 of '
                                         r'input shape to have value 4, but '
                                         r'received input with shape '
                                         r'\(2, 5\)'):
        layer(np.ones((2, 5)))
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="expected axis -1 of input shape "
                                         "to have value 4"):
        model(np.ones((3, 6)))


def test_float_where_integers_are_needed():
    with pytest.raises(ValueError, match="Embedding 'emb' expects integer "
                                         "token ids; received float64 values "
                                         "such as 0.5"):
        layers.Embedding(10, 2, name="emb")(np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError, match=r"token id 10 is out of range for "
                                         r"input_dim=10"):
        layers.Embedding(10, 2)(np.array([[1, 10]]))
    with pytest.raises(ValueError, match="token id -1 is out of range"):
        layers.Embedding(10, 2)(np.array([[-1, 3]]))
    with pytest.raises(ValueError, match="expects integer token ids; "
                                         "received an array of dtype <U1"):
        layers.Embedding(10, 2)(np.array([["a"]]))


def test_non_numeric_input():
    with pytest.raises(ValueError, match="Layer 'dense_x' expects numeric "
                                         "array input"):
        layers.Dense(2, name="dense_x")([["a", "b"]])


@pytest.mark.parametrize("make,message", [
    (lambda: layers.Dense(3, activation="relux"),
     "Dense: invalid activation='relux'"),
    (lambda: layers.Conv2D(3, 3, activation="nope"),
     "Conv2D: invalid activation='nope'"),
    (lambda: layers.Activation("foo"), "Activation: invalid activation"),
    (lambda: layers.LSTM(3, recurrent_activation="bad"),
     "LSTM: invalid recurrent_activation='bad'"),
    (lambda: layers.Conv2D(3, 3, padding="full"),
     r"Conv2D: padding must be one of \['valid', 'same'\], received "
     r"padding='full'"),
    (lambda: layers.Conv1D(3, 3, padding="circular"),
     r"Conv1D: padding must be one of \['valid', 'same', 'causal'\]"),
    (lambda: layers.MaxPooling2D(padding="causal"),
     "MaxPooling2D: padding must be one of"),
    (lambda: layers.Dense(-3), "Dense: units must be a positive integer, "
                               "received units=-3"),
    (lambda: layers.Dense(2.5), "received units=2.5"),
    (lambda: layers.Conv2D(0, 3), "Conv2D: filters must be a positive"),
    (lambda: layers.Conv2D(2, (3, 3, 3)), "kernel_size must be a positive "
                                          "integer or a tuple of 2"),
    (lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2),
     "`strides > 1` not supported in conjunction with `dilation_rate > 1`"),
    (lambda: layers.Dropout(1.5), "Dropout: rate must be a float between 0 "
                                  "and 1"),
    (lambda: layers.Dropout(1.0), "1 excluded"),
    (lambda: layers.Reshape((2, -1, -1)), "at most one -1"),
    (lambda: layers.Permute((1, 3)), "must be consecutive and start from 1"),
    (lambda: layers.Dense(2, foo=1), "Unrecognized keyword arguments passed "
                                     "to Dense: {'foo': 1}"),
    (lambda: layers.Dense(2, kernel_initializer="zeroes"),
     "Could not interpret initializer identifier: 'zeroes'"),
    (lambda: layers.Dense(2, kernel_regularizer="l3"),
     "Could not interpret regularizer identifier: 'l3'"),
    (lambda: keras.Input(shape=(3,), batch_shape=(None, 3)),
     "both `shape` and `batch_shape`"),
    (lambda: keras.Input(shape=(-1, 3)), "Negative dimensions"),
    (lambda: keras.Input(), "You must pass a `shape` argument"),
    (lambda: layers.Dropout(2), "Dropout: rate must be a float"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_recurrent_dropout_rates_are_clipped_as_keras():
    # Keras 3 clips a recurrent layer's rates into [0, 1] instead of raising.
    layer = layers.GRU(3, dropout=2, recurrent_dropout=-0.5)
    assert (layer.dropout, layer.recurrent_dropout) == (1.0, 0.0)
    with pytest.raises(TypeError, match="GRU: dropout must be a float"):
        layers.GRU(3, dropout="half")


def test_reshape_size_mismatch():
    with pytest.raises(ValueError, match="total size of the new array must "
                                         r"be unchanged, input_shape = "
                                         r"\(3, 4\), output_shape = \(5,\)"):
        layers.Reshape((5,))(np.ones((2, 3, 4), np.float32))


def test_too_small_input_for_the_window():
    with pytest.raises(ValueError, match="computed output size would be "
                                         "non-positive"):
        layers.Conv2D(2, 5)(np.ones((1, 3, 3, 1), np.float32))
    with pytest.raises(ValueError, match="non-positive"):
        keras.Sequential([keras.Input(shape=(4, 4, 1)),
                          layers.MaxPooling2D(5)])


def test_recurrent_state_errors():
    layer = layers.LSTM(3)
    x = np.ones((2, 4, 5), np.float32)
    with pytest.raises(ValueError, match="expects 2 initial state"):
        layer(x, initial_state=[np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"initial state must have shape "
                                         r"\(2, 3\), received \(2, 4\)"):
        layer(x, initial_state=[np.zeros((2, 4)), np.zeros((2, 4))])


def test_kernel_level_checks():
    from seqcore import _kernels
    with pytest.raises(ValueError, match="expected a float32 numpy array"):
        _kernels.activation(np.ones(3), "relu")
    with pytest.raises(ValueError, match="kernel must be"):
        _kernels.conv2d_forward(np.ones((1, 4, 4, 2), np.float32),
                                np.ones((3, 3, 3, 1), np.float32), None,
                                (1, 1), (1, 1), (0, 0), (2, 2))
    with pytest.raises(ValueError, match="does not fit"):
        _kernels.pool2d_forward(np.ones((1, 4, 4, 2), np.float32), "max",
                                (2, 2), (1, 1), (0, 0), (9, 3))
    with pytest.raises(ValueError, match="kind must be one of"):
        _kernels.rnn_forward("rnn", np.ones((1, 2, 3), np.float32), None,
                             None, None, np.zeros((1, 2), np.float32))
