"""Hashing: buckets strings or integers by FarmHash Fingerprint64, as
Keras (TensorFlow's to_hash_bucket_fast); integers hash by their decimal
text."""
import numbers

import numpy as np

from seqcore.engine.layer import Layer, dtype_policy_config
from seqcore.layers.preprocessing import _base
from seqcore.layers.preprocessing._farmhash import fingerprint64
from seqcore.layers.preprocessing.categorical import encode
from seqcore.saving.serialization import register_builtin


def hash_bucket(value, bins):
    """Fingerprint64 of the value's UTF-8 text (ints in decimal) mod bins."""
    if isinstance(value, bytes):
        data = value
    else:
        data = str(value).encode("utf-8")
    return fingerprint64(data) % bins


@register_builtin
class Hashing(Layer):
    """Maps each input (a string or an integer) to a bin in [0, num_bins).

    Args:
        num_bins: the number of bins, including the mask's bin 0 when
            mask_value is set (then values hash into [1, num_bins)).
        mask_value: a value mapped to 0, or None.
        salt: must be None (salted SipHash is not implemented: a clear
            error).
        output_mode: 'int' (default: int64 bins), 'one_hot', 'multi_hot' or
            'count'.
        sparse: must be False.
    """

    def __init__(self, num_bins, mask_value=None, salt=None,
                 output_mode="int", sparse=False, **kwargs):
        dtype = kwargs.pop("dtype", None)
        if isinstance(dtype, dict):
            dtype = dtype.get("config", {}).get("name")
        super().__init__(**kwargs)
        if isinstance(num_bins, bool) or not isinstance(
                num_bins, numbers.Integral) or num_bins <= 0:
            raise ValueError(f"The `num_bins` for `Hashing` cannot be `None` "
                             f"or non-positive values. Received: "
                             f"num_bins={num_bins}.")
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError(f"Invalid value for argument `output_mode`. "
                             f"Expected one of {modes}. Received: "
                             f"output_mode={output_mode}")
        if salt is not None:
            raise ValueError("Hashing: `salt` selects SipHash64, which "
                             "seqcore does not implement; use salt=None "
                             "(FarmHash64)")
        if sparse:
            raise ValueError("Hashing: sparse=True is not supported by "
                             "seqcore (outputs are dense arrays)")
        if mask_value is not None and num_bins < 2:
            raise ValueError("Hashing: with a mask_value, num_bins must be "
                             "at least 2 (bin 0 is the mask's)")
        self._dtype_name = dtype or ("int64" if output_mode == "int"
                                     else "float32")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = None
        self.output_mode = output_mode
        self.sparse = False

    def _convert_input(self, inputs):
        data = np.asarray(inputs)
        if data.dtype.kind in "iu":
            return data
        return _base.as_strings(self.name, data)

    def _bins(self, values):
        flat = values.reshape(-1)
        out = np.empty(flat.shape, np.int64)
        masked = self.mask_value is not None
        bins = self.num_bins - 1 if masked else self.num_bins
        for i, value in enumerate(flat):
            value = value.item() if isinstance(value, np.generic) else value
            if masked and value == self.mask_value:
                out[i] = 0
            else:
                out[i] = hash_bucket(value, bins) + (1 if masked else 0)
        return out.reshape(values.shape)

    def call(self, inputs, training=None):
        bins = self._bins(inputs)
        if self.output_mode == "int":
            return bins
        return encode(self, bins, self.output_mode, self.num_bins)

    def backward(self, dy):
        return None

    def _output_dtype(self, input_dtype):
        return "int64" if self.output_mode == "int" else "float32"

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if not input_shape:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def get_config(self):
        config = super().get_config()
        config.update({"dtype": dtype_policy_config(self._dtype_name),
                       "num_bins": self.num_bins, "salt": self.salt,
                       "mask_value": self.mask_value,
                       "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config
