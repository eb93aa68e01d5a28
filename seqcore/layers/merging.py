"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate, Dot) and their functional forms (`layers.add([x, y])`, ...).

Each is called on a list of tensors. Their forward passes are written
with seqcore.ops, so their backward comes from the tape (one entry per op,
cheap next to the layers around them); shapes are checked as Keras checks
them, with Keras's messages.
"""
import numpy as np

from seqcore import _kernels, ops
from seqcore.engine.layer import Layer
from seqcore.saving.serialization import register_builtin


def _elementwise_shape(shape1, shape2):
    """The broadcast shape of two inputs (None: unknown), or Keras's
    incompatible-shapes error. shapes exclude the batch axis."""
    if None in (shape1, shape2):
        return None
    if len(shape1) < len(shape2):
        return _elementwise_shape(shape2, shape1)
    if not shape2:
        return tuple(shape1)
    out = list(shape1[:-len(shape2)])
    for i, j in zip(shape1[-len(shape2):], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1:
            out.append(i)
        elif i != j:
            raise ValueError(f"Inputs have incompatible shapes. Received "
                             f"shapes {shape1} and {shape2}")
        else:
            out.append(i)
    return tuple(out)


def _checked_masks(layer, inputs, mask):
    """Keras's checks of a merge layer's masks: one per input, in a list."""
    name = type(layer).__name__
    if not isinstance(mask, (list, tuple)):
        raise ValueError(f"{name}: `mask` should be a list. Received: "
                         f"mask={mask}")
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(f"{name}: `inputs` should be a list. Received: "
                         f"inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError(f"{name}: the lists `inputs` and `mask` should have "
                         f"the same length. Received: {len(inputs)} inputs "
                         f"and {len(mask)} masks")
    return list(mask)


def _require_list(input_shape):
    if not isinstance(input_shape, (list, tuple)) or not input_shape or \
            not isinstance(input_shape[0], (list, tuple)):
        raise ValueError(f"A merge layer should be called on a list of "
                         f"inputs. Received: input_shape={input_shape} (not "
                         f"a list of shapes)")


class Merge(Layer):
    """Base of the elementwise merges: shape checks, output shape."""

    _differentiated_by_tape = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        _require_list(input_shape)
        if len(input_shape) < 1:
            raise ValueError(
                f"A merge layer should be called on a list of at least 1 "
                f"input. Received {len(input_shape)} inputs. Full "
                f"input_shape received: {input_shape}")
        batches = {s[0] for s in input_shape if s and s[0] is not None}
        if len(batches) > 1:
            raise ValueError(f"Cannot merge tensors with different batch "
                             f"sizes. Received tensors with shapes "
                             f"{input_shape}")
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        _require_list(input_shape)
        shape = tuple(input_shape[0][1:])
        for other in input_shape[1:]:
            shape = _elementwise_shape(shape, tuple(other[1:]))
        batches = [s[0] for s in input_shape if s[0] is not None]
        return (batches[0] if batches else None,) + tuple(shape)

    def _check_call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A merge layer should be called on a list of "
                             f"inputs. Received: inputs={inputs} (not a "
                             f"list of tensors)")
        shape = tuple(inputs[0].shape[1:])
        for x in inputs[1:]:
            shape = _elementwise_shape(shape, tuple(x.shape[1:]))

    def call(self, inputs):
        self._check_call(inputs)
        return self._merge_function(list(inputs))

    def compute_mask(self, inputs, mask=None):
        """As Keras: the inputs' masks OR-ed (None if an input has none)."""
        if mask is None:
            return None
        masks = _checked_masks(self, inputs, mask)
        if any(m is None for m in masks):
            return None
        out = np.asarray(masks[0], bool)
        for m in masks[1:]:
            out = np.logical_or(out, m)
        return out


@register_builtin
class Add(Merge):
    """Sum of the inputs (broadcast as numpy does)."""

    def _merge_function(self, inputs):
        first = inputs[0]
        if len(inputs) >= 2 and all(type(x) is np.ndarray and x.dtype == np.float32 and
               x.shape == first.shape and x.flags.c_contiguous
               for x in inputs):
            # plain arrays (inference): one threaded pass per input
            out = _kernels.add(first, inputs[1])
            for x in inputs[2:]:
                _kernels.add(out, x, out=out)
            return out
        out = first
        for x in inputs[1:]:
            out = ops.add(out, x)
        return out


@register_builtin
class Subtract(Merge):
    """inputs[0] - inputs[1]; exactly two inputs."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on "
                             f"exactly 2 inputs. Received: "
                             f"input_shape={input_shape}")

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on "
                             f"exactly 2 inputs. Received: inputs={inputs}")
        return ops.subtract(inputs[0], inputs[1])


def _channel_gated(x, gate):
    """x * gate for plain float32 arrays x (n, ..., c) and gate
    (n, 1, ..., 1, c), a squeeze-and-excite gate, as one threaded C pass
    per sample (numpy's broadcast product loops over every pixel); else
    None. Inference only: traced values are not plain arrays."""
    if type(x) is not np.ndarray or type(gate) is not np.ndarray or \
            x.dtype != np.float32 or gate.dtype != np.float32 or \
            x.ndim < 3 or gate.ndim != x.ndim or not x.flags.c_contiguous or \
            gate.shape[0] != x.shape[0] or gate.shape[-1] != x.shape[-1] or \
            any(d != 1 for d in gate.shape[1:-1]) or x.size == 0 or \
            any(d == 1 for d in x.shape[1:-1]):
        return None
    out = np.empty_like(x)
    gates = np.ascontiguousarray(gate.reshape(gate.shape[0], -1))
    zeros = np.zeros(x.shape[-1], np.float32)
    for i in range(x.shape[0]):
        # x * g + 0: numpy's product (a -0.0 product comes out +0.0)
        _kernels.channel_affine(x[i], gates[i], zeros, out=out[i])
    return out


@register_builtin
class Multiply(Merge):
    """Elementwise product of the inputs."""

    def _merge_function(self, inputs):
        if len(inputs) == 2:
            out = _channel_gated(*inputs)
            if out is None:
                out = _channel_gated(inputs[1], inputs[0])
            if out is not None:
                return out
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.multiply(out, x)
        return out


@register_builtin
class Average(Merge):
    """Elementwise mean of the inputs."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return ops.divide(out, float(len(inputs)))


@register_builtin
class Maximum(Merge):
    """Elementwise maximum of the inputs."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.maximum(out, x)
        return out


@register_builtin
class Minimum(Merge):
    """Elementwise minimum of the inputs."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.minimum(out, x)
        return out


@register_builtin
class Concatenate(Layer):
    """Joins the inputs along `axis` (default -1, the features); the other
    axes must match."""

    _differentiated_by_tape = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Concatenate: axis must be an integer, "
                             f"received axis={axis!r}")
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or \
                not input_shape or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A `Concatenate` layer should be called on a "
                             f"list of at least 1 input. Received: "
                             f"input_shape={input_shape}")
        self._check_shapes(input_shape)

    def _check_shapes(self, input_shape):
        error = ValueError(
            f"A `Concatenate` layer requires inputs with matching shapes "
            f"except for the concatenation axis. Received: "
            f"input_shape={input_shape}")
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise error
        (rank,) = ranks
        axis = self.axis % rank
        for i in range(1, rank):
            if i == axis:
                continue
            dims = {s[i] for s in input_shape if s[i] is not None}
            if len(dims) > 1:
                raise error

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A `Concatenate` layer should be called on a "
                             f"list of inputs. Received: inputs={inputs}")
        self._check_shapes([tuple(x.shape) for x in inputs])
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A `Concatenate` layer should be called on a "
                             f"list of inputs. Received: "
                             f"input_shape={input_shape}")
        self._check_shapes(input_shape)
        out = list(input_shape[0])
        axis = self.axis % len(out)
        sizes = [s[axis] for s in input_shape]
        out[axis] = None if None in sizes else sum(sizes)
        for i in range(len(out)):
            if i != axis and out[i] is None:
                known = [s[i] for s in input_shape if s[i] is not None]
                out[i] = known[0] if known else None
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        """As Keras: each input's mask (all True without one; a mask of
        lower rank repeated over the input's last axis) concatenated along
        `axis`, then any() over the last axis."""
        if mask is None:
            return None
        masks = _checked_masks(self, inputs, mask)
        if all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            shape = np.shape(x)
            if m is None:
                full.append(np.ones(shape, bool))
            elif np.ndim(m) < len(shape):
                full.append(np.broadcast_to(
                    np.expand_dims(np.asarray(m, bool), -1), shape))
            else:
                full.append(np.asarray(m, bool))
        return np.any(np.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


@register_builtin
class Dot(Layer):
    """Dot product of two batched inputs along `axes` (Keras's batch_dot);
    with `normalize=True` the inputs are first L2-normalised along those
    axes (a cosine similarity).

    Args:
        axes: an int (the same axis of both inputs) or a pair of ints.
        normalize: whether to L2-normalise the inputs first.
    """

    _differentiated_by_tape = True

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Invalid type for argument `axes`: it "
                                f"should be a list or an int. Received: "
                                f"axes={axes}")
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes`: it "
                                 f"should contain two elements. Received: "
                                 f"axes={axes}")
            if not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Invalid format for argument `axes`: list "
                                 f"elements should be integers. Received: "
                                 f"axes={axes}")
        self.axes = axes
        self.normalize = bool(normalize)

    def _pair(self, shape1, shape2):
        if isinstance(self.axes, int):
            return [self.axes % len(shape1), self.axes % len(shape2)] \
                if self.axes < 0 else [self.axes, self.axes]
        return [a % len(s) if a < 0 else a
                for a, s in zip(self.axes, (shape1, shape2))]

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or \
                len(input_shape) != 2 or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A `Dot` layer should be called on a list of "
                             f"2 inputs. Received: input_shape={input_shape}")
        shape1, shape2 = input_shape
        axes = self._pair(shape1, shape2)
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(
                f"Incompatible input shapes: axis values "
                f"{shape1[axes[0]]} (at axis {axes[0]}) != "
                f"{shape2[axes[1]]} (at axis {axes[1]}). Full input shapes: "
                f"{tuple(shape1)}, {tuple(shape2)}")

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or \
                len(input_shape) != 2:
            raise ValueError(f"A `Dot` layer should be called on a list of "
                             f"2 inputs. Received: input_shape={input_shape}")
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        axes = self._pair(shape1, shape2)
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        out = shape1 + shape2
        return tuple(out) if len(out) > 1 else tuple(out) + (1,)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 "
                             f"inputs. Received: inputs={inputs}")
        x1, x2 = inputs
        axes = self._pair(x1.shape, x2.shape)
        if self.normalize:
            x1 = _l2_normalize(x1, axes[0])
            x2 = _l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def get_config(self):
        config = super().get_config()
        config.update(axes=self.axes, normalize=self.normalize)
        return config


def _l2_normalize(x, axis, epsilon=1e-7):
    norm = ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return ops.divide(x, ops.maximum(norm, epsilon))


def batch_dot(x, y, axes):
    """Per sample, the dot product of x and y over x's axis axes[0] and y's
    axis axes[1] (neither the batch axis). Output: x's other axes then y's
    (batch first); a (batch,) result becomes (batch, 1)."""
    if axes[0] == 0 or axes[1] == 0:
        raise ValueError("Cannot perform batch_dot over axis 0. If your "
                         "inputs are not batched, add a dummy batch "
                         "dimension to your inputs using "
                         "keras.ops.expand_dims(x, 0)")
    x_rest = [i for i in range(1, x.ndim) if i != axes[0]]
    y_rest = [i for i in range(1, y.ndim) if i != axes[1]]
    n = x.shape[0]
    xs = [x.shape[i] for i in x_rest]
    ys = [y.shape[i] for i in y_rest]
    # x -> (n, rest_x, k), y -> (n, k, rest_y): one batched matmul.
    xt = ops.reshape(ops.transpose(x, [0] + x_rest + [axes[0]]),
                     (n, int(_prod(xs)), x.shape[axes[0]]))
    yt = ops.reshape(ops.transpose(y, [0, axes[1]] + y_rest),
                     (n, y.shape[axes[1]], int(_prod(ys))))
    out = ops.matmul(xt, yt)
    shape = (n,) + tuple(xs) + tuple(ys)
    return ops.reshape(out, shape if len(shape) > 1 else (n, 1))


def _prod(values):
    total = 1
    for v in values:
        total *= v
    return total


def _merge(cls, inputs, **kwargs):
    return cls(**kwargs)(inputs)


def add(inputs, **kwargs):
    """Functional form of `Add`: `add([x1, x2, ...])`."""
    return _merge(Add, inputs, **kwargs)


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`: `subtract([x1, x2])`."""
    return _merge(Subtract, inputs, **kwargs)


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`."""
    return _merge(Multiply, inputs, **kwargs)


def average(inputs, **kwargs):
    """Functional form of `Average`."""
    return _merge(Average, inputs, **kwargs)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`."""
    return _merge(Maximum, inputs, **kwargs)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`."""
    return _merge(Minimum, inputs, **kwargs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """Functional form of `Dot`."""
    return Dot(axes=axes, **kwargs)(inputs)
