# While fit() trains, a loss written in R receives y_pred as a traced value
# (seqcore.engine.traced.Traced): the tape records each seqcore.ops call on
# it, so the loss's gradient is exact. As in R keras, where y_pred is a
# tensor, R's arithmetic, comparison and math functions work on it here
# through these group methods, each one seqcore op; the k_* functions keep
# traced values traced (k_result). Outside training y_pred is an R array
# and none of this is involved.

traced_class <- "seqcore.engine.traced.Traced"

is_traced <- function(x) inherits(x, traced_class)

# An operand for an op: traced values as they are, R numbers of length one
# as Python floats (so the traced value keeps its dtype), other R arrays as
# float32 numpy arrays.
traced_operand <- function(x) {
  if (inherits(x, "python.builtin.object")) return(x)
  if (is.numeric(x) && length(x) == 1 && is.null(dim(x)))
    return(reticulate::r_to_py(as.double(x)))
  as_py_array(x)
}

ops_for_operator <- c(
  "+" = "add", "-" = "subtract", "*" = "multiply", "/" = "divide",
  "^" = "power", "%%" = "mod", "%/%" = "floor_divide",
  "==" = "equal", "!=" = "not_equal", "<" = "less", "<=" = "less_equal",
  ">" = "greater", ">=" = "greater_equal", "&" = "logical_and",
  "|" = "logical_or")

#' Arithmetic on traced values
#'
#' During `fit()`, an R loss function receives `y_pred` as a traced value
#' so that its gradient is exact. R's operators and math functions (`+`,
#' `-`, `*`, `/`, `^`, comparisons, `abs()`, `exp()`, `log()`, `sqrt()`,
#' `sum()`, `mean()`, ...) work on it, each as one seqcore op, as they do on
#' tensors in R keras.
#'
#' @param e1,e2,x Traced values, R arrays or numbers.
#' @param ... Further arguments (`na.rm` is not supported).
#' @return A traced value.
#' @name traced_arithmetic
#' @keywords internal
NULL

#' @rdname traced_arithmetic
#' @export
Ops.seqcore.engine.traced.Traced <- function(e1, e2) {
  op <- ops_for_operator[.Generic]
  if (is.na(op))
    stop("the operator ", .Generic, " has no seqcore op for traced values",
         call. = FALSE)
  if (missing(e2)) {
    if (.Generic == "-") return(k_op("negative")(e1))
    if (.Generic == "+") return(e1)
    stop("unary ", .Generic, " has no seqcore op for traced values",
         call. = FALSE)
  }
  k_op(op)(traced_operand(e1), traced_operand(e2))
}

ops_for_math <- c(
  abs = "abs", sign = "sign", sqrt = "sqrt", floor = "floor",
  ceiling = "ceil", round = "round", exp = "exp", log = "log",
  expm1 = "expm1", log1p = "log1p", cos = "cos", sin = "sin", tan = "tan",
  cosh = "cosh", sinh = "sinh", tanh = "tanh", acos = "arccos",
  asin = "arcsin", atan = "arctan", cumsum = "cumsum", cumprod = "cumprod",
  log2 = "log2", log10 = "log10")

#' @rdname traced_arithmetic
#' @export
Math.seqcore.engine.traced.Traced <- function(x, ...) {
  op <- ops_for_math[.Generic]
  if (is.na(op))
    stop(.Generic, "() has no seqcore op for traced values", call. = FALSE)
  if (.Generic == "log" && length(list(...)) > 0)
    stop("log() of a traced value takes no base; use log(x) / log(base)",
         call. = FALSE)
  k_op(op)(x)
}

#' @rdname traced_arithmetic
#' @export
Summary.seqcore.engine.traced.Traced <- function(..., na.rm = FALSE) {
  op <- c(sum = "sum", prod = "prod", max = "max", min = "min")[.Generic]
  args <- list(...)
  if (is.na(op) || length(args) != 1)
    stop(.Generic, "() of a traced value takes one argument and is one of ",
         "sum, prod, max, min", call. = FALSE)
  k_op(op)(args[[1]])
}

#' @rdname traced_arithmetic
#' @export
mean.seqcore.engine.traced.Traced <- function(x, ...) k_op("mean")(x)

# The same on a layer's weights and on symbolic tensors, as on R keras's
# variables and KerasTensors (a custom layer's call in R: `op_matmul(x,
# self$w) + self$b`; a functional model: `inputs * 2`).

#' @rdname traced_arithmetic
#' @export
Ops.seqcore.engine.variables.Variable <- Ops.seqcore.engine.traced.Traced
#' @rdname traced_arithmetic
#' @export
Math.seqcore.engine.variables.Variable <- Math.seqcore.engine.traced.Traced
#' @rdname traced_arithmetic
#' @export
Ops.seqcore.engine.keras_tensor.KerasTensor <- Ops.seqcore.engine.traced.Traced
#' @rdname traced_arithmetic
#' @export
Math.seqcore.engine.keras_tensor.KerasTensor <- Math.seqcore.engine.traced.Traced
