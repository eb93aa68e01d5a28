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

#' Reshape an array in row-major (C) order, as numpy does
#'
#' R's `dim<-` fills column-major; Keras code written for numpy (MNIST's
#' `x_train <- array_reshape(x_train, c(nrow(x_train), 784))`) expects
#' row-major order, so that each row of the result is one image read row by
#' row.
#'
#' @param x An array (or vector).
#' @param dim The new dimensions.
#' @param order `"C"` (row-major, numpy's default) or `"F"` (column-major,
#'   R's).
#' @return The reshaped array.
#' @export
array_reshape <- function(x, dim, order = c("C", "F")) {
  order <- match.arg(order)
  dim <- as.integer(dim)
  if (prod(dim) != length(x))
    stop("array_reshape: cannot reshape ", length(x), " elements into ",
         paste(dim, collapse = " x "), call. = FALSE)
  if (order == "F" || length(x) == 0) {
    dim(x) <- dim
    return(x)
  }
  old <- if (is.null(base::dim(x))) length(x) else base::dim(x)
  dim(x) <- old
  # the row-major reading of x is the column-major reading of x transposed
  flat <- as.vector(aperm(x, rev(seq_along(old))))
  aperm(array(flat, dim = rev(dim)), rev(seq_along(dim)))
}

#' Assign the parts of a list to several names at once
#'
#' `c(c(x_train, y_train), c(x_test, y_test)) %<-% dataset_mnist()` assigns
#' `x_train`, `y_train`, `x_test` and `y_test` in the calling environment,
#' as R keras's examples do (after the zeallot package). Nesting on the left
#' follows the nesting of the list on the right.
#'
#' @param names A call `c(a, b, ...)`, whose elements are names or nested
#'   `c(...)` calls.
#' @param value A list (or vector) with as many elements.
#' @return `value`, invisibly.
#' @name destructure
#' @export
`%<-%` <- function(names, value) {
  destructure(substitute(names), value, parent.frame())
  invisible(value)
}

destructure <- function(target, value, env) {
  if (is.name(target)) {
    assign(as.character(target), value, envir = env)
    return(invisible())
  }
  if (!is.call(target) || !identical(target[[1]], as.name("c")))
    stop("%<-%: the left side must be a name or c(...) of names; received ",
         deparse(target), call. = FALSE)
  parts <- as.list(target)[-1]
  if (length(parts) != length(value))
    stop("%<-%: ", length(parts), " names on the left but ", length(value),
         " values on the right", call. = FALSE)
  for (i in seq_along(parts))
    destructure(parts[[i]], value[[i]], env)
  invisible()
}

#' Windows over a time series, as a dataset for fit()
#'
#' `keras.utils.timeseries_dataset_from_array()`: batches of windows of
#' `sequence_length` consecutive rows of `data` (rows are time steps), with
#' the matching `targets` (the target of the window starting at row `i` is
#' `targets[i]`).
#'
#' @param data An R matrix or array, time along the first axis.
#' @param targets Targets (a vector or array with as many rows), or `NULL`.
#' @param sequence_length,sequence_stride,sampling_rate,batch_size,shuffle,seed
#'   As in Keras.
#' @param start_index,end_index Rows of `data` to use, 1-based and inclusive
#'   (default: all).
#' @return A dataset to pass to [fit()], [evaluate()] or [predict()]; iterate
#'   it with `reticulate::iterate()` to see the batches.
#' @export
timeseries_dataset_from_array <- function(data, targets, sequence_length,
                                          sequence_stride = 1,
                                          sampling_rate = 1, batch_size = 128,
                                          shuffle = FALSE, seed = NULL,
                                          start_index = NULL,
                                          end_index = NULL) {
  # Keras's start_index is 0-based and end_index exclusive
  if (!is.null(start_index)) start_index <- start_index - 1
  do.call(py_seqcore()$utils$timeseries_dataset_from_array, c(
    list(as_py_array(data), as_py_array(targets)), as_py_args(list(
    sequence_length = sequence_length, sequence_stride = sequence_stride,
    sampling_rate = sampling_rate, batch_size = batch_size, shuffle = shuffle,
    seed = seed, start_index = start_index, end_index = end_index))))
}

#' A copy of a model with new weights
#'
#' The same architecture with freshly initialized weights (as in Keras;
#' copy the weights with `set_weights(clone, get_weights(model))`).
#'
#' @param model A model.
#' @param input_tensors Optional new inputs.
#' @param clone_function A function applied to each layer (returning the
#'   layer to use), or `NULL`.
#' @param ... Other arguments of `keras.models.clone_model()`.
#' @return A model.
#' @export
clone_model <- function(model, input_tensors = NULL, clone_function = NULL,
                        ...) {
  do.call(py_seqcore()$models$clone_model,
          c(list(model), as_py_args(list(input_tensors = input_tensors,
                                         clone_function = clone_function,
                                         ...))))
}

#' Reset automatic layer names
#'
#' R keras 3's name for [k_clear_session()].
#' @return `NULL`, invisibly.
#' @export
clear_session <- function() k_clear_session()

#' A shape
#'
#' `shape(3, 3)`, `shape(NA, 10)` or `shape(NULL, 10)` (an unknown size),
#' `shape(c(28, 28), 1)` (vectors are spliced): a shape for `keras_input()`,
#' `op_ones()`, `add_weight()` and any other argument Python reads as a tuple
#' of integers.
#'
#' @param ... Sizes: whole numbers, `NA` or `NULL`, vectors of them, or
#'   shapes.
#' @return A `keras_shape`: a list of integers, `NULL` for unknown sizes.
#' @export
shape <- function(...) {
  dims <- list()
  for (value in list(...)) {
    if (is.null(value)) {
      dims <- c(dims, list(NULL))
      next
    }
    if (inherits(value, "python.builtin.object"))
      value <- reticulate::py_to_r(value)
    for (d in as.list(value)) {
      if (is.null(d) || (length(d) == 1 && is.na(d))) {
        dims <- c(dims, list(NULL))
      } else if (is.numeric(d) && length(d) == 1 && d == round(d) && d >= 0) {
        dims <- c(dims, list(as.integer(d)))
      } else {
        stop("shape(): a size must be a whole number >= 0, NA or NULL; ",
             "received ", paste(deparse(d), collapse = " "), call. = FALSE)
      }
    }
  }
  structure(dims, class = "keras_shape")
}

#' @importFrom reticulate r_to_py
#' @export
r_to_py.keras_shape <- function(x, convert = FALSE) {
  do.call(reticulate::tuple, lapply(unclass(x), function(d) d))
}

#' @export
format.keras_shape <- function(x, ...) {
  paste0("shape(", paste(vapply(unclass(x), function(d)
    if (is.null(d)) "NA" else as.character(d), ""), collapse = ", "), ")")
}

#' @export
print.keras_shape <- function(x, ...) {
  cat(format(x), "\n", sep = "")
  invisible(x)
}

#' @export
as.integer.keras_shape <- function(x, ...) {
  vapply(unclass(x), function(d) if (is.null(d)) NA_integer_ else d, 1L)
}

#' Zip lists
#'
#' `zip_lists(list(1, 2), list("a", "b"))` is
#' `list(list(1, "a"), list(2, "b"))`: the i-th elements together (named
#' after the arguments when they are named).
#' @param ... Lists (or vectors) of the same length.
#' @return A list of lists.
#' @export
zip_lists <- function(...) {
  args <- list(...)
  if (length(args) == 1 && is.list(args[[1]]) && is.null(names(args)))
    args <- args[[1]]
  lengths <- vapply(args, length, 1L)
  if (length(unique(lengths)) > 1)
    stop("zip_lists(): the lists must have the same length; received ",
         "lengths ", paste(lengths, collapse = ", "), call. = FALSE)
  n <- if (length(lengths)) lengths[[1]] else 0L
  lapply(seq_len(n), function(i) lapply(args, `[[`, i))
}

#' Normalize an array along an axis
#'
#' @param x An R array.
#' @param axis The axis (1-based; -1 the last).
#' @param order The norm's order (2: Euclidean).
#' @return `x` divided by its norm along `axis`.
#' @export
normalize <- function(x, axis = -1L, order = 2L) {
  py_seqcore()$utils$normalize(as_py_array(x), axis = as_axis(axis),
                               order = as.integer(order))
}

#' The inputs a symbolic tensor comes from
#'
#' @param tensor A symbolic tensor of the functional API.
#' @return A list of the input tensors it was computed from.
#' @export
get_source_inputs <- function(tensor) {
  py_seqcore()$utils$get_source_inputs(tensor)
}

#' A variable
#'
#' R keras 3's `keras_variable()`: a `keras.Variable` (a named array that
#' layers and optimizers update in place).
#' @param initializer An R array, or an initializer with `shape`.
#' @param shape,dtype,trainable,name As `keras.Variable`.
#' @param ... Other arguments of `keras.Variable`.
#' @return The variable.
#' @export
keras_variable <- function(initializer, shape = NULL, dtype = NULL,
                           trainable = TRUE, name = NULL, ...) {
  if (is.numeric(initializer) || is.logical(initializer))
    initializer <- as_py_array(initializer)
  do.call(py_seqcore()$Variable, c(list(initializer),
                                   as_py_args(list(shape = shape,
                                                   dtype = dtype,
                                                   trainable = trainable,
                                                   name = name, ...))))
}

#' Reset a metric's state
#'
#' @param object A metric (or a model: its compiled metrics).
#' @return `object`, invisibly.
#' @export
reset_state <- function(object) {
  if (reticulate::py_has_attr(object, "reset_state")) object$reset_state()
  else object$reset_metrics()
  invisible(object)
}

#' Split a dataset in two
#'
#' Keras's `keras.utils.split_dataset`: an R array (or a list of arrays of
#' the same length, or a dataset) into a left and a right part.
#' @param dataset The data.
#' @param left_size,right_size Fractions (< 1) or counts.
#' @param shuffle,seed Shuffle first, with this seed.
#' @return A list of the two datasets.
#' @export
split_dataset <- function(dataset, left_size = NULL, right_size = NULL,
                          shuffle = FALSE, seed = NULL) {
  if (!inherits(dataset, "python.builtin.object"))
    dataset <- if (is.list(dataset))
      do.call(reticulate::tuple, lapply(dataset, as_py_array))
      else as_py_array(dataset)
  count <- function(size) if (is.null(size) || size < 1) size
                          else as.integer(size)
  parts <- py_seqcore()$utils$split_dataset(
    dataset, left_size = count(left_size), right_size = count(right_size),
    shuffle = shuffle, seed = if (is.null(seed)) NULL else as.integer(seed))
  as.list(parts)
}
