"""The classic regression losses of keras.losses, each a per-sample
function (the mean over the last axis) and its hand-written gradient
`_<name>_grad(y_true, y_pred)` of the per-sample values."""
import numpy as np

from seqcore.losses.base import EPSILON, _arrays



def mean_squared_error(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(np.square(t - p), axis=-1)


def _mean_squared_error_grad(t, p):
    return 2.0 * (p - t) / p.shape[-1]


def mean_absolute_error(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(np.abs(t - p), axis=-1)


def _mean_absolute_error_grad(t, p):
    return np.sign(p - t) / p.shape[-1]


def mean_absolute_percentage_error(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    diff = np.abs((t - p) / np.maximum(np.abs(t), EPSILON))
    return 100.0 * np.mean(diff, axis=-1)


def _mean_absolute_percentage_error_grad(t, p):
    return (
        100.0 * np.sign(p - t) / np.maximum(np.abs(t), EPSILON) / p.shape[-1]
    )


def mean_squared_logarithmic_error(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    first = np.log(np.maximum(p, EPSILON) + 1.0)
    second = np.log(np.maximum(t, EPSILON) + 1.0)
    return np.mean(np.square(first - second), axis=-1)


def _mean_squared_logarithmic_error_grad(t, p):
    first = np.log(np.maximum(p, EPSILON) + 1.0)
    second = np.log(np.maximum(t, EPSILON) + 1.0)
    inside = p > EPSILON
    return (
        2.0
        * (first - second)
        * inside
        / (np.maximum(p, EPSILON) + 1.0)
        / p.shape[-1]
    )


def huber(y_true, y_pred, delta=1.0):
    t, p = _arrays(y_true, y_pred)
    error = p - t
    abs_error = np.abs(error)
    return np.mean(
        np.where(
            abs_error <= delta,
            0.5 * np.square(error),
            delta * abs_error - 0.5 * delta**2,
        ),
        axis=-1,
    )


def _huber_grad(t, p, delta=1.0):
    error = p - t
    return (
        np.where(np.abs(error) <= delta, error, delta * np.sign(error))
        / p.shape[-1]
    )


def log_cosh(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    x = p - t
    softplus = np.maximum(-2.0 * x, 0) + np.log1p(np.exp(-np.abs(2.0 * x)))
    return np.mean(x + softplus - np.log(2.0), axis=-1)


def _log_cosh_grad(t, p):
    return np.tanh(p - t) / p.shape[-1]


def poisson(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(p - t * np.log(p + EPSILON), axis=-1)


def _poisson_grad(t, p):
    return (1.0 - t / (p + EPSILON)) / p.shape[-1]


def cosine_similarity(y_true, y_pred, axis=-1):
    t, p = _arrays(y_true, y_pred)
    tn = t / np.sqrt(
        np.maximum(np.sum(t * t, axis=axis, keepdims=True), 1e-12)
    )
    pn = p / np.sqrt(
        np.maximum(np.sum(p * p, axis=axis, keepdims=True), 1e-12)
    )
    return -np.sum(tn * pn, axis=axis)


def _cosine_similarity_grad(t, p, axis=-1):
    norm_p = np.sqrt(
        np.maximum(np.sum(p * p, axis=axis, keepdims=True), 1e-12)
    )
    tn = t / np.sqrt(
        np.maximum(np.sum(t * t, axis=axis, keepdims=True), 1e-12)
    )
    pn = p / norm_p
    return -(tn - np.sum(tn * pn, axis=axis, keepdims=True) * pn) / norm_p
