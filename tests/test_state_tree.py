"""Model.get_state_tree / set_state_tree against Keras 3's documented tree
(its docstring's example) and as a snapshot that training resumes from."""
import numpy as np
import pytest

import seqcore as keras


def _docstring_model():
    model = keras.Sequential([
        keras.Input(shape=(1,), name="my_input"),
        keras.layers.Dense(1, activation="sigmoid", name="my_dense"),
    ], name="my_sequential")
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def _keys(tree):
    return {k: _keys(v) if isinstance(v, dict) else None
            for k, v in tree.items()}


def test_tree_of_keras_docstring_example():
    model = _docstring_model()
    model.fit(np.array([[1.0]]), np.array([[1.0]]), verbose=0)
    tree = model.get_state_tree()
    leaf = None
    assert _keys(tree) == {
        "metrics_variables": {
            "loss": {"count": leaf, "total": leaf},
            "mean_absolute_error": {"count": leaf, "total": leaf}},
        "trainable_variables": {
            "my_sequential": {"my_dense": {"bias": leaf, "kernel": leaf}}},
        "non_trainable_variables": {},
        "optimizer_variables": {"adam": {
            "iteration": leaf, "learning_rate": leaf,
            "my_sequential_my_dense_bias_momentum": leaf,
            "my_sequential_my_dense_bias_velocity": leaf,
            "my_sequential_my_dense_kernel_momentum": leaf,
            "my_sequential_my_dense_kernel_velocity": leaf}}}
    dense = tree["trainable_variables"]["my_sequential"]["my_dense"]
    np.testing.assert_array_equal(dense["kernel"],
                                  model.layers[0].kernel.numpy())
    assert tree["optimizer_variables"]["adam"]["iteration"] == 1
    assert tree["metrics_variables"]["loss"]["count"] == 1
    dense["kernel"][...] = 99.0          # the tree holds copies
    assert not np.any(model.layers[0].kernel.numpy() == 99.0)
    with pytest.raises(ValueError, match="Invalid `value_format`"):
        model.get_state_tree(value_format="list")


def test_set_state_tree_restores_weights_and_optimizer_state():
    """Training resumed from a restored tree gives the same weights as
    training continued from the snapshot (Adam's moments and iteration
    count included)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 1)).astype(np.float32)
    y = rng.random((16, 1)).astype(np.float32)
    model = _docstring_model()
    model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    snapshot = model.get_state_tree("numpy_array")
    model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    after = model.get_weights()
    model.set_state_tree(snapshot)
    restored = model.get_state_tree()
    np.testing.assert_array_equal(
        restored["optimizer_variables"]["adam"][
            "my_sequential_my_dense_kernel_velocity"],
        snapshot["optimizer_variables"]["adam"][
            "my_sequential_my_dense_kernel_velocity"])
    assert restored["optimizer_variables"]["adam"]["iteration"] == 8
    model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), after):
        np.testing.assert_array_equal(a, b)
    # a partial tree assigns what it names
    model.set_state_tree({"trainable_variables": {"my_sequential": {
        "my_dense": {"bias": np.array([0.5], np.float32)}}}})
    np.testing.assert_array_equal(model.layers[0].bias.numpy(), [0.5])
    # one element for a scalar (R's arrays are never 0-d); sizes must agree
    model.set_state_tree({"optimizer_variables": {"adam": {
        "iteration": np.array([3])}}})
    assert model.optimizer.iterations == 3
    with pytest.raises(ValueError, match="'my_sequential/my_dense/kernel' "
                                         "has shape \\(1, 1\\)"):
        model.set_state_tree({"trainable_variables": {"my_sequential": {
            "my_dense": {"kernel": np.zeros((2, 1))}}}})
    with pytest.raises(ValueError, match="Unknown variable name: weights"):
        model.set_state_tree({"weights": {}})
