"""A functional Model built from intermediate tensors (Keras's FeatureSpace
example trains `keras.Model(encoded_features, outputs)`): each such input
becomes a new Input named `<tensor>CLONE`, as in Keras 3, and the layers
between are shared with the original graph."""
import numpy as np

import seqcore as keras


def test_model_from_an_intermediate_tensor():
    inputs = keras.Input(shape=(3,))
    hidden = keras.layers.Dense(4)(inputs)
    head = keras.layers.Dense(1)
    outputs = head(hidden)
    model = keras.Model(hidden, outputs)
    assert [type(l).__name__ for l in model.layers] == ["InputLayer",
                                                        "Dense"]
    assert model.layers[0].name == f"{hidden.name}CLONE"
    assert model.layers[1] is head
    assert model.input_shape == (None, 4)
    x = np.random.default_rng(0).random((5, 4)).astype("float32")
    expected = x @ head.kernel.numpy() + head.bias.numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected,
                               rtol=1e-5, atol=1e-6)
    full = keras.Model(inputs, outputs)
    assert len(full.layers) == 3
    model.compile("sgd", "mse")
    model.fit(x, np.ones((5, 1)), epochs=1, verbose=0)
    np.testing.assert_array_equal(full.layers[2].kernel.numpy(),
                                  head.kernel.numpy())   # shared weights


def test_intermediate_and_real_inputs_with_operations():
    a = keras.Input((2,), name="a")
    b = keras.Input((2,), name="b")
    joined = keras.layers.Concatenate()([keras.layers.Dense(3)(a), b])
    head = keras.layers.Dense(2)
    out = head(joined * 2.0 + b[:, :1])
    model = keras.Model([joined, b], out)
    rng = np.random.default_rng(1)
    x = rng.random((3, 5)).astype("float32")
    y = rng.random((3, 2)).astype("float32")
    expected = (x * 2.0 + y[:, :1]) @ head.kernel.numpy() + head.bias.numpy()
    np.testing.assert_allclose(model.predict([x, y], verbose=0), expected,
                               rtol=1e-5, atol=1e-6)
