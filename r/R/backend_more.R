# More of R keras 2's backend functions (k_*), on seqcore.ops, with R
# keras 2's conventions: 1-based axes, `k_gather()` indices 1-based,
# `k_one_hot()` classes 0-based as R keras passed them.

#' More backend functions
#'
#' R keras 2's `k_*()` functions for custom losses, metrics and layers, on
#' seqcore.ops (traced values stay traced during `fit()`, so their gradient
#' is exact). Axes are 1-based; `k_gather()`'s indices are 1-based.
#'
#' @param x,y,target,output,reference,condition,then_expression,else_expression
#'   Arrays (or traced values).
#' @param axis,axes,pattern Axes (1-based).
#' @param keepdims Keep reduced axes.
#' @param from_logits `output` holds logits.
#' @param indices,num_classes Indices and the number of classes.
#' @param value,dtype,shape,name,size,start,stop,step,n,rep,level,noise_shape,seed,alpha,minval,maxval,mean,stddev,constraint
#'   As in R keras.
#' @return An R array, a number, a shape or a variable.
#' @name backend_more
NULL

k_unary <- function(op) {
  force(op)
  function(x) k_op(op)(k_tensor(x))
}

#' @rdname backend_more
#' @export
k_all <- function(x, axis = NULL, keepdims = FALSE) k_reduce("all", x, axis, keepdims)
#' @rdname backend_more
#' @export
k_any <- function(x, axis = NULL, keepdims = FALSE) k_reduce("any", x, axis, keepdims)
#' @rdname backend_more
#' @export
k_logsumexp <- function(x, axis = NULL, keepdims = FALSE) {
  k_reduce("logsumexp", x, axis, keepdims)
}
#' @rdname backend_more
#' @export
k_cos <- k_unary("cos")
#' @rdname backend_more
#' @export
k_sin <- k_unary("sin")
#' @rdname backend_more
#' @export
k_softsign <- k_unary("softsign")
#' @rdname backend_more
#' @export
k_hard_sigmoid <- k_unary("hard_sigmoid")
#' @rdname backend_more
#' @export
k_identity <- function(x, name = NULL) k_op("copy")(k_tensor(x))
#' @rdname backend_more
#' @export
k_stop_gradient <- k_unary("stop_gradient")
#' @rdname backend_more
#' @export
k_elu <- function(x, alpha = 1) k_op("elu")(k_tensor(x), alpha = alpha)
#' @rdname backend_more
#' @export
k_cumsum <- function(x, axis = 1) k_op("cumsum")(k_tensor(x), axis = as_axis(axis))
#' @rdname backend_more
#' @export
k_cumprod <- function(x, axis = 1) k_op("cumprod")(k_tensor(x), axis = as_axis(axis))
#' @rdname backend_more
#' @export
k_binary_crossentropy <- function(target, output, from_logits = FALSE) {
  k_op("binary_crossentropy")(k_tensor(target), k_tensor(output),
                              from_logits = from_logits)
}
#' @rdname backend_more
#' @export
k_categorical_crossentropy <- function(target, output, from_logits = FALSE,
                                       axis = -1) {
  k_op("categorical_crossentropy")(k_tensor(target), k_tensor(output),
                                   from_logits = from_logits,
                                   axis = as_axis(axis))
}
#' @rdname backend_more
#' @export
k_sparse_categorical_crossentropy <- function(target, output,
                                              from_logits = FALSE,
                                              axis = -1) {
  k_op("sparse_categorical_crossentropy")(
    k_tensor(target), k_tensor(output), from_logits = from_logits,
    axis = as_axis(axis))
}
#' @rdname backend_more
#' @export
k_l2_normalize <- function(x, axis = NULL) {
  x <- k_tensor(x)
  squares <- k_op("sum")(k_op("square")(x), axis = as_axis(axis),
                         keepdims = TRUE)
  k_op("divide")(x, k_op("sqrt")(k_op("maximum")(squares, 1e-12)))
}
#' @rdname backend_more
#' @export
k_switch <- function(condition, then_expression, else_expression) {
  k_op("where")(k_tensor(condition), k_tensor(then_expression),
                k_tensor(else_expression))
}
#' @rdname backend_more
#' @export
k_gather <- function(reference, indices) {
  if (!inherits(indices, "python.builtin.object"))
    indices <- op_to_zero_based(indices)
  k_op("take")(k_tensor(reference), as_py_array(indices), axis = 0L)
}
#' @rdname backend_more
#' @export
k_one_hot <- function(indices, num_classes) {
  k_op("one_hot")(as_py_array(as.integer(indices)), as.integer(num_classes))
}
#' @rdname backend_more
#' @export
k_permute_dimensions <- function(x, pattern) {
  k_op("transpose")(k_tensor(x), as_axis(pattern))
}
#' @rdname backend_more
#' @export
k_repeat_elements <- function(x, rep, axis) {
  k_op("repeat")(k_tensor(x), as.integer(rep), axis = as_axis(axis))
}
#' @rdname backend_more
#' @export
k_repeat <- function(x, n) {
  k_op("repeat")(k_op("expand_dims")(k_tensor(x), 1L), as.integer(n),
                 axis = 1L)
}
#' @rdname backend_more
#' @export
k_tile <- function(x, n) k_op("tile")(k_tensor(x), as_count(as.list(n)))
#' @rdname backend_more
#' @export
k_reverse <- function(x, axes) k_op("flip")(k_tensor(x), axis = as_axis(axes))
#' @rdname backend_more
#' @export
k_batch_flatten <- function(x) {
  x <- k_tensor(x)
  k_op("reshape")(x, reticulate::tuple(-1L, as.integer(prod(
    k_shape(x)[-1]))))
}
#' @rdname backend_more
#' @export
k_arange <- function(start, stop = NULL, step = 1, dtype = "int32") {
  k_op("arange")(as.integer(start),
                 if (is.null(stop)) NULL else as.integer(stop),
                 as.integer(step), dtype = dtype)
}
#' @rdname backend_more
#' @export
k_eye <- function(size, dtype = NULL, name = NULL) {
  k_op("eye")(as.integer(size), dtype = dtype %||% k_floatx())
}
#' @rdname backend_more
#' @export
k_ones <- function(shape, dtype = NULL, name = NULL) {
  k_op("ones")(as_shape(shape), dtype = dtype %||% k_floatx())
}
#' @rdname backend_more
#' @export
k_zeros <- function(shape, dtype = NULL, name = NULL) {
  k_op("zeros")(as_shape(shape), dtype = dtype %||% k_floatx())
}
#' @rdname backend_more
#' @export
k_ones_like <- function(x, dtype = NULL, name = NULL) {
  k_op("ones_like")(k_tensor(x), dtype = dtype)
}
#' @rdname backend_more
#' @export
k_zeros_like <- function(x, dtype = NULL, name = NULL) {
  k_op("zeros_like")(k_tensor(x), dtype = dtype)
}
#' @rdname backend_more
#' @export
k_constant <- function(value, dtype = NULL, shape = NULL, name = NULL) {
  value <- py_numpy()$asarray(value, dtype = dtype %||% k_floatx())
  if (!is.null(shape)) value <- py_numpy()$broadcast_to(value, as_shape(shape))
  k_result(py_numpy()$array(value))
}
#' @rdname backend_more
#' @export
k_dropout <- function(x, level, noise_shape = NULL, seed = NULL) {
  py_seqcore()$random$dropout(
    k_tensor(x), level, noise_shape = as_shape(noise_shape),
    seed = if (is.null(seed)) NULL else as.integer(seed))
}
#' @rdname backend_more
#' @export
k_random_uniform <- function(shape, minval = 0, maxval = 1, dtype = NULL,
                             seed = NULL) {
  py_seqcore()$random$uniform(as_shape(shape), minval = minval,
                              maxval = maxval, dtype = dtype,
                              seed = if (is.null(seed)) NULL else as.integer(seed))
}
#' @rdname backend_more
#' @export
k_random_normal <- function(shape, mean = 0, stddev = 1, dtype = NULL,
                            seed = NULL) {
  py_seqcore()$random$normal(as_shape(shape), mean = mean, stddev = stddev,
                             dtype = dtype,
                             seed = if (is.null(seed)) NULL else as.integer(seed))
}

# ---- shapes, dtypes and variables ------------------------------------------

#' @rdname backend_more
#' @export
k_int_shape <- function(x) {
  shape <- if (inherits(x, "python.builtin.object")) x$shape else
    as.list(dim(x) %||% length(x))
  if (inherits(shape, "python.builtin.object"))
    shape <- reticulate::py_to_r(shape)
  lapply(shape, function(d) if (is.null(d)) NULL else as.integer(d))
}
#' @rdname backend_more
#' @export
k_shape <- function(x) {
  vapply(k_int_shape(x), function(d) if (is.null(d)) NA_integer_ else d, 1L)
}
#' @rdname backend_more
#' @export
k_ndim <- function(x) length(k_int_shape(x))
#' @rdname backend_more
#' @export
k_dtype <- function(x) {
  if (inherits(x, "python.builtin.object")) {
    dtype <- x$dtype
    return(if (inherits(dtype, "python.builtin.object"))
      as.character(reticulate::py_str(dtype)) else as.character(dtype))
  }
  if (is.integer(x)) "int32" else if (is.logical(x)) "bool" else k_floatx()
}
#' @rdname backend_more
#' @export
k_is_tensor <- function(x) inherits(x, "python.builtin.object") &&
  reticulate::py_has_attr(x, "shape")
#' @rdname backend_more
#' @export
k_is_keras_tensor <- function(x) {
  inherits(x, "seqcore.engine.keras_tensor.KerasTensor")
}
#' @rdname backend_more
#' @export
k_variable <- function(value, dtype = NULL, name = NULL, constraint = NULL) {
  py_seqcore()$Variable(as_py_array(value), dtype = dtype %||% k_floatx(),
                        name = name)
}
#' @rdname backend_more
#' @export
k_get_value <- function(x) {
  if (inherits(x, "python.builtin.object") &&
      reticulate::py_has_attr(x, "numpy")) x$numpy() else x
}
#' @rdname backend_more
#' @export
k_eval <- k_get_value
#' @rdname backend_more
#' @export
k_set_value <- function(x, value) {
  x$assign(as_py_array(value))
  invisible(x)
}
#' @rdname backend_more
#' @export
k_count_params <- function(x) prod(k_shape(x))

# ---- configuration -----------------------------------------------------------

#' @rdname backend_more
#' @export
k_floatx <- function() config_floatx()
#' @rdname backend_more
#' @export
k_set_floatx <- function(value) config_set_floatx(value)
#' @rdname backend_more
#' @export
k_set_epsilon <- function(value) config_set_epsilon(value)
#' @rdname backend_more
#' @export
k_image_data_format <- function() config_image_data_format()
#' @rdname backend_more
#' @export
k_set_image_data_format <- function(value) config_set_image_data_format(value)
#' @rdname backend_more
#' @export
k_backend <- function() config_backend()
