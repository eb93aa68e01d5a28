"""seqcore.ops: values as numpy computes them, result dtypes as Keras 3
gives them (the table below was read off keras.ops with Keras 3.15)."""
import numpy as np
import pytest

from seqcore import metrics, ops

INT = np.array([[1, 2], [3, 4]], dtype=np.int32)
FLOAT = INT.astype(np.float32)

# op -> (result dtype for int32 input, for float32 input), from Keras 3.15
KERAS_DTYPES = {
    "mean": ("float32", "float32"), "sum": ("int32", "float32"),
    "square": ("int32", "float32"), "sqrt": ("float32", "float32"),
    "abs": ("int32", "float32"), "exp": ("float32", "float32"),
    "log": ("float32", "float32"), "max": ("int32", "float32"),
    "min": ("int32", "float32"), "argmax": ("int32", "int32"),
    "std": ("float32", "float32"), "var": ("float32", "float32"),
    "prod": ("int32", "float32"),
}


@pytest.mark.parametrize("name", list(KERAS_DTYPES))
def test_result_dtypes_and_values(name):
    fn = getattr(ops, name)
    for x, want_dtype in zip((INT, FLOAT), KERAS_DTYPES[name]):
        got = fn(x)
        assert got.dtype == np.dtype(want_dtype), (name, x.dtype, got.dtype)
        reference = getattr(np, name)(x.astype(np.float64))
        np.testing.assert_allclose(got, reference, rtol=1e-6)


def test_reduction_arguments_and_mixed_dtypes():
    np.testing.assert_array_equal(ops.sum(INT, axis=1, keepdims=True),
                                  [[3], [7]])
    np.testing.assert_allclose(ops.mean(FLOAT, axis=0), [2.0, 3.0])
    assert ops.maximum(INT, 1.5).dtype == np.float32
    assert ops.clip(INT, 0, 2).dtype == np.int32
    assert ops.equal(INT, 1).dtype == bool
    assert ops.mean(np.array([True, False])).dtype == np.float32
    assert ops.sum(np.array([True, False])).dtype == np.int32
    assert ops.divide(INT, 2).dtype == np.float32
    np.testing.assert_array_equal(ops.where(INT > 2, INT, 0), [[0, 0], [3, 4]])
    assert ops.concatenate([INT, INT], axis=1).shape == (2, 4)
    assert ops.stack([INT, INT]).shape == (2, 2, 2)
    assert ops.shape(ops.expand_dims(INT, -1)) == (2, 2, 1)


def test_the_guides_custom_metric():
    """`mean_pred` from the guides, written with seqcore.ops."""
    def mean_pred(y_true, y_pred):
        return ops.mean(y_pred)

    metric = metrics.get(mean_pred)
    metric.update_state(np.zeros((2, 1)), np.array([[0.2], [0.6]]))
    assert metric.name == "mean_pred"
    np.testing.assert_allclose(metric.result(), 0.4)
