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


def test_remat_scope_validates_nests_and_reports_its_mode():
    from seqcore.scopes import get_current_remat_mode
    assert get_current_remat_mode() is None
    with keras.RematScope(mode="full"):
        with keras.RematScope(mode="list_of_layers", layer_names=["d"]):
            assert get_current_remat_mode() == ("list_of_layers", 1024,
                                                ["d"])
        assert get_current_remat_mode().mode == "full"
    assert get_current_remat_mode() is None
    with pytest.raises(ValueError, match="Invalid mode 'some'"):
        keras.RematScope(mode="some")


def _remat_model(use_remat):
    """Keras's remat example: a custom layer whose intermediate function
    is (or is not) wrapped by keras.remat, between two Dense layers."""

    class Scaled(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.fn = keras.remat(self.intermediate) if use_remat \
                else self.intermediate

        def intermediate(self, x):
            for _ in range(2):
                x = x + x * 0.1
            return keras.ops.tanh(x)

        def call(self, inputs):
            return self.fn(inputs)

    keras.utils.set_random_seed(4)
    inputs = keras.Input((4,))
    x = keras.layers.Dense(4, activation="relu")(inputs)
    outputs = keras.layers.Dense(1)(Scaled()(x))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_remat_trains_as_the_function_it_wraps():
    """keras.remat changes no number: a model whose custom layer calls a
    remat-wrapped function trains to the same weights as without it, and
    the wrapped function keeps its name."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = rng.standard_normal((32, 1)).astype(np.float32)
    with_remat, without = _remat_model(True), _remat_model(False)
    for model in (with_remat, without):
        model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(with_remat.get_weights(), without.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(with_remat.get_weights()[0],
                           _remat_model(True).get_weights()[0])
    assert keras.remat(np.tanh).__name__ == "tanh"
    with pytest.raises(TypeError, match="callable"):
        keras.remat(3)


def test_symbolic_scope_marks_the_symbolic_stage():
    from seqcore.scopes import in_symbolic_scope
    assert not in_symbolic_scope()
    with keras.SymbolicScope():
        assert in_symbolic_scope()
        with keras.SymbolicScope():
            assert in_symbolic_scope()
        assert in_symbolic_scope()
    assert not in_symbolic_scope()


class _ScaledSoftplus(keras.Operation):
    def __init__(self, scale=2.0, name=None):
        super().__init__(name=name)
        self.scale = scale

    def call(self, x):
        return keras.ops.softplus(x) * self.scale


def test_operation_runs_eagerly_and_as_a_differentiated_graph_node():
    op = _ScaledSoftplus(3.0, name="sp")
    x = np.array([-1.0, 0.0, 2.0], np.float32)
    np.testing.assert_allclose(op(x), 3.0 * np.log1p(np.exp(x)), rtol=1e-6)
    assert isinstance(keras.layers.Dense(2), keras.Operation)
    assert op.get_config() == {"name": "sp"}
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        _ScaledSoftplus(name="a/b")

    def model(use_operation):
        keras.utils.set_random_seed(7)
        inputs = keras.Input((4,))
        hidden = keras.layers.Dense(3)(inputs)
        hidden = _ScaledSoftplus(3.0)(hidden) if use_operation else \
            keras.ops.softplus(hidden) * 3.0
        m = keras.Model(inputs, keras.layers.Dense(1)(hidden))
        m.compile(optimizer="sgd", loss="mse")
        return m

    with_op, inline = model(True), model(False)
    # an operation node, as Keras's: in the graph, not in model.layers
    assert [type(o).__name__ for o in with_op._operations][2] == \
        "_ScaledSoftplus"
    assert [type(l).__name__ for l in with_op.layers] == [
        "InputLayer", "Dense", "Dense"]
    rng = np.random.default_rng(1)
    data = (rng.random((16, 4), np.float32), rng.random((16, 1), np.float32))
    for m in (with_op, inline):
        m.fit(*data, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(with_op.get_weights(), inline.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert not np.allclose(with_op.get_weights()[0], model(True).get_weights()[0])


def test_function_is_a_callable_graph():
    inputs = keras.Input((4,), name="x")
    hidden = keras.layers.Dense(3, activation="relu")(inputs)
    outputs = keras.layers.Dense(2)(hidden)
    fn = keras.Function(inputs, outputs, name="f")
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(0).random((5, 4), np.float32)
    np.testing.assert_array_equal(fn(x), model.predict(x, verbose=0))
    assert fn.name == "f"
    assert [type(o).__name__ for o in fn.operations] == [
        "InputLayer", "Dense", "Dense"]
    assert fn.inputs[0] is inputs and fn.outputs[0] is outputs
    symbolic = fn(keras.Input((4,)))
    assert isinstance(symbolic, keras.KerasTensor)
    assert tuple(symbolic.shape) == (None, 2)
    assert fn.compute_output_shape((None, 4)) == (None, 2)
