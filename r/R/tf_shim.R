# `tf`: the few TensorFlow functions R keras's guides call on test inputs
# (`x <- tf$ones(shape(3, 3))`, `tf$random$normal(...)`), on seqcore.ops.
# As in the R tensorflow package, arguments are Python's (0-based `axis`);
# results are R arrays.

tf_op <- function(op, tensor_args = 1L) {
  force(op)
  function(...) {
    args <- list(...)
    for (i in intersect(tensor_args, seq_along(args)))
      if (is.null(names(args)) || !nzchar(names(args)[i]))
        args[[i]] <- k_tensor(args[[i]])
    do.call(k_op(op), args)
  }
}

tf_shaped <- function(op) {
  force(op)
  function(shape, dtype = NULL, ...) {
    k_op(op)(as_shape(shape), dtype = dtype %||% "float32")
  }
}

tf_random <- function(what) {
  force(what)
  function(shape, ..., seed = NULL, dtype = NULL, name = NULL) {
    py_seqcore()$random[[what]](
      as_shape(shape), ..., dtype = dtype,
      seed = if (is.null(seed)) NULL else as.integer(seed))
  }
}

make_tf <- function() {
  tf <- new.env(parent = emptyenv())
  tf$ones <- tf_shaped("ones")
  tf$zeros <- tf_shaped("zeros")
  tf$ones_like <- tf_op("ones_like")
  tf$zeros_like <- tf_op("zeros_like")
  tf$fill <- function(dims, value) k_op("full")(as_shape(dims), value)
  tf$constant <- function(value, dtype = NULL, shape = NULL, name = NULL)
    k_constant(value, dtype = dtype, shape = shape)
  tf$convert_to_tensor <- function(value, dtype = NULL, ...)
    k_op("convert_to_tensor")(k_tensor(value), dtype = dtype)
  tf$cast <- function(x, dtype) k_op("cast")(k_tensor(x), dtype)
  tf$reshape <- function(tensor, shape) k_op("reshape")(k_tensor(tensor),
                                                        as_shape(shape))
  tf$matmul <- tf_op("matmul", 1:2)
  tf$add <- tf_op("add", 1:2)
  tf$multiply <- tf_op("multiply", 1:2)
  tf$square <- tf_op("square")
  tf$sqrt <- tf_op("sqrt")
  tf$exp <- tf_op("exp")
  tf$abs <- tf_op("abs")
  tf$reduce_sum <- tf_op("sum")
  tf$reduce_mean <- tf_op("mean")
  tf$reduce_max <- tf_op("max")
  tf$reduce_min <- tf_op("min")
  tf$concat <- function(values, axis) k_op("concatenate")(
    lapply(values, k_tensor), axis = as.integer(axis))
  tf$shape <- function(input) k_shape(input)
  tf$Variable <- function(initial_value, ...) keras_variable(initial_value,
                                                             ...)
  tf$random <- new.env(parent = emptyenv())
  tf$random$normal <- tf_random("normal")
  tf$random$uniform <- tf_random("uniform")
  tf$nn <- new.env(parent = emptyenv())
  tf$nn$relu <- tf_op("relu")
  tf$nn$softmax <- tf_op("softmax")
  tf$nn$sigmoid <- tf_op("sigmoid")
  class(tf) <- "seqcore_tf"
  tf
}

#' TensorFlow-style test inputs
#'
#' R keras's guides make test inputs with TensorFlow (`x <-
#' tf$ones(shape(3, 3))`). Without TensorFlow, `tf` here has those
#' functions on seqcore.ops: `ones`, `zeros`, `ones_like`, `zeros_like`,
#' `fill`, `constant`, `convert_to_tensor`, `cast`, `reshape`, `matmul`,
#' `add`, `multiply`, `square`, `sqrt`, `exp`, `abs`, `reduce_sum`,
#' `reduce_mean`, `reduce_max`, `reduce_min`, `concat`, `shape`,
#' `Variable`, `random$normal`, `random$uniform`, `nn$relu`,
#' `nn$softmax`, `nn$sigmoid`. As in the R tensorflow package, arguments
#' are TensorFlow's (0-based `axis`); results are R arrays. Attaching the R
#' tensorflow package after seqcore gives the real one.
#' @format An environment of functions.
#' @export
tf <- make_tf()

#' @export
print.seqcore_tf <- function(x, ...) {
  cat("<seqcore's tf: ", paste(sort(ls(x)), collapse = ", "), ">\n", sep = "")
  invisible(x)
}
