"""Masking: marks the timesteps of a float sequence to skip."""
import numpy as np

from seqcore.engine.layer import Layer
from seqcore.saving.serialization import register_builtin


@register_builtin
class Masking(Layer):
    """`Masking(mask_value=0.0)`: a timestep whose features all equal
    `mask_value` is masked (see docs/masking.md).

    Input `(batch, steps, features)` (any rank >= 2): the output is the
    input with masked timesteps set to 0, and its mask, `(batch, steps)`,
    is True where some feature differs from `mask_value`. The mask replaces
    any mask the input had, as in Keras.

    Args:
        mask_value: the padding value.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        try:
            float(mask_value)
        except (TypeError, ValueError):
            raise ValueError(f"Masking: mask_value must be a number, "
                             f"received mask_value={mask_value!r}") from None
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs):
        return np.any(np.not_equal(inputs, self.mask_value), axis=-1,
                      keepdims=True)

    def call(self, inputs, training=None):
        keep = self._keep(inputs)
        if training:
            self._saved = keep
        return np.where(keep, inputs, np.float32(0)).astype(np.float32,
                                                            copy=False)

    def backward(self, dy):
        return (np.asarray(dy, np.float32) * self._saved).astype(np.float32)

    def compute_mask(self, inputs, mask=None):
        return self._keep(np.asarray(inputs))[..., 0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
