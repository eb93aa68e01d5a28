# Regularizers, initializers and activations, for the layers' arguments
# (kernel_regularizer = regularizer_l2(0.01), kernel_initializer =
# initializer_he_normal(), activation = activation_relu).

#' Regularizers
#'
#' @param l1,l2 Penalty factors.
#' @param ... Other arguments of the Keras regularizer.
#' @return A regularizer for a layer's `*_regularizer` argument.
#' @name regularizers
NULL

#' @rdname regularizers
#' @export
regularizer_l1 <- object_wrapper("regularizers", "L1", "l1")
#' @rdname regularizers
#' @export
regularizer_l2 <- object_wrapper("regularizers", "L2", "l2")
#' @rdname regularizers
#' @export
regularizer_l1_l2 <- object_wrapper("regularizers", "L1L2", c("l1", "l2"))
#' @rdname regularizers
#' @export
regularizer_orthogonal <- object_wrapper("regularizers", "OrthogonalRegularizer",
                                         c("factor", "mode"))

#' Initializers
#'
#' @param value The constant of `initializer_constant()`.
#' @param ... Arguments of the Keras initializer (`seed`, `mean`, `stddev`,
#'   `minval`, `maxval`, `value`, `gain`, `scale`, `mode`, `distribution`).
#' @return An initializer for a layer's `*_initializer` argument.
#' @name initializers
NULL

#' @rdname initializers
#' @export
initializer_zeros <- object_wrapper("initializers", "Zeros")
#' @rdname initializers
#' @export
initializer_ones <- object_wrapper("initializers", "Ones")
#' @rdname initializers
#' @export
initializer_constant <- object_wrapper("initializers", "Constant", "value")
#' @rdname initializers
#' @export
initializer_random_normal <- object_wrapper("initializers", "RandomNormal")
#' @rdname initializers
#' @export
initializer_random_uniform <- object_wrapper("initializers", "RandomUniform")
#' @rdname initializers
#' @export
initializer_truncated_normal <- object_wrapper("initializers",
                                               "TruncatedNormal")
#' @rdname initializers
#' @export
initializer_variance_scaling <- object_wrapper("initializers",
                                               "VarianceScaling")
#' @rdname initializers
#' @export
initializer_orthogonal <- object_wrapper("initializers", "Orthogonal")
#' @rdname initializers
#' @export
initializer_identity <- object_wrapper("initializers", "Identity")
#' @rdname initializers
#' @export
initializer_stft <- object_wrapper("initializers", "STFT")
#' @rdname initializers
#' @export
initializer_glorot_normal <- object_wrapper("initializers", "GlorotNormal")
#' @rdname initializers
#' @export
initializer_glorot_uniform <- object_wrapper("initializers", "GlorotUniform")
#' @rdname initializers
#' @export
initializer_he_normal <- object_wrapper("initializers", "HeNormal")
#' @rdname initializers
#' @export
initializer_he_uniform <- object_wrapper("initializers", "HeUniform")
#' @rdname initializers
#' @export
initializer_lecun_normal <- object_wrapper("initializers", "LecunNormal")
#' @rdname initializers
#' @export
initializer_lecun_uniform <- object_wrapper("initializers", "LecunUniform")

activation_wrapper <- function(name) {
  f <- function(x, ...) {
    do.call(seqcore_attr("activations", name),
            c(list(as_py_array(x)), as_py_args(list(...))))
  }
  attr(f, "seqcore_name") <- name
  f
}

#' Activations
#'
#' Called on an R array they compute the activation; given as a layer's
#' `activation` argument (`activation = activation_relu`) they name Keras's
#' built-in activation.
#'
#' @param x An R array.
#' @param ... Options of the activation (`axis`, `alpha`, ...).
#' @return An R array.
#' @name activations
NULL

#' @rdname activations
#' @export
activation_relu <- activation_wrapper("relu")
#' @rdname activations
#' @export
activation_relu6 <- activation_wrapper("relu6")
#' @rdname activations
#' @export
activation_sigmoid <- activation_wrapper("sigmoid")
#' @rdname activations
#' @export
activation_softmax <- activation_wrapper("softmax")
#' @rdname activations
#' @export
activation_tanh <- activation_wrapper("tanh")
#' @rdname activations
#' @export
activation_elu <- activation_wrapper("elu")
#' @rdname activations
#' @export
activation_selu <- activation_wrapper("selu")
#' @rdname activations
#' @export
activation_gelu <- activation_wrapper("gelu")
#' @rdname activations
#' @export
activation_silu <- activation_wrapper("silu")
#' @rdname activations
#' @export
activation_swish <- activation_wrapper("swish")
#' @rdname activations
#' @export
activation_mish <- activation_wrapper("mish")
#' @rdname activations
#' @export
activation_softplus <- activation_wrapper("softplus")
#' @rdname activations
#' @export
activation_softsign <- activation_wrapper("softsign")
#' @rdname activations
#' @export
activation_hard_sigmoid <- activation_wrapper("hard_sigmoid")
#' @rdname activations
#' @export
activation_exponential <- activation_wrapper("exponential")
#' @rdname activations
#' @export
activation_linear <- activation_wrapper("linear")
#' @rdname activations
#' @export
activation_leaky_relu <- activation_wrapper("leaky_relu")
#' @rdname activations
#' @export
activation_log_softmax <- activation_wrapper("log_softmax")
#' @rdname activations
#' @export
activation_celu <- activation_wrapper("celu")
#' @rdname activations
#' @export
activation_glu <- activation_wrapper("glu")
#' @rdname activations
#' @export
activation_hard_shrink <- activation_wrapper("hard_shrink")
#' @rdname activations
#' @export
activation_hard_silu <- activation_wrapper("hard_silu")
#' @rdname activations
#' @export
activation_hard_swish <- activation_wrapper("hard_swish")
#' @rdname activations
#' @export
activation_hard_tanh <- activation_wrapper("hard_tanh")
#' @rdname activations
#' @export
activation_log_sigmoid <- activation_wrapper("log_sigmoid")
#' @rdname activations
#' @export
activation_soft_shrink <- activation_wrapper("soft_shrink")
#' @rdname activations
#' @export
activation_sparse_plus <- activation_wrapper("sparse_plus")
#' @rdname activations
#' @export
activation_sparse_sigmoid <- activation_wrapper("sparse_sigmoid")
#' @rdname activations
#' @export
activation_sparsemax <- activation_wrapper("sparsemax")
#' @rdname activations
#' @export
activation_squareplus <- activation_wrapper("squareplus")
#' @rdname activations
#' @export
activation_tanh_shrink <- activation_wrapper("tanh_shrink")
#' @rdname activations
#' @export
activation_threshold <- activation_wrapper("threshold")
