"""HashedCrossing: crosses two or more categorical features (strings or
integers) into one hashed bin, with the hash Keras gets from TensorFlow's
sparse_cross_hashed, so that bins match Keras's exactly.

For each sample, starting from the key 0xDECAFCAFFE, every feature in turn
is mixed in with FingerprintCat64; a string feature enters as the FarmHash
Fingerprint64 of its UTF-8 bytes, an integer as its 64-bit two's-complement
value. The bin is the resulting unsigned 64-bit value modulo num_bins.
"""
import numbers

import numpy as np

from seqcore.engine.layer import Layer, dtype_policy_config
from seqcore.layers.preprocessing._farmhash import fingerprint64
from seqcore.layers.preprocessing.categorical import encode, encoded_shape
from seqcore.saving.serialization import register_builtin

_MASK64 = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995
_CROSS_KEY = 0xDECAFCAFFE


def _shift_mix(value):
    return value ^ (value >> 47)


def fingerprint_cat64(first, second):
    """Combines two 64-bit fingerprints into one (TensorFlow's
    FingerprintCat64)."""
    result = first ^ _MUL
    result ^= (_shift_mix((second * _MUL) & _MASK64) * _MUL) & _MASK64
    result = (result * _MUL) & _MASK64
    result = (_shift_mix(result) * _MUL) & _MASK64
    return _shift_mix(result)


def _feature_hash(value):
    if isinstance(value, (bytes, str)):
        data = value if isinstance(value, bytes) else value.encode("utf-8")
        return fingerprint64(data)
    return int(value) & _MASK64


def cross_bin(values, num_bins):
    """The bin of one sample's features (a sequence of str/bytes/int)."""
    hashed = _CROSS_KEY
    for value in values:
        hashed = fingerprint_cat64(hashed, _feature_hash(value))
    return hashed % num_bins


@register_builtin
class HashedCrossing(Layer):
    """Hashes the cross of two or more features into [0, num_bins).

    Args:
        num_bins: the number of bins.
        output_mode: "int" (int64 bins) or "one_hot" (float32, num_bins
            wide).
        sparse: must be False (seqcore's arrays are dense).

    Call: a list or tuple of at least two arrays of one shape, () or
    (batch,) or (batch, 1), each of integers or strings. Output: int bins of
    that shape, or one_hot (batch, num_bins) / (num_bins,).
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None,
                 dtype=None, **kwargs):
        if isinstance(dtype, dict):
            dtype = dtype.get("config", {}).get("name")
        kwargs.pop("trainable", None)
        super().__init__(name=name, **kwargs)
        if isinstance(num_bins, bool) or not isinstance(
                num_bins, numbers.Integral) or num_bins < 1:
            raise ValueError(f"HashedCrossing: num_bins must be a positive "
                             f"integer, received num_bins={num_bins!r}")
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"Invalid value for argument `output_mode`. "
                             f"Expected one of ('int', 'one_hot'). "
                             f"Received: output_mode={output_mode!r}")
        if sparse:
            raise ValueError("`sparse=True` can only be used with the "
                             "TensorFlow backend; seqcore's outputs are "
                             "dense arrays (use sparse=False)")
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = False
        self._dtype_name = dtype or ("int64" if output_mode == "int"
                                     else "float32")

    def _convert_input(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`HashedCrossing` should be called on a list "
                             f"or tuple of inputs. Received: inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at "
                             f"least two inputs. Received: inputs={inputs}")
        arrays = [np.asarray(x) for x in inputs]
        first = arrays[0].shape
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            raise ValueError(f"All `HashedCrossing` inputs should have shape "
                             f"`()`, `(batch_size)` or `(batch_size, 1)`. "
                             f"Received: shapes {[a.shape for a in arrays]}")
        if any(a.shape != first for a in arrays[1:]):
            raise ValueError(f"All `HashedCrossing` inputs should have equal "
                             f"shape. Received: shapes "
                             f"{[a.shape for a in arrays]}")
        for a in arrays:
            if a.dtype.kind not in "iuUSO":
                raise ValueError(f"All `HashedCrossing` inputs should have an "
                                 f"integer or string dtype. Received: dtype "
                                 f"{a.dtype}")
        return arrays

    def call(self, inputs, training=None):
        shape = inputs[0].shape
        columns = [a.reshape(-1).tolist() for a in inputs]
        for column in columns:
            for value in column[:1]:
                if not isinstance(value, (str, bytes, int)):
                    raise ValueError(f"All `HashedCrossing` inputs should be "
                                     f"integers or strings. Received: "
                                     f"{type(value).__name__} {value!r}")
        bins = np.array([cross_bin(row, self.num_bins)
                         for row in zip(*columns)],
                        np.int64).reshape(shape)
        if self.output_mode == "int":
            return bins.astype(self._dtype_name, copy=False)
        if bins.ndim == 0:
            return np.eye(self.num_bins, dtype=self._dtype_name)[bins]
        return encode(self, bins, "one_hot", self.num_bins).astype(
            self._dtype_name, copy=False)

    def backward(self, dy):
        return None

    def _output_dtype(self, input_dtype):
        return self._dtype_name

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or \
                len(input_shape) < 2 or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"Expected as input a list/tuple of 2 tensors. "
                             f"Received input_shape={input_shape}")
        shape = tuple(input_shape[0])
        if shape and tuple(input_shape[1])[-1:] != shape[-1:]:
            raise ValueError(f"Expected the two input tensors to have "
                             f"identical shapes. Received "
                             f"input_shape={input_shape}")
        return encoded_shape(self.output_mode, shape, self.num_bins)

    def get_config(self):
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name,
                "dtype": self._dtype_name}
