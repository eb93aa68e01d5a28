"""Keras 3's top-level names: the base classes are the same objects as in
their namespaces, keras.Variable has Keras's constructor, name_scope and
device do what they mean on one CPU."""
import numpy as np
import pytest

import seqcore as keras


def test_base_classes_are_the_namespace_objects():
    assert keras.Layer is keras.layers.Layer
    assert keras.Loss is keras.losses.Loss
    assert keras.Metric is keras.metrics.Metric
    assert keras.Initializer is keras.initializers.Initializer
    assert keras.Regularizer is keras.regularizers.Regularizer
    assert keras.Optimizer is keras.optimizers.Optimizer
    assert keras.InputSpec is keras.layers.InputSpec
    assert keras.version() == keras.__version__


def test_subclassed_layer_and_loss_train():
    class Scale(keras.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],),
                                     initializer="ones")

        def call(self, x):
            return x * self.w

    class MSE(keras.Loss):
        def call(self, y_true, y_pred):
            return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)

    x = np.ones((8, 3), np.float32)
    y = np.full((8, 3), 2.0, np.float32)
    model = keras.Sequential([keras.Input((3,)), Scale()])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=MSE())
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    # one step of d/dw mean((2 - w)^2) = -2(2 - w)/3 at w = 1
    np.testing.assert_allclose(model.layers[0].w.numpy(),
                               1 + 0.1 * 2 / 3, rtol=1e-5)


def test_variable_constructor_and_isinstance():
    v = keras.Variable(np.arange(6).reshape(2, 3), name="v")
    assert v.dtype == "float32" and v.shape == (2, 3)
    np.testing.assert_array_equal(v.numpy(), np.arange(6).reshape(2, 3))
    w = keras.Variable("ones", shape=(4,), dtype="int32", trainable=False)
    assert w.dtype == "int32" and not w.trainable
    np.testing.assert_array_equal(w.numpy(), np.ones(4))
    with pytest.raises(ValueError, match="shape"):
        keras.Variable("zeros")
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    assert isinstance(layer.kernel, keras.Variable)
    v.assign(np.zeros((2, 3)))
    assert float(np.sum(v.numpy())) == 0.0


def test_name_scope_prefixes_variable_paths():
    with keras.name_scope("outer"):
        with keras.name_scope("inner"):
            v = keras.Variable(1.0, name="x")
        u = keras.Variable(2.0, name="y")
    assert v.path == "outer/inner/x"
    assert u.path == "outer/y"
    assert keras.Variable(0.0).path == "variable"
    with pytest.raises(ValueError, match="/"):
        keras.name_scope("a/b")


def test_device_accepts_the_cpu_only():
    for name in ("cpu", "cpu:0", "/CPU:0", "/device:CPU:0"):
        with keras.device(name):
            out = keras.ops.add(np.ones(2), 1)
        np.testing.assert_array_equal(out, [2, 2])
    with pytest.raises(ValueError, match="CPU only.*gpu:0"):
        keras.device("gpu:0")
