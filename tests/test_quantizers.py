"""keras.quantizers against Keras 3's results (fixtures written by
tests/fixtures/make_quantizer_fixtures.py): values and dtypes."""
import os

import numpy as np
import pytest

import seqcore as keras
from seqcore import quantizers as q

K = np.load(os.path.join(os.path.dirname(__file__), "fixtures",
                         "keras_quantizers.npz"))
X = K["x"]


def same(got, key):
    expected = K[key]
    got = np.asarray(got)
    assert got.shape == expected.shape, key
    assert got.dtype == expected.dtype, (key, got.dtype, expected.dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7,
                               equal_nan=True)


@pytest.mark.parametrize("axis", [0, -1])
def test_abs_max_quantize(axis):
    quantized, scale = q.abs_max_quantize(X, axis=axis)
    same(quantized, f"abs_max/{axis}/q")
    same(scale, f"abs_max/{axis}/scale")


def test_abs_max_quantize_range_and_quantizer_object():
    quantized, scale = q.abs_max_quantize(X, axis=1, value_range=(-7, 7),
                                          to_numpy=True)
    same(quantized, "abs_max/int4/q")
    same(scale, "abs_max/int4/scale")
    quantized, scale = q.AbsMaxQuantizer()(X, axis=0)
    same(quantized, "quantizer/q")
    same(scale, "quantizer/scale")
    quantizer = q.AbsMaxQuantizer(axis=-1, value_range=(-100, 100))
    assert quantizer.get_config() == {"value_range": (-100, 100),
                                      "epsilon": 1e-7,
                                      "output_dtype": "int8", "axis": (-1,)}
    again = q.deserialize(q.serialize(quantizer))
    assert isinstance(again, q.AbsMaxQuantizer) and again.axis == (-1,)
    assert isinstance(q.get("abs_max_quantizer"), q.AbsMaxQuantizer)
    assert q.get(None) is None
    assert q.get(quantizer) is quantizer
    with pytest.raises(ValueError, match=r"\[-128, 127\]"):
        q.AbsMaxQuantizer(value_range=(-200, 200))
    with pytest.raises(ValueError, match="Could not interpret"):
        q.get("no_such_quantizer")
    assert keras.quantizers.Quantizer()(X) is X
    assert keras.Quantizer is q.Quantizer


def test_namespace_has_keras_functions():
    # keras.quantizers of Keras 3.15, less the Model.quantize configs
    # (QuantizationConfig, Int8/Int4/Float8QuantizationConfig, GPTQConfig,
    # AWQConfig), which docs/feature_space.md lists as left out
    for name in ("AbsMaxQuantizer", "Quantizer", "abs_max_quantize",
                 "abs_max_quantize_grouped_with_zero_point",
                 "compute_float8_amax_history", "compute_float8_scale",
                 "deserialize", "fake_quant_with_min_max_vars", "get",
                 "pack_int4", "quantize_and_dequantize", "serialize",
                 "unpack_int4"):
        assert hasattr(keras.quantizers, name), name


def test_grouped_with_zero_point():
    for key in ("numpy", "tensor"):
        quantized, scale, zero = q.abs_max_quantize_grouped_with_zero_point(
            X.T, block_size=4, to_numpy=key == "numpy")
        same(quantized, f"grouped/{key}/q")
        same(scale, f"grouped/{key}/scale")
        same(zero, f"grouped/{key}/zero")
    with pytest.raises(ValueError, match="2-D"):
        q.abs_max_quantize_grouped_with_zero_point(X[0], block_size=4)


def test_fake_quant_with_min_max_vars():
    same(q.fake_quant_with_min_max_vars(X, -3.0, 2.5, num_bits=8),
         "fake/tensor")
    same(q.fake_quant_with_min_max_vars(X, -1.7, 4.2, num_bits=4,
                                        narrow_range=True), "fake/narrow4")
    same(q.fake_quant_with_min_max_vars(X, K["fake/mins"], K["fake/maxs"],
                                        num_bits=8, axis=-1),
         "fake/channel")


def test_float8_helpers():
    same(q.compute_float8_scale(K["f8scale/amax"], K["f8scale/scale"],
                                448.0), "f8scale/e4m3")
    same(q.compute_float8_scale(K["f8scale/amax"], K["f8scale/scale"],
                                57344.0, margin=2), "f8scale/margin")
    same(q.compute_float8_amax_history(X, K["amax/history"]), "amax/new")


@pytest.mark.parametrize("name,dtype", [("e4m3", "float8_e4m3fn"),
                                        ("e5m2", "float8_e5m2")])
@pytest.mark.parametrize("scale", [1.0, 0.01])
def test_quantize_and_dequantize(name, dtype, scale):
    same(q.quantize_and_dequantize(K["qdq/x"], scale, dtype, "float32"),
         f"qdq/{name}/{scale}")


def test_quantize_and_dequantize_rejects_non_float8():
    with pytest.raises(ValueError, match="float8_e4m3fn"):
        q.quantize_and_dequantize(X, 1.0, "int8", "float32")


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_int4_packing(axis):
    packed, shape, length = q.pack_int4(K["int4/x"], axis=axis)
    same(packed, f"int4/{axis}/packed")
    assert shape == packed.shape and length == K["int4/x"].shape[axis]
    same(q.unpack_int4(packed, length, axis=axis), f"int4/{axis}/unpacked")
    np.testing.assert_array_equal(K[f"int4/{axis}/unpacked"], K["int4/x"])


def test_uint4_packing_and_errors():
    packed, _, length = q.pack_int4(K["uint4/x"], axis=0, dtype="uint8")
    same(packed, "uint4/packed")
    same(q.unpack_int4(packed, length, axis=0, dtype="uint8"),
         "uint4/unpacked")
    with pytest.raises(ValueError, match="'int8' or 'uint8'"):
        q.pack_int4(K["int4/x"], dtype="int16")
    with pytest.raises(TypeError, match="Expected int8 tensor"):
        q.pack_int4(K["uint4/x"])
    with pytest.raises(TypeError, match="int8 or uint8"):
        q.unpack_int4(np.zeros(3, np.int32), 3)
