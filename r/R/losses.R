# Losses: each loss_*() is both R keras's function (called on y_true and
# y_pred it computes the per-sample loss) and its constructor (called without
# them it returns the Keras Loss object). Passed to compile() as a bare
# function (`loss = loss_binary_crossentropy`) it names the built-in loss.

loss_wrapper <- function(fn_name, class_name) {
  f <- function(y_true, y_pred, ...) {
    if (missing(y_true) && missing(y_pred))
      return(do.call(seqcore_attr("losses", class_name), as_py_args(list(...))))
    fn <- seqcore_attr("losses", fn_name)
    do.call(fn, c(list(as_py_array(y_true), as_py_array(y_pred)),
                  as_py_args(list(...))))
  }
  attr(f, "seqcore_name") <- fn_name
  attr(f, "seqcore_class") <- paste0("losses.", class_name)
  f
}

#' Losses
#'
#' @param y_true,y_pred Targets and predictions (R arrays). When both are
#'   missing, the Keras `Loss` object is returned (for [compile()]).
#' @param ... Options of the loss (`from_logits`, `label_smoothing`, `axis`,
#'   `delta`, `reduction`, `name`), by name.
#' @return The per-sample losses (an R array), or a `Loss` object.
#' @name losses
NULL

#' @rdname losses
#' @export
loss_binary_crossentropy <- loss_wrapper("binary_crossentropy",
                                         "BinaryCrossentropy")
#' @rdname losses
#' @export
loss_categorical_crossentropy <- loss_wrapper("categorical_crossentropy",
                                              "CategoricalCrossentropy")
#' @rdname losses
#' @export
loss_sparse_categorical_crossentropy <- loss_wrapper(
  "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy")
#' @rdname losses
#' @export
loss_mean_squared_error <- loss_wrapper("mean_squared_error", "MeanSquaredError")
#' @rdname losses
#' @export
loss_mean_absolute_error <- loss_wrapper("mean_absolute_error",
                                         "MeanAbsoluteError")
#' @rdname losses
#' @export
loss_mean_absolute_percentage_error <- loss_wrapper(
  "mean_absolute_percentage_error", "MeanAbsolutePercentageError")
#' @rdname losses
#' @export
loss_mean_squared_logarithmic_error <- loss_wrapper(
  "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError")
#' @rdname losses
#' @export
loss_huber <- loss_wrapper("huber", "Huber")
#' @rdname losses
#' @export
loss_log_cosh <- loss_wrapper("log_cosh", "LogCosh")
#' @rdname losses
#' @export
loss_logcosh <- loss_log_cosh
#' @rdname losses
#' @export
loss_poisson <- loss_wrapper("poisson", "Poisson")
#' @rdname losses
#' @export
loss_cosine_similarity <- loss_wrapper("cosine_similarity", "CosineSimilarity")
#' @rdname losses
#' @export
loss_hinge <- loss_wrapper("hinge", "Hinge")
#' @rdname losses
#' @export
loss_squared_hinge <- loss_wrapper("squared_hinge", "SquaredHinge")
#' @rdname losses
#' @export
loss_categorical_hinge <- loss_wrapper("categorical_hinge", "CategoricalHinge")
#' @rdname losses
#' @export
loss_kullback_leibler_divergence <- loss_wrapper("kl_divergence",
                                                 "KLDivergence")
#' @rdname losses
#' @export
loss_binary_focal_crossentropy <- loss_wrapper("binary_focal_crossentropy",
                                               "BinaryFocalCrossentropy")
#' @rdname losses
#' @export
loss_categorical_focal_crossentropy <- loss_wrapper(
  "categorical_focal_crossentropy", "CategoricalFocalCrossentropy")

#' @rdname losses
#' @export
loss_kl_divergence <- loss_wrapper("kl_divergence", "KLDivergence")
#' @rdname losses
#' @export
loss_dice <- loss_wrapper("dice", "Dice")
#' @rdname losses
#' @export
loss_tversky <- loss_wrapper("tversky", "Tversky")
#' @rdname losses
#' @export
loss_circle <- loss_wrapper("circle", "Circle")
#' @rdname losses
#' @export
loss_categorical_generalized_cross_entropy <- loss_wrapper(
  "categorical_generalized_cross_entropy", "CategoricalGeneralizedCrossEntropy")
#' @rdname losses
#' @export
loss_ctc <- loss_wrapper("ctc", "CTC")

# A loss for compile(): names and Python objects as they are, R keras's loss
# functions by their Keras name, other R functions wrapped for Python.
as_loss_identifier <- function(loss, name = "custom_loss") {
  if (is.null(loss) || inherits(loss, "python.builtin.object")) return(loss)
  if (is.character(loss))
    return(if (length(loss) == 1) loss else as.list(loss))
  if (is.function(loss)) {
    if (!is.null(attr(loss, "seqcore_name"))) return(attr(loss, "seqcore_name"))
    return(py_named_function(loss, name))
  }
  if (is.list(loss)) {
    names <- names(loss)
    out <- lapply(seq_along(loss), function(i)
      as_loss_identifier(loss[[i]], if (!is.null(names) && nzchar(names[i]))
        names[i] else name))
    names(out) <- names
    return(out)
  }
  stop("loss must be a name, a loss_* function or object, or an R function; ",
       "received an object of class ", class(loss)[1], call. = FALSE)
}
