"""compute_output_shape (and the symbolic graph) equals the shape of the
actual output, for every layer over many configurations."""
import itertools

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers


def check(layer, input_shape, dtype=np.float32):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, input_shape) if dtype == "int" else \
        rng.standard_normal(input_shape).astype(np.float32)
    predicted = layer.compute_output_shape(input_shape)
    out = layer(x)
    shapes = [o.shape for o in out] if isinstance(out, list) else out.shape
    assert shapes == predicted, (layer.get_config(), input_shape)
    # and with an unknown batch, symbolically
    symbolic = layer(keras.Input(batch_shape=(None,) + tuple(input_shape[1:]),
                                 dtype="int32" if dtype == "int" else None))
    sym = [t.shape for t in symbolic] if isinstance(symbolic, list) \
        else symbolic.shape
    want = [(None,) + s[1:] for s in shapes] if isinstance(shapes, list) \
        else (None,) + shapes[1:]
    assert sym == want


CONV2D = list(itertools.product(
    [(2, 9, 8, 3), (1, 16, 5, 2)], [1, 3, (2, 3)], [1, 2, (1, 3)],
    ["valid", "same"]))


@pytest.mark.parametrize("shape,kernel,strides,padding", CONV2D)
def test_conv2d_shapes(shape, kernel, strides, padding):
    check(layers.Conv2D(4, kernel, strides=strides, padding=padding), shape)


@pytest.mark.parametrize("dilation", [1, 2, (3, 1)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_dilated_conv2d_shapes(dilation, padding):
    check(layers.Conv2D(2, 3, dilation_rate=dilation, padding=padding),
          (1, 13, 12, 2))


@pytest.mark.parametrize("kernel,strides,padding,dilation", [
    (k, s, p, d) for k in (1, 3, 4) for s in (1, 2) for p in
    ("valid", "same", "causal") for d in (1, 2) if s == 1 or d == 1])
def test_conv1d_shapes(kernel, strides, padding, dilation):
    check(layers.Conv1D(3, kernel, strides=strides, padding=padding,
                        dilation_rate=dilation), (2, 11, 4))


@pytest.mark.parametrize("cls", [layers.MaxPooling2D,
                                 layers.AveragePooling2D])
@pytest.mark.parametrize("pool,strides,padding", [
    (p, s, pad) for p in (2, 3, (2, 3)) for s in (None, 1, (2, 1))
    for pad in ("valid", "same")])
def test_pool2d_shapes(cls, pool, strides, padding):
    check(cls(pool, strides=strides, padding=padding), (2, 9, 7, 3))


@pytest.mark.parametrize("cls", [layers.MaxPooling1D,
                                 layers.AveragePooling1D])
@pytest.mark.parametrize("pool,strides,padding", [
    (p, s, pad) for p in (1, 2, 3) for s in (None, 1, 2)
    for pad in ("valid", "same")])
def test_pool1d_shapes(cls, pool, strides, padding):
    check(cls(pool, strides=strides, padding=padding), (2, 10, 3))


@pytest.mark.parametrize("layer,shape", [
    (layers.Dense(5), (3, 4)),
    (layers.Dense(5), (2, 3, 4)),
    (layers.Activation("softmax"), (2, 3)),
    (layers.Dropout(0.5), (2, 3)),
    (layers.Flatten(), (2, 3, 4, 5)),
    (layers.Reshape((2, -1)), (2, 3, 4)),
    (layers.Reshape((12,)), (2, 3, 4)),
    (layers.Permute((3, 1, 2)), (2, 3, 4, 5)),
    (layers.RepeatVector(4), (2, 3)),
    (layers.GlobalMaxPooling1D(), (2, 5, 3)),
    (layers.GlobalAveragePooling1D(keepdims=True), (2, 5, 3)),
    (layers.GlobalMaxPooling2D(keepdims=True), (2, 5, 4, 3)),
    (layers.GlobalAveragePooling2D(), (2, 5, 4, 3)),
    (layers.BatchNormalization(), (2, 5, 3)),
    (layers.BatchNormalization(axis=1), (2, 5, 3)),
    (layers.LayerNormalization(), (2, 5, 3)),
    (layers.LayerNormalization(axis=(1, 2)), (2, 5, 3)),
    (layers.LSTM(4), (2, 5, 3)),
    (layers.LSTM(4, return_sequences=True, return_state=True), (2, 5, 3)),
    (layers.GRU(4, return_sequences=True), (2, 5, 3)),
    (layers.GRU(4, return_state=True, reset_after=False), (2, 5, 3)),
    (layers.SimpleRNN(4, return_state=True), (2, 5, 3)),
])
def test_layer_shapes(layer, shape):
    check(layer, shape)


def test_embedding_shapes():
    check(layers.Embedding(10, 4), (3, 7), dtype="int")
    check(layers.Embedding(10, 4), (3,), dtype="int")


def test_models_infer_shapes():
    model = keras.Sequential([layers.Conv2D(3, 3), layers.Flatten(),
                              layers.Dense(2)])
    assert model.compute_output_shape((None, 8, 8, 1)) == (None, 2)
    assert model(np.ones((4, 8, 8, 1), np.float32)).shape == (4, 2)
    inputs = keras.Input(shape=(6,))
    outputs = [layers.Dense(3)(inputs), layers.Dense(1)(inputs)]
    functional = keras.Model(inputs, outputs)
    assert functional.compute_output_shape((None, 6)) == [(None, 3), (None, 1)]
    assert [o.shape for o in functional(np.ones((2, 6)))] == [(2, 3), (2, 1)]


@pytest.mark.parametrize("layer,shape", [
    (layers.Dense(3), (0, 4)),
    (layers.Conv2D(2, 3, padding="same"), (0, 5, 5, 1)),
    (layers.Conv1D(2, 3), (0, 7, 2)),
    (layers.MaxPooling2D(), (0, 4, 4, 2)),
    (layers.AveragePooling1D(2), (0, 6, 2)),
    (layers.LSTM(4, return_sequences=True), (0, 5, 3)),
    (layers.LSTM(4), (2, 0, 3)),
    (layers.GRU(4, return_sequences=True), (2, 0, 3)),
    (layers.SimpleRNN(4), (0, 5, 3)),
    (layers.BatchNormalization(), (0, 3)),
    (layers.LayerNormalization(), (0, 3)),
    (layers.Flatten(), (0, 2, 2)),
    (layers.GlobalAveragePooling2D(), (0, 3, 3, 2)),
])
def test_empty_batches_and_sequences(layer, shape):
    out = layer(np.zeros(shape, np.float32))
    assert out.shape == layer.compute_output_shape(shape)
