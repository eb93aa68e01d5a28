"""InputSpec: what a layer accepts (rank, fixed axes), checked per call."""


class InputSpec:
    def __init__(self, ndim=None, min_ndim=None, max_ndim=None, axes=None,
                 dtype=None):
        self.ndim = ndim
        self.min_ndim = min_ndim
        self.max_ndim = max_ndim
        self.axes = dict(axes or {})
        self.dtype = dtype


def check_input_shape(spec, shape, layer_name, index=0):
    """Raise ValueError, in Keras's words, when `shape` breaks `spec`."""
    if spec is None:
        return
    ndim = len(shape)
    prefix = (f'Input {index} of layer "{layer_name}" is incompatible with '
              f'the layer:')
    if spec.ndim is not None and ndim != spec.ndim:
        raise ValueError(f"{prefix} expected ndim={spec.ndim}, found "
                         f"ndim={ndim}. Full shape received: {tuple(shape)}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{prefix} expected min_ndim={spec.min_ndim}, found "
                         f"ndim={ndim}. Full shape received: {tuple(shape)}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{prefix} expected max_ndim={spec.max_ndim}, found "
                         f"ndim={ndim}. Full shape received: {tuple(shape)}")
    for axis, value in spec.axes.items():
        if value is None:
            continue
        if -ndim <= axis < ndim and shape[axis] is not None \
                and shape[axis] != value:
            raise ValueError(
                f"{prefix} expected axis {axis} of input shape to have value "
                f"{value}, but received input with shape {tuple(shape)}")
