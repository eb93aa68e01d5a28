"""seqcore.ops.matmul against numpy.matmul, with Keras's dtype rules."""
import numpy as np
import pytest

from seqcore import ops


@pytest.mark.parametrize("shape_a,shape_b", [
    ((3, 4), (4, 5)), ((1, 7), (7, 1)), ((4,), (4, 3)), ((3, 4), (4,)),
    ((5,), (5,)), ((2, 3, 4), (4, 6)), ((2, 1, 3, 4), (5, 4, 2)),
    ((4, 3), (2, 3, 5)),
])
def test_matches_numpy(shape_a, shape_b):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape_a).astype(np.float32)
    b = rng.standard_normal(shape_b).astype(np.float32)
    got = ops.matmul(a, b)
    want = np.matmul(a.astype(np.float64), b)
    assert got.shape == want.shape
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_dtypes_follow_keras():
    f32 = np.ones((2, 2), np.float32)
    f64 = np.ones((2, 2), np.float64)
    i32 = np.ones((2, 2), np.int32)
    i8 = np.ones((2, 2), np.int8)
    f16 = np.ones((2, 2), np.float16)
    assert ops.matmul(f32, f64).dtype == np.float64
    assert ops.matmul(i32, f32).dtype == np.float32
    assert ops.matmul(i32, i32).dtype == np.int32
    assert ops.matmul(i8, i8).dtype == np.int32
    assert ops.matmul(f16, f16).dtype == np.float16
    np.testing.assert_array_equal(ops.matmul(f16, f16), [[2, 2], [2, 2]])
    lists = ops.matmul([[1.0, 2.0]], [[3.0], [4.0]])
    assert lists.dtype == np.float32 and lists.tolist() == [[11.0]]


def test_incompatible_shapes_raise():
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4, 5\) are "
                                         r"incompatible"):
        ops.matmul(np.ones((2, 3), np.float32), np.ones((4, 5), np.float32))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        ops.matmul(np.float32(2.0), np.ones((2, 2), np.float32))
    with pytest.raises(ValueError, match="batch axes"):
        ops.matmul(np.ones((2, 2, 3), np.float32),
                   np.ones((3, 3, 4), np.float32))
