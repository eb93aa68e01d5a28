# constraint_*(): keras.constraints, for the layers' *_constraint arguments.
# They need seqcore.constraints; without it they stop with a clear error.

#' Weight constraints
#'
#' As in R keras, `axis` is 1-based (Keras's default `axis = 0` is
#' `axis = 1`): for a Dense kernel of shape `(input_dim, units)`, `axis = 1`
#' constrains each unit's incoming weight vector.
#'
#' @param max_value,min_value Bounds of the norm.
#' @param rate Of `constraint_minmaxnorm()`: how far towards the bounds each
#'   update moves (1 is all the way).
#' @param axis The axis (or axes) the norm is computed over (1-based).
#' @return A constraint for a layer's `kernel_constraint` (or
#'   `bias_constraint`, ...) argument; it can also be called on an R array.
#' @name constraints
NULL

constraint_object <- function(class_name, args) {
  do.call(seqcore_attr("constraints", class_name), as_py_args(args))
}

#' @rdname constraints
#' @export
constraint_maxnorm <- function(max_value = 2, axis = 1) {
  constraint_object("MaxNorm", list(max_value = max_value,
                                    axis = as_axis(axis)))
}
#' @rdname constraints
#' @export
constraint_minmaxnorm <- function(min_value = 0, max_value = 1, rate = 1,
                                  axis = 1) {
  constraint_object("MinMaxNorm", list(min_value = min_value,
                                       max_value = max_value, rate = rate,
                                       axis = as_axis(axis)))
}
#' @rdname constraints
#' @export
constraint_nonneg <- function() constraint_object("NonNeg", list())
#' @rdname constraints
#' @export
constraint_unitnorm <- function(axis = 1) {
  constraint_object("UnitNorm", list(axis = as_axis(axis)))
}
