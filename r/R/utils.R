# Utilities: to_categorical, seeds, sessions.

#' One-hot encode class indices
#'
#' @param y Class indices from 0 (a vector, or a matrix with one column).
#' @param num_classes Number of classes (default: the largest index + 1).
#' @return A matrix with one row per element of `y` and `num_classes`
#'   columns (an array for higher-dimensional `y`).
#' @export
to_categorical <- function(y, num_classes = NULL) {
  if (!is.numeric(y))
    stop("to_categorical: expected numeric class indices; received an ",
         "object of class ", class(y)[1], call. = FALSE)
  if (is.null(dim(y))) dim(y) <- length(y)
  py_seqcore()$utils$to_categorical(
    as_py_array(y, dtype = "float64"), num_classes = as_count(num_classes))
}

#' Seed every random generator seqcore uses, and R's
#'
#' @param seed An integer.
#' @return `NULL`, invisibly.
#' @export
set_random_seed <- function(seed) {
  set.seed(seed)
  py_seqcore()$utils$set_random_seed(as_count(seed))
  invisible()
}

#' Reset automatic layer names (the next Dense is `dense` again)
#' @return `NULL`, invisibly.
#' @export
k_clear_session <- function() {
  py_seqcore()$utils$clear_session()
  invisible()
}

#' Pad sequences to the same length
#'
#' @param sequences A list of integer (or numeric) vectors.
#' @param maxlen Length of the result (default: the longest sequence).
#' @param dtype Element type of the result.
#' @param padding,truncating `"pre"` or `"post"`: where to pad or cut.
#' @param value The padding value.
#' @return A matrix with one row per sequence.
#' @export
pad_sequences <- function(sequences, maxlen = NULL, dtype = "int32",
                          padding = "pre", truncating = "pre", value = 0) {
  if (!is.list(sequences))
    stop("pad_sequences: expected a list of vectors; received an object of ",
         "class ", class(sequences)[1], call. = FALSE)
  # as.list: a sequence of one element stays a Python list, not a number
  py_seqcore()$utils$pad_sequences(
    lapply(sequences, as.list), maxlen = as_count(maxlen), dtype = dtype,
    padding = padding, truncating = truncating, value = value)
}
