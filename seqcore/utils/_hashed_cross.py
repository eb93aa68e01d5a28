"""FeatureSpace's feature crosses: the hashed cross of several integer or
string features into `num_bins` bins, with the semantics of Keras's
`HashedCrossing` layer (TensorFlow's `sparse.cross_hashed`).

Each value becomes a 64-bit id (an integer is its own two's-complement
bits, a string its FarmHash Fingerprint64); the ids of one sample are
chained, from TensorFlow's default hash key 0xDECAFCAFFE, by
FingerprintCat64; the result modulo `num_bins` is the bin.

Private to seqcore.utils: the public `keras.layers.HashedCrossing` is
another module's; this one exists so that FeatureSpace needs nothing
outside seqcore/utils.
"""
import numpy as np

from seqcore.engine.layer import Layer
from seqcore.layers.preprocessing._farmhash import fingerprint64

_MASK = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995
DEFAULT_HASH_KEY = 0xDECAFCAFFE


def _shift_mix(value):
    return value ^ (value >> 47)


def fingerprint_cat64(first, second):
    """Combine two unsigned 64-bit fingerprints into one (order matters).

    Args:
        first, second: Python ints in [0, 2**64).
    Returns:
        A Python int in [0, 2**64).
    """
    result = first ^ _MUL
    result ^= (_shift_mix((second * _MUL) & _MASK) * _MUL) & _MASK
    result = (result * _MUL) & _MASK
    result = (_shift_mix(result) * _MUL) & _MASK
    return _shift_mix(result)


def _value_id(value):
    """The 64-bit id of one feature value: integers by their bits, strings
    by Fingerprint64 of their UTF-8 bytes."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return fingerprint64(value.encode("utf-8"))
    if isinstance(value, bytes):
        return fingerprint64(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value) & _MASK
    raise ValueError(f"Feature crosses take integer or string values; "
                     f"received {type(value).__name__} {value!r}")


def cross_bins(columns, num_bins):
    """The bin of every sample's crossed values.

    Args:
        columns: a list of at least two arrays of equal shape `()`,
            `(batch,)` or `(batch, 1)`, integer or string valued.
        num_bins: the number of bins (a positive int).
    Returns:
        An int64 array of the inputs' shape.
    """
    arrays = [np.asarray(c) for c in columns]
    if len(arrays) < 2:
        raise ValueError(f"A feature cross needs at least two inputs; "
                         f"received {len(arrays)}")
    shape = arrays[0].shape
    if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
        raise ValueError(f"Crossed features must have shape (), (batch,) or "
                         f"(batch, 1); received shape {shape}")
    for a in arrays[1:]:
        if a.shape != shape:
            raise ValueError(f"Crossed features must have equal shapes; "
                             f"received {[x.shape for x in arrays]}")
    for a in arrays:
        if a.dtype.kind not in "iuOUS":
            raise ValueError(f"Crossed features must be integers or "
                             f"strings; received dtype {a.dtype}")
    flat = [a.reshape(-1) for a in arrays]
    out = np.empty(flat[0].shape, np.int64)
    for i in range(out.size):
        hashed = DEFAULT_HASH_KEY
        for column in flat:
            hashed = fingerprint_cat64(hashed, _value_id(column[i]))
        out[i] = hashed % num_bins
    return out.reshape(shape)


class FeatureCrosser(Layer):
    """Hashes a list of equally shaped integer or string features into
    `num_bins` bins (int64, the inputs' shape), as Keras's
    `HashedCrossing(num_bins)` with output_mode='int'.

    Args:
        num_bins: the number of bins.
        name: the layer's name (FeatureSpace uses the cross's name).
    """

    def __init__(self, num_bins, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if isinstance(num_bins, bool) or not isinstance(
                num_bins, (int, np.integer)) or num_bins <= 0:
            raise ValueError(f"`num_bins` must be a positive integer; "
                             f"received num_bins={num_bins!r}")
        self.num_bins = int(num_bins)

    def _convert_input(self, inputs):
        return list(inputs)

    def call(self, inputs, training=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A feature cross is called on a list of "
                             f"inputs; received {type(inputs).__name__}")
        return cross_bins(inputs, self.num_bins)

    def backward(self, dy):
        return None

    def _output_dtype(self, input_dtype):
        return "int64"

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "output_mode": "int",
                       "sparse": False})
        return config
