"""RandAugment and AugMix: augmentation policies that compose the image
layers (shear, translation, rotation, brightness, colour degeneration,
contrast, sharpness, posterization, solarization, AutoContrast,
Equalization), with Keras 3.15's arguments, sub-layer settings and config.

Both augment when the call does not say `training=False` (as Keras 3);
`predict` and `evaluate` leave images as they are. A dict input
{"images", "labels", ...} has its images augmented and the rest passed
through (Keras transforms the boxes of RandAugment's geometric ops: seqcore
refuses bounding boxes here).
"""
import numbers

import numpy as np

from seqcore.engine.layer import Layer
from seqcore.layers.preprocessing import _base
from seqcore.saving.serialization import register_builtin

# In Keras's order (the index RandAugment draws refers to it).
_OPS = ("random_shear", "random_translation", "random_rotation",
        "random_brightness", "random_color_degeneration", "random_contrast",
        "random_sharpness", "random_posterization", "solarization",
        "auto_contrast", "equalization")
_AUGMIX_ALL = ("random_shear", "random_translation", "random_rotation",
               "random_posterization", "solarization", "auto_contrast",
               "equalization", "random_brightness",
               "random_color_degeneration", "random_contrast",
               "random_sharpness")
_AUGMIX_BASIC = _AUGMIX_ALL[:7]


def _unit_factor(layer, factor):
    """Keras's factor in [0, 1]: a number f is (0, f), a pair is sorted."""
    message = (f"The `factor` argument should be a number (or a list of two "
               f"numbers) in the range [0, 1]. Received: factor={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > 1 or factor[1] < 0:
            raise ValueError(message)
        return tuple(sorted(float(f) for f in factor))
    if isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        if not 0 <= factor <= 1:
            raise ValueError(message)
        return (0.0, abs(float(factor)))
    raise ValueError(message)


def _make_ops(names, factor, value_range, interpolation, seed, data_format):
    """The sub-layers, set up as Keras's policies set them up."""
    from seqcore import layers
    common = {"seed": seed, "data_format": data_format}
    made = {
        "random_shear": lambda: layers.RandomShear(
            x_factor=factor, y_factor=factor, interpolation=interpolation,
            **common),
        "random_translation": lambda: layers.RandomTranslation(
            height_factor=factor, width_factor=factor,
            interpolation=interpolation, **common),
        "random_rotation": lambda: layers.RandomRotation(
            factor=factor, interpolation=interpolation, **common),
        "random_brightness": lambda: layers.RandomBrightness(
            factor=factor, value_range=value_range, **common),
        "random_color_degeneration": lambda: layers.RandomColorDegeneration(
            factor=factor, value_range=value_range, **common),
        "random_contrast": lambda: layers.RandomContrast(
            factor=factor, value_range=value_range, **common),
        "random_sharpness": lambda: layers.RandomSharpness(
            factor=factor, value_range=value_range, **common),
        "random_posterization": lambda: layers.RandomPosterization(
            factor=max(1, int(8 * factor[1])), value_range=value_range,
            **common),
        "solarization": lambda: layers.Solarization(
            addition_factor=factor, threshold_factor=factor,
            value_range=value_range, **common),
        "auto_contrast": lambda: layers.AutoContrast(
            value_range=value_range, data_format=data_format),
        "equalization": lambda: layers.Equalization(
            value_range=value_range, data_format=data_format),
    }
    return {name: made[name]() for name in names}


class _Policy(Layer):
    """What RandAugment and AugMix share: the sub-layers, the training
    rule, dict inputs, the random stream."""

    def __init__(self, value_range, factor, interpolation, seed,
                 data_format, names, **kwargs):
        super().__init__(**kwargs)
        self.value_range = tuple(value_range)
        self.factor = _unit_factor(type(self).__name__, factor)
        self.interpolation = interpolation
        self.seed = seed
        self.data_format = _base.image_format(type(self).__name__,
                                              data_format)
        self._random = _base.SeededRandom(seed)
        self._ops = _make_ops(names, self.factor, self.value_range,
                              interpolation, seed, self.data_format)

    def _convert_input(self, inputs):
        return inputs if isinstance(inputs, dict) else \
            np.asarray(inputs, np.float32)

    def call(self, inputs, training=True):
        if isinstance(inputs, dict):
            if inputs.get("bounding_boxes") is not None:
                raise NotImplementedError(
                    f"{type(self).__name__} does not transform bounding "
                    f"boxes in seqcore; pass images (and labels) only")
            out = dict(inputs)
            out["images"] = self.call(inputs["images"], training)
            return out
        images = np.asarray(inputs, np.float32)
        if training is False or (training is not None and not training):
            return images
        if images.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__} '{self.name}': expected "
                             f"an image (rank 3) or a batch (rank 4), "
                             f"received shape {images.shape}")
        return self._augment(images, self._random.get())

    def _apply(self, name, images):
        return np.asarray(self._ops[name](images, training=True), np.float32)

    def backward(self, dy):
        raise NotImplementedError(
            f"{type(self).__name__} '{self.name}' has no backward pass: "
            f"place augmentation layers before the first trainable layer")

    def _inference_fn(self, input_shape):
        return None     # model(x) augments, so no inference shortcut

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format,
                       "value_range": list(self.value_range),
                       "factor": list(self.factor),
                       "interpolation": self.interpolation,
                       "seed": self.seed})
        return config


@register_builtin
class RandAugment(_Policy):
    """Applies `num_ops` operations drawn at random from eleven (the same
    draw for the whole batch), each with strength `factor`.

    Args:
        value_range: the range of the pixel values, (0, 255) by default.
        num_ops: how many operations to apply in turn.
        factor: the strength in [0, 1]: a number f means (0, f).
        interpolation: "bilinear" or "nearest" for the geometric ops.
        seed: an int for a reproducible stream of draws.
        data_format: "channels_last" or "channels_first".
    """

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5,
                 interpolation="bilinear", seed=None, data_format=None,
                 **kwargs):
        super().__init__(value_range, factor, interpolation, seed,
                         data_format, _OPS, **kwargs)
        self.num_ops = int(num_ops)

    def _augment(self, images, rng):
        for index in rng.integers(0, len(_OPS), self.num_ops):
            images = self._apply(_OPS[int(index)], images)
        return images

    def get_config(self):
        config = super().get_config()
        config["num_ops"] = self.num_ops
        return config


@register_builtin
class AugMix(_Policy):
    """Mixes the image with a Dirichlet-weighted sum of `num_chains`
    chains of up to `chain_depth` random operations, with a Beta(alpha,
    alpha) weight, then clips to `value_range` (Hendrycks et al., 2020).

    Args:
        value_range: the range of the pixel values, (0, 255) by default.
        num_chains: how many chains are mixed.
        chain_depth: the most operations in a chain (each step draws an
            operation or none).
        factor: the operations' strength in [0, 1]: a number f means
            (0, f).
        alpha: the Dirichlet and Beta concentration.
        all_ops: also use brightness, colour degeneration, contrast and
            sharpness (the seven others are always used).
        interpolation, seed, data_format: as for RandAugment.
    """

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3,
                 factor=0.3, alpha=1.0, all_ops=True,
                 interpolation="bilinear", seed=None, data_format=None,
                 **kwargs):
        self.all_ops = bool(all_ops)
        names = _AUGMIX_ALL if self.all_ops else _AUGMIX_BASIC
        super().__init__(value_range, factor, interpolation, seed,
                         data_format, names, **kwargs)
        self.num_chains = int(num_chains)
        self.chain_depth = int(chain_depth)
        self.alpha = float(alpha)
        self._names = names

    def _augment(self, images, rng):
        gamma = rng.gamma(self.alpha, size=self.num_chains)
        chain_weights = (gamma / gamma.sum()).astype(np.float32)
        keep = np.float32(rng.beta(self.alpha, self.alpha))
        mixed = np.zeros_like(images)
        for weight in chain_weights:
            chained = images
            for _ in range(self.chain_depth):
                choice = int(rng.integers(0, len(self._names) + 1))
                if choice < len(self._names):       # else: no operation
                    chained = self._apply(self._names[choice], chained)
            mixed += chained * weight
        out = keep * images + (1 - keep) * mixed
        return np.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"num_chains": self.num_chains,
                       "chain_depth": self.chain_depth, "alpha": self.alpha,
                       "all_ops": self.all_ops})
        return config
