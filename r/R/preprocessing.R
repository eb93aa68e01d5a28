# adapt(), get_vocabulary() and set_vocabulary() for the preprocessing layers
# (Normalization, Discretization, StringLookup, IntegerLookup,
# TextVectorization, ...), as in R keras.

#' Fit the state of a preprocessing layer to data
#'
#' Computes what the layer needs from the data (the mean and variance of
#' `layer_normalization()`, the bins of `layer_discretization()`, the
#' vocabulary of the lookup and text layers).
#'
#' @param object A preprocessing layer.
#' @param data An R array, matrix, vector (character vectors for string
#'   layers) or a Python dataset.
#' @param ... Passed to the layer's `adapt()` by name.
#' @param batch_size,steps As in Keras (only those layers that take them).
#' @return The layer, invisibly (adapted in place).
#' @export
adapt <- function(object, data, ..., batch_size = NULL, steps = NULL) {
  args <- as_py_args(list(..., batch_size = batch_size, steps = steps))
  do.call(object$adapt, c(list(as_py_array(data)), args))
  invisible(object)
}

#' The vocabulary of a lookup or text layer
#'
#' @param object A `layer_string_lookup()`, `layer_integer_lookup()` or
#'   `layer_text_vectorization()`.
#' @param include_special_tokens Include the mask and OOV tokens.
#' @param vocabulary A character (or integer) vector.
#' @param idf_weights For `output_mode = "tf_idf"`: one weight per term.
#' @param ... Unused.
#' @return `get_vocabulary()`: a vector (character or integer).
#'   `set_vocabulary()`: the layer, invisibly.
#' @export
get_vocabulary <- function(object, include_special_tokens = TRUE) {
  unlist(object$get_vocabulary(include_special_tokens = include_special_tokens))
}

#' @rdname get_vocabulary
#' @export
set_vocabulary <- function(object, vocabulary, idf_weights = NULL, ...) {
  args <- as_py_args(list(vocabulary = vocabulary))
  object$set_vocabulary(args$vocabulary,
                        idf_weights = if (is.null(idf_weights)) NULL else
                          as_py_array(idf_weights))
  invisible(object)
}
