"""Masking: marks the timesteps whose features all equal `mask_value` as
padding, for the layers downstream (recurrent layers skip them)."""
import numbers

import numpy as np

from seqcore.engine.layer import Layer
from seqcore.saving.serialization import register_builtin


@register_builtin
class Masking(Layer):
    """(batch, steps, features) -> the same, with masked steps zeroed; the
    output mask (batch, steps) is True where some feature differs from
    `mask_value` (any input rank: the mask drops the last axis).

    Args:
        mask_value: the padding value.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or \
                not isinstance(mask_value, numbers.Real):
            raise ValueError(f"Masking: mask_value must be a number, "
                             f"received mask_value={mask_value!r}")
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs):
        return np.any(np.not_equal(inputs, self.mask_value), axis=-1,
                      keepdims=True)

    def call(self, inputs, training=None):
        keep = self._keep(inputs)
        if training:
            self._saved = keep
        return np.where(keep, inputs, np.float32(0.0)).astype(
            inputs.dtype, copy=False)

    def backward(self, dy):
        return np.where(self._saved, dy, np.float32(0.0))

    def compute_mask(self, inputs, mask=None):
        return self._keep(np.asarray(inputs))[..., 0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
