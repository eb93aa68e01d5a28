"""seqcore.ops: Keras's ops namespace, backed by numpy and seqcore kernels.

Every differentiable op has its gradient next to it (numpy_ops.py,
linalg.py, nn.py): custom layers and losses written with these ops train
with exact gradients (seqcore/engine/tape.py)."""
from seqcore.ops.linalg import matmul
from seqcore.ops.nn import (elu, exponential, gelu, hard_sigmoid, hard_silu,
                            hard_swish, leaky_relu, log_softmax, mish, relu,
                            relu6, selu, sigmoid, silu, softmax, softplus,
                            softsign, swish, tanh)
from seqcore.ops.numpy_ops import (arange, dot, eye, full, logsumexp,
                                   norm, one_hot, ones, ones_like, swapaxes,
                                   take, tile, zeros, zeros_like)
from seqcore.ops.numpy_ops import (abs, absolute, add, argmax, argmin, cast,
                                   clip, concatenate, convert_to_tensor, cos,
                                   divide, equal, exp, expand_dims, expm1,
                                   greater, greater_equal, less, less_equal,
                                   log, log1p, max, maximum, mean, min,
                                   minimum, multiply, negative, not_equal,
                                   power, prod, reshape, shape, sign, sin,
                                   sqrt, square, squeeze, stack, std,
                                   subtract, sum, take_slice, transpose,
                                   true_divide, var, where)

__all__ = [
    "arange", "dot", "eye", "full", "logsumexp", "norm", "one_hot", "ones",
    "ones_like", "swapaxes", "take", "tile", "zeros", "zeros_like",
    "abs", "absolute", "add", "argmax", "argmin", "cast", "clip",
    "concatenate", "convert_to_tensor", "cos", "divide", "elu", "equal",
    "exp", "expand_dims", "expm1", "exponential", "gelu", "greater",
    "greater_equal", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu",
    "less", "less_equal", "log", "log1p", "log_softmax", "matmul", "max",
    "maximum", "mean", "min", "minimum", "mish", "multiply", "negative",
    "not_equal", "power", "prod", "relu", "relu6", "reshape", "selu",
    "shape", "sigmoid", "sign", "sin", "silu", "softmax", "softplus",
    "softsign", "sqrt", "square", "squeeze", "stack", "std", "subtract",
    "sum", "swish", "take_slice", "tanh", "transpose", "true_divide", "var",
    "where",
]
