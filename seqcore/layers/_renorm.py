"""Batch renormalization (Ioffe, 2017) for BatchNormalization(renorm=True),
as Keras 3 does it: in training the batch-normalized x_hat becomes
x_hat * r + d, with r = batch stddev / renorm_stddev and
d = (batch mean - renorm_mean) / renorm_stddev (clipped by
renorm_clipping, constants for the gradient); renorm_mean/renorm_stddev
follow the batch with renorm_momentum, moving_mean/moving_stddev with
momentum, and moving_variance = relu(moving_stddev^2 - epsilon).

Extra non-trainable weights, after moving_variance: moving_stddev,
renorm_mean, renorm_stddev (each shaped like gamma).
"""
import numpy as np

from seqcore import initializers

CLIPPING_KEYS = ("rmax", "rmin", "dmax")


def check_clipping(clipping):
    """renorm_clipping as a dict, validated as Keras does."""
    clipping = dict(clipping or {})
    if set(clipping) - set(CLIPPING_KEYS):
        raise ValueError(f"Received invalid keys for `renorm_clipping` "
                         f"argument: {clipping}. Supported values: "
                         f"{list(CLIPPING_KEYS)}.")
    rmax, rmin, dmax = (clipping.get(k) for k in CLIPPING_KEYS)
    if rmax is not None and rmin is not None and rmax < rmin:
        raise ValueError(f"rmax should be greater than rmin in the "
                         f"`renorm_clipping` argument. Received: rmax={rmax}, "
                         f"rmin={rmin}.")
    if dmax is not None and dmax < 0:
        raise ValueError(f"dmax should be non-negative in the "
                         f"`renorm_clipping` argument. Received: dmax={dmax}.")
    return clipping


def add_weights(layer, shape):
    """moving_stddev, renorm_mean and renorm_stddev, in Keras's order."""
    variance = initializers.get(initializers.serialize(
        layer.moving_variance_initializer))

    def stddev_initializer(shape, dtype=None):
        return np.sqrt(variance(shape, dtype=dtype))

    layer.moving_stddev = layer.add_weight(
        shape=shape, name="moving_stddev", trainable=False,
        initializer=stddev_initializer)
    layer.renorm_mean = layer.add_weight(
        shape=shape, name="renorm_mean", trainable=False,
        initializer=initializers.get(initializers.serialize(
            layer.moving_mean_initializer)))
    layer.renorm_stddev = layer.add_weight(
        shape=shape, name="renorm_stddev", trainable=False,
        initializer=stddev_initializer)


def correction(layer, mean, variance):
    """(r, d) for this batch, from the renorm statistics before update."""
    stddev = np.sqrt(variance + layer.epsilon)
    renorm_stddev = np.maximum(layer.renorm_stddev.value,
                               np.sqrt(np.float32(layer.epsilon)))
    r = stddev / renorm_stddev
    d = (mean - layer.renorm_mean.value) / renorm_stddev
    clip = layer.renorm_clipping
    if clip.get("rmin") is not None:
        r = np.maximum(r, clip["rmin"])
    if clip.get("rmax") is not None:
        r = np.minimum(r, clip["rmax"])
    if clip.get("dmax") is not None:
        d = np.clip(d, -clip["dmax"], clip["dmax"])
    return r.astype(np.float32), d.astype(np.float32)


def update_statistics(layer, mean, variance):
    stddev = np.sqrt(variance + layer.epsilon)
    rm, m = layer.renorm_momentum, layer.momentum
    layer.renorm_mean.value[...] = layer.renorm_mean.value * rm + \
        mean * (1.0 - rm)
    layer.renorm_stddev.value[...] = layer.renorm_stddev.value * rm + \
        stddev * (1.0 - rm)
    layer.moving_mean.value[...] = layer.moving_mean.value * m + \
        mean * (1.0 - m)
    moving_stddev = layer.moving_stddev.value * m + stddev * (1.0 - m)
    layer.moving_stddev.value[...] = moving_stddev
    layer.moving_variance.value[...] = np.maximum(
        moving_stddev * moving_stddev - layer.epsilon, 0.0)


def compose(renorm, gamma, beta):
    """The effective (gamma, beta) of (x_hat * r + d) * gamma + beta."""
    r, d = renorm
    if gamma is not None:
        new_gamma, new_beta = r * gamma, d * gamma
    else:
        new_gamma, new_beta = r, d
    if beta is not None:
        new_beta = new_beta + beta
    return new_gamma, new_beta
