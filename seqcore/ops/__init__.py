"""seqcore.ops: Keras's ops namespace, backed by numpy and seqcore kernels.

Every differentiable op has its gradient next to it (numpy_ops.py,
linalg.py, nn.py): custom layers and losses written with these ops train
with exact gradients (seqcore/engine/tape.py)."""
from seqcore.ops.linalg import matmul
from seqcore.ops.nn import (elu, exponential, gelu, hard_sigmoid, hard_silu,
                            hard_swish, leaky_relu, log_softmax, mish, relu,
                            relu6, selu, sigmoid, silu, softmax, softplus,
                            softsign, swish, tanh)
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

# ---- the rest of keras.ops (seqcore/ops/creation.py ... linalg_extra.py) ----
from seqcore.ops.creation import (  # noqa: E402
    arange, empty, empty_like, eye, full, full_like, geomspace, identity,
    linspace, logspace, ones, ones_like, tri, tril, triu, zeros, zeros_like)
from seqcore.ops.shape_ops import (  # noqa: E402
    append, array_split, broadcast_to, diag, diagflat, diagonal, dsplit,
    dstack, flip, fliplr, flipud, get_item, hsplit, hstack, meshgrid,
    moveaxis, ndim, nonzero, pad, ravel, repeat, roll, rot90, size, slice,
    slice_update, split, swapaxes, take, take_along_axis, tile, trace,
    unravel_index, unstack, vsplit, vstack)
from seqcore.ops.math_ops import (  # noqa: E402
    all, allclose, amax, amin, angle, any, arccos, arccosh, arcsin,
    arcsinh, arctan, arctan2, arctanh, average, bitwise_and,
    bitwise_invert, bitwise_left_shift, bitwise_not, bitwise_or,
    bitwise_right_shift, bitwise_xor, cbrt, ceil, conj, conjugate, copy,
    cosh, count_nonzero, cumprod, cumsum, deg2rad, diff, divide_no_nan,
    erf, erfc, erfinv, exp2, fabs, floor, floor_divide, fmax, fmin, fmod,
    gcd, heaviside, hypot, imag, isclose, isfinite, isin, isinf, isnan,
    isneginf, isposinf, isreal, lcm, ldexp, left_shift, log10, log2,
    logaddexp, logaddexp2, logical_and, logical_not, logical_or,
    logical_xor, logsumexp, median, mod, nanargmax, nanargmin, nancumprod,
    nancumsum, nanmax, nanmean, nanmedian, nanmin, nanpercentile, nanprod,
    nanquantile, nanstd, nansum, nanvar, nextafter, percentile, ptp,
    quantile, rad2deg, real, reciprocal, right_shift, round, rsqrt,
    signbit, sinc, sinh, tan, trapezoid, trunc)
from seqcore.ops.sorting import (  # noqa: E402
    argpartition, argsort, bincount, digitize, histogram, in_top_k,
    searchsorted, sort, top_k, unique)
from seqcore.ops.linear_ops import (  # noqa: E402
    cross, dot, einsum, inner, kron, outer, tensordot, vdot)
from seqcore.ops.core_ops import (  # noqa: E402
    associative_scan, cond, convert_to_numpy, dtype, fori_loop, is_tensor,
    map, saturate_cast, scan, scatter, scatter_update, select,
    stop_gradient, switch, vectorized_map, while_loop)
from seqcore.ops.nn_extra import (  # noqa: E402
    batch_normalization, binary_crossentropy, categorical_crossentropy,
    celu, depth_to_space, dot_product_attention, glu, hard_shrink,
    hard_tanh, layer_normalization, log_sigmoid, moments, multi_hot,
    normalize, one_hot, psnr, rms_normalization, soft_shrink,
    space_to_depth, sparse_categorical_crossentropy, sparse_plus,
    sparse_sigmoid, sparsemax, squareplus, tanh_shrink, threshold)
from seqcore.ops.nn_conv import (  # noqa: E402
    average_pool, conv, conv_transpose, depthwise_conv, max_pool,
    separable_conv)
from seqcore.ops.linalg_extra import (  # noqa: E402
    cholesky, cholesky_inverse, det, eig, eigh, inv, logdet, lstsq,
    lu_factor, matrix_rank, norm, pinv, qr, slogdet, solve,
    solve_triangular, svd)
from seqcore.ops.extra_ops import (  # noqa: E402
    array, bartlett, blackman, cdist, corrcoef, correlate, custom_gradient,
    extract_sequences, fft, fft2, hamming, hanning, i0, ifft2, irfft, kaiser,
    istft, nan_to_num, rfft, segment_max, segment_min, segment_prod,
    segment_sum, stft, vander, vectorize, view, view_as_complex,
    view_as_real)
from seqcore.ops.nn_blocks import (  # noqa: E402
    adaptive_average_pool, adaptive_max_pool, fold, polar, unfold)
from seqcore.ops.einops import rearrange  # noqa: E402
from seqcore.ops import image  # noqa: E402,F401 - keras.ops.image
from seqcore.ops import linalg  # noqa: E402,F401 - keras.ops.linalg
from seqcore.ops import nn  # noqa: E402,F401 - keras.ops.nn

# Each op is defined in one module; each name is listed once.
__all__ = list(dict.fromkeys(__all__ + [
    "arange", "empty", "empty_like", "eye", "full", "full_like",
    "geomspace", "identity", "linspace", "logspace", "ones", "ones_like",
    "tri", "tril", "triu", "zeros", "zeros_like", "append", "array_split",
    "broadcast_to", "diag", "diagflat", "diagonal", "dsplit", "dstack",
    "flip", "fliplr", "flipud", "get_item", "hsplit", "hstack", "meshgrid",
    "moveaxis", "ndim", "nonzero", "pad", "ravel", "repeat", "roll",
    "rot90", "size", "slice", "slice_update", "split", "swapaxes", "take",
    "take_along_axis", "tile", "trace", "unravel_index", "unstack",
    "vsplit", "vstack", "all", "allclose", "amax", "amin", "angle", "any",
    "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
    "arctanh", "average", "bitwise_and", "bitwise_invert",
    "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "cbrt", "ceil", "conj",
    "conjugate", "copy", "cosh", "count_nonzero", "cumprod", "cumsum",
    "deg2rad", "diff", "divide_no_nan", "erf", "erfc", "erfinv", "exp2",
    "fabs", "floor", "floor_divide", "fmax", "fmin", "fmod", "gcd",
    "heaviside", "hypot", "imag", "isclose", "isfinite", "isin", "isinf",
    "isnan", "isneginf", "isposinf", "isreal", "lcm", "ldexp",
    "left_shift", "log10", "log2", "logaddexp", "logaddexp2",
    "logical_and", "logical_not", "logical_or", "logical_xor", "logsumexp",
    "median", "mod", "nanargmax", "nanargmin", "nancumprod", "nancumsum",
    "nanmax", "nanmean", "nanmedian", "nanmin", "nanpercentile", "nanprod",
    "nanquantile", "nanstd", "nansum", "nanvar", "nextafter", "percentile",
    "ptp", "quantile", "rad2deg", "real", "reciprocal", "right_shift",
    "round", "rsqrt", "signbit", "sinc", "sinh", "tan", "trapezoid",
    "trunc", "argpartition", "argsort", "bincount", "digitize",
    "histogram", "in_top_k", "searchsorted", "sort", "top_k", "unique",
    "cross", "dot", "einsum", "inner", "kron", "outer", "tensordot",
    "vdot", "associative_scan", "cond", "convert_to_numpy", "dtype",
    "fori_loop", "is_tensor", "map", "saturate_cast", "scan", "scatter",
    "scatter_update", "select", "stop_gradient", "switch",
    "vectorized_map", "while_loop", "batch_normalization",
    "binary_crossentropy", "categorical_crossentropy", "celu",
    "depth_to_space", "dot_product_attention", "glu", "hard_shrink",
    "hard_tanh", "layer_normalization", "log_sigmoid", "moments",
    "multi_hot", "normalize", "one_hot", "psnr", "rms_normalization",
    "soft_shrink", "space_to_depth", "sparse_categorical_crossentropy",
    "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus",
    "tanh_shrink", "threshold", "average_pool", "conv", "conv_transpose",
    "depthwise_conv", "max_pool", "separable_conv", "cholesky",
    "cholesky_inverse", "det", "eig", "eigh", "inv", "logdet", "lstsq",
    "lu_factor", "matrix_rank", "norm", "pinv", "qr", "slogdet", "solve",
    "solve_triangular", "svd",
    "array", "bartlett", "blackman", "cdist", "corrcoef", "correlate",
    "custom_gradient", "extract_sequences", "fft", "fft2", "hamming",
    "hanning", "i0", "ifft2", "irfft", "kaiser", "nan_to_num", "rfft",
    "segment_max", "segment_min", "segment_prod", "segment_sum", "vander",
    "vectorize", "view", "view_as_complex", "view_as_real",
    "adaptive_average_pool", "adaptive_max_pool", "fold", "polar",
    "unfold", "stft", "istft", "rearrange", "image", "linalg", "nn",
]))
from seqcore.ops.ctc import ctc_decode, ctc_loss  # noqa: E402 - keras.ops(.nn).ctc_*
nn.ctc_decode, nn.ctc_loss = ctc_decode, ctc_loss  # keras.ops.nn.ctc_* too
__all__ += ["ctc_decode", "ctc_loss"]


def _dispatch_symbolic_tensors():
    """Every op, given symbolic tensors, adds a functional-graph node
    (engine/symbolic_ops.py); the family namespaces share the wrapped
    functions."""
    import types
    from seqcore.engine import symbolic_ops
    from seqcore.engine.keras_op_names import KERAS_OP_CLASSES
    unwrapped = ("convert_to_numpy", "custom_gradient", "vectorize",
                 "image", "linalg", "nn", "numpy")
    wrapped = {}
    namespace = globals()
    for name in __all__:
        value = namespace.get(name)
        if name in unwrapped or not isinstance(value, types.FunctionType):
            continue
        wrapped[id(value)] = namespace[name] = \
            symbolic_ops.dispatching(value, name)
    for family in (nn, image, linalg):
        for name, value in list(vars(family).items()):
            if id(value) in wrapped:
                setattr(family, name, wrapped[id(value)])
            elif isinstance(value, types.FunctionType) and \
                    name in KERAS_OP_CLASSES:
                setattr(family, name, symbolic_ops.dispatching(value, name))


_dispatch_symbolic_tensors()
from seqcore.ops import numpy  # noqa: E402,F401 - keras.ops.numpy
__all__ += ["numpy"]
from seqcore.ops.jvp import jvp  # noqa: E402 - keras.ops(.linalg).jvp
linalg.jvp = jvp
__all__ += ["jvp"]
