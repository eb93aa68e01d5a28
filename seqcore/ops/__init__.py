"""seqcore.ops: Keras's ops namespace, backed by numpy and seqcore kernels."""
from seqcore.activations import (elu, gelu, hard_sigmoid, leaky_relu,
                                 log_softmax, relu, relu6, selu, sigmoid, silu,
                                 softmax, softplus, softsign, tanh)
from seqcore.ops.linalg import matmul
from seqcore.ops.numpy_ops import (abs, absolute, add, argmax, argmin, cast,
                                   clip, concatenate, convert_to_tensor,
                                   divide, equal, exp, expand_dims, greater,
                                   greater_equal, less, less_equal, log, max,
                                   maximum, mean, min, minimum, multiply,
                                   negative, not_equal, prod, reshape, shape,
                                   sign, sqrt, square, squeeze, stack, std,
                                   subtract, sum, transpose, var, where)

swish = silu

__all__ = [
    "abs", "absolute", "add", "argmax", "argmin", "cast", "clip",
    "concatenate", "convert_to_tensor", "divide", "elu", "equal", "exp",
    "expand_dims", "gelu", "greater", "greater_equal", "hard_sigmoid",
    "leaky_relu", "less", "less_equal", "log", "log_softmax", "matmul", "max",
    "maximum", "mean", "min", "minimum", "multiply", "negative", "not_equal",
    "prod", "relu", "relu6", "reshape", "selu", "shape", "sigmoid", "sign",
    "silu", "softmax", "softplus", "softsign", "sqrt", "square", "squeeze",
    "stack", "std", "subtract", "sum", "swish", "tanh", "transpose", "var",
    "where",
]
