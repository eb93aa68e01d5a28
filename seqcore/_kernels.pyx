# cython: language_level=3, boundscheck=False, wraparound=False
"""The one bridge between Python and the C kernels of csrc/.

Every function checks shapes, dtypes and memory layout here, in Python
terms, before any C runs; the C calls run without the GIL. One file per
kernel family under seqcore/_kernels/, included here so that they build
into this one extension module (one selected ISA, one thread count, one
set of scratch buffers); the C declarations are in _kernels.pxd.
"""
import numpy as np

cimport numpy as cnp
from libc.stdint cimport uint64_t

cnp.import_array()

_ISAS = {"generic": SC_ISA_GENERIC, "avx2": SC_ISA_AVX2,
         "avx512": SC_ISA_AVX512}
# Activations the kernels apply (Keras's default parameters), by name.
_ACTIVATIONS = {
    None: SC_ACT_NONE, "linear": SC_ACT_NONE, "none": SC_ACT_NONE,
    "relu": SC_ACT_RELU, "sigmoid": SC_ACT_SIGMOID, "tanh": SC_ACT_TANH,
    "elu": SC_ACT_ELU, "selu": SC_ACT_SELU, "softplus": SC_ACT_SOFTPLUS,
    "softsign": SC_ACT_SOFTSIGN, "gelu": SC_ACT_GELU,
    "gelu_tanh": SC_ACT_GELU_TANH, "swish": SC_ACT_SWISH,
    "silu": SC_ACT_SWISH, "leaky_relu": SC_ACT_LEAKY_RELU,
    "hard_sigmoid": SC_ACT_HARD_SIGMOID, "exponential": SC_ACT_EXPONENTIAL,
    "relu6": SC_ACT_RELU6,
}

include "_kernels/cpu.pxi"
include "_kernels/memory.pxi"
include "_kernels/array_cache.pxi"
include "_kernels/activations.pxi"
include "_kernels/gemm.pxi"
include "_kernels/conv.pxi"
include "_kernels/rnn_train.pxi"
include "_kernels/optim.pxi"
include "_kernels/reduce.pxi"
include "_kernels/rnn.pxi"
include "_kernels/losses.pxi"
include "_kernels/depthwise.pxi"
include "_kernels/conv_transpose.pxi"
include "_kernels/normalization.pxi"
