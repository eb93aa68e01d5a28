"""Central finite differences, the reference the gradient tests check
backward passes and vector-Jacobian products against."""
import numpy as np


def central_difference(loss, array, eps=1e-6):
    """d loss() / d array, element by element: `array` is perturbed in
    place (and restored) and `loss()` reads it.

    Args:
        loss: () -> a scalar depending on `array`'s current values.
        array: a float64 array (modified during the call, restored).
        eps: the step.
    Returns:
        An array of `array`'s shape.
    """
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = loss()
        flat[i] = keep - eps
        down = loss()
        flat[i] = keep
        gflat[i] = (up - down) / (2 * eps)
    return grad


def central_differences(total, arrays, eps=1e-6):
    """d total(arrays) / d arrays[i] for every i, on perturbed copies.

    Args:
        total: a list of arrays -> a scalar.
        arrays: float64 arrays (left unchanged).
        eps: the step.
    Returns:
        One array per input, of its shape.
    """
    found = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            up = [x.copy() for x in arrays]
            down = [x.copy() for x in arrays]
            up[i][idx] += eps
            down[i][idx] -= eps
            g[idx] = (total(up) - total(down)) / (2 * eps)
        found.append(g)
    return found
