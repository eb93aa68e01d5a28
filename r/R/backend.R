# Backend functions (k_*) for custom metrics and losses, over seqcore.ops.
#
# They take R arrays (or numpy arrays) and return R values. As in R keras,
# `axis` is 1-based (axis = 1 is the first dimension; -1 the last).

k_op <- function(op) {
  if (is.null(.globals$ops)) {
    py_seqcore()
    .globals$ops <- reticulate::import("seqcore.ops", convert = FALSE)
  }
  fn <- py_op_function(.globals$ops, op)
  if (is.null(fn))
    stop("seqcore.ops has no ", op, " in this version of seqcore (",
         py_seqcore()$`__version__`, ")", call. = FALSE)
  function(...) k_result(fn(...))
}

# seqcore.ops.<op>, where op may name a submodule's ("image.resize"), or
# NULL when this seqcore lacks it.
py_op_function <- function(ops, op) {
  object <- ops
  for (part in strsplit(op, ".", fixed = TRUE)[[1]]) {
    if (!reticulate::py_has_attr(object, part)) return(NULL)
    object <- object[[part]]
  }
  object
}

# An op's result as an R value: 0-d arrays and numpy scalars as plain
# numbers, arrays as R arrays; a traced value (during fit, see tensors.R)
# stays traced so that the tape keeps its gradient.
k_result <- function(x) {
  if (is_traced(x)) return(x)
  if (reticulate::py_has_attr(x, "ndim") &&
      identical(reticulate::py_to_r(x$ndim), 0L))
    return(reticulate::py_to_r(x$item()))
  reticulate::py_to_r(x)
}

k_tensor <- function(x) {
  if (inherits(x, "python.builtin.object")) return(x)
  as_py_array(x)
}

# A reduction over `axis` (NULL: all), keeping the reduced axes or not.
k_reduce <- function(op, x, axis, keepdims) {
  k_op(op)(k_tensor(x), axis = as_axis(axis), keepdims = isTRUE(keepdims))
}

#' Backend functions
#'
#' Element-wise and reduction operations for writing custom metrics and
#' losses ([custom_metric()]), computed by seqcore.ops. `axis` is 1-based,
#' negative values count from the end.
#'
#' @param x,y Arrays.
#' @param a The exponent of `k_pow()`.
#' @param axis Axis or axes (1-based); `NULL` for all.
#' @param keepdims Keep reduced axes with length 1.
#' @param min_value,max_value Clipping bounds.
#' @param dtype A numpy dtype name (`"float32"`, `"int32"`, ...).
#' @param shape A shape (R vector).
#' @param tensors A list of arrays.
#' @return An R array or number.
#' @name backend
NULL

#' @rdname backend
#' @export
k_mean <- function(x, axis = NULL, keepdims = FALSE) k_reduce("mean", x, axis, keepdims)
#' @rdname backend
#' @export
k_sum <- function(x, axis = NULL, keepdims = FALSE) k_reduce("sum", x, axis, keepdims)
#' @rdname backend
#' @export
k_max <- function(x, axis = NULL, keepdims = FALSE) k_reduce("max", x, axis, keepdims)
#' @rdname backend
#' @export
k_min <- function(x, axis = NULL, keepdims = FALSE) k_reduce("min", x, axis, keepdims)
#' @rdname backend
#' @export
k_prod <- function(x, axis = NULL, keepdims = FALSE) k_reduce("prod", x, axis, keepdims)
#' @rdname backend
#' @export
k_std <- function(x, axis = NULL, keepdims = FALSE) k_reduce("std", x, axis, keepdims)
#' @rdname backend
#' @export
k_var <- function(x, axis = NULL, keepdims = FALSE) k_reduce("var", x, axis, keepdims)
#' @rdname backend
#' @export
k_argmax <- function(x, axis = -1) k_op("argmax")(k_tensor(x), axis = as_axis(axis))
#' @rdname backend
#' @export
k_argmin <- function(x, axis = -1) k_op("argmin")(k_tensor(x), axis = as_axis(axis))
#' @rdname backend
#' @export
k_abs <- function(x) k_op("abs")(k_tensor(x))
#' @rdname backend
#' @export
k_exp <- function(x) k_op("exp")(k_tensor(x))
#' @rdname backend
#' @export
k_log <- function(x) k_op("log")(k_tensor(x))
#' @rdname backend
#' @export
k_sqrt <- function(x) k_op("sqrt")(k_tensor(x))
#' @rdname backend
#' @export
k_square <- function(x) k_op("square")(k_tensor(x))
#' @rdname backend
#' @export
k_sign <- function(x) k_op("sign")(k_tensor(x))
#' @rdname backend
#' @export
k_round <- function(x) k_op("round")(k_tensor(x))
#' @rdname backend
#' @export
k_pow <- function(x, a) k_op("power")(k_tensor(x), k_tensor(a))
#' @rdname backend
#' @export
k_relu <- function(x) k_op("relu")(k_tensor(x))
#' @rdname backend
#' @export
k_sigmoid <- function(x) k_op("sigmoid")(k_tensor(x))
#' @rdname backend
#' @export
k_tanh <- function(x) k_op("tanh")(k_tensor(x))
#' @rdname backend
#' @export
k_softplus <- function(x) k_op("softplus")(k_tensor(x))
#' @rdname backend
#' @export
k_softmax <- function(x, axis = -1) k_op("softmax")(k_tensor(x), axis = as_axis(axis))
#' @rdname backend
#' @export
k_clip <- function(x, min_value = NULL, max_value = NULL) {
  k_op("clip")(k_tensor(x), min_value, max_value)
}
#' @rdname backend
#' @export
k_cast <- function(x, dtype) k_op("cast")(k_tensor(x), dtype)
#' @rdname backend
#' @export
k_equal <- function(x, y) k_op("equal")(k_tensor(x), k_tensor(y))
#' @rdname backend
#' @export
k_not_equal <- function(x, y) k_op("not_equal")(k_tensor(x), k_tensor(y))
#' @rdname backend
#' @export
k_greater <- function(x, y) k_op("greater")(k_tensor(x), k_tensor(y))
#' @rdname backend
#' @export
k_greater_equal <- function(x, y) k_op("greater_equal")(k_tensor(x), k_tensor(y))
#' @rdname backend
#' @export
k_less <- function(x, y) k_op("less")(k_tensor(x), k_tensor(y))
#' @rdname backend
#' @export
k_less_equal <- function(x, y) k_op("less_equal")(k_tensor(x), k_tensor(y))
#' @rdname backend
#' @export
k_maximum <- function(x, y) k_op("maximum")(k_tensor(x), k_tensor(y))
#' @rdname backend
#' @export
k_minimum <- function(x, y) k_op("minimum")(k_tensor(x), k_tensor(y))
#' @rdname backend
#' @export
k_dot <- function(x, y) k_op("matmul")(k_tensor(x), k_tensor(y))
#' @rdname backend
#' @export
k_reshape <- function(x, shape) k_op("reshape")(k_tensor(x), as_shape(shape))
#' @rdname backend
#' @export
k_flatten <- function(x) k_op("reshape")(k_tensor(x), reticulate::tuple(-1L))
#' @rdname backend
#' @export
k_expand_dims <- function(x, axis = -1) k_op("expand_dims")(k_tensor(x), as_axis(axis))
#' @rdname backend
#' @export
k_squeeze <- function(x, axis = NULL) k_op("squeeze")(k_tensor(x), axis = as_axis(axis))
#' @rdname backend
#' @export
k_transpose <- function(x) k_op("transpose")(k_tensor(x))
#' @rdname backend
#' @export
k_concatenate <- function(tensors, axis = -1) {
  k_op("concatenate")(lapply(tensors, k_tensor), axis = as_axis(axis))
}
#' @rdname backend
#' @export
k_stack <- function(x, axis = 1) k_op("stack")(lapply(x, k_tensor), axis = as_axis(axis))
#' @rdname backend
#' @export
k_epsilon <- function() {
  backend <- py_seqcore()$backend
  if (reticulate::py_has_attr(backend, "epsilon")) backend$epsilon() else 1e-7
}
