"""keras.quantizers.Quantizer and AbsMaxQuantizer."""
from seqcore.quantizers.functions import _EPSILON, abs_max_quantize


class Quantizer:
    """The base of quantizers: calling one returns its input unchanged.

    Args:
        output_dtype: the dtype of quantized values.
    """

    _keras_module = "keras.quantizers"

    def __init__(self, output_dtype="int8"):
        self.output_dtype = output_dtype

    def __call__(self, x):
        return x

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")


class AbsMaxQuantizer(Quantizer):
    """Abs-max quantization (see `abs_max_quantize`) as an object.

    Args:
        axis: the default reduction axis (deprecated in Keras: pass it to
            the call); None means -1.
        value_range: (min, max) of quantized values; within [-128, 127]
            for int8.
        epsilon: added to the maximum.
        output_dtype: the quantized dtype.
    """

    def __init__(self, axis=None, value_range=(-127, 127), epsilon=_EPSILON,
                 output_dtype="int8"):
        super().__init__(output_dtype=output_dtype)
        if axis is not None:
            axis = (axis,) if isinstance(axis, int) else tuple(axis)
        self.axis = axis
        self.value_range = value_range
        self.epsilon = epsilon
        if output_dtype == "int8" and (value_range[0] < -128 or
                                       value_range[1] > 127):
            raise ValueError(f"Quantizer with output_dtype='int8' requires "
                             f"value_range to be within the interval [-128, "
                             f"127]. Received: value_range={value_range}")

    def __call__(self, x, axis=None, to_numpy=False):
        """(quantized x, scale) along `axis` (default: the constructor's,
        else -1)."""
        if axis is None:
            axis = self.axis if self.axis is not None else -1
        return abs_max_quantize(x, axis, self.value_range, self.output_dtype,
                                self.epsilon, to_numpy)

    def get_config(self):
        config = {"value_range": self.value_range, "epsilon": self.epsilon,
                  "output_dtype": self.output_dtype}
        if self.axis is not None:
            config["axis"] = self.axis
        return config
