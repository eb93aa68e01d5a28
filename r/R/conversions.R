# Conversions between R values and what seqcore expects.
#
# Arrays: R stores arrays column-major; seqcore wants C-order arrays with the
# same indices (x[i, j, k] in R is x[i-1, j-1, k-1] in Python). reticulate
# makes a numpy array with R's indices; numpy.ascontiguousarray then lays it
# out in C order, as float32 for doubles and int32 for integers.
# Results come back through reticulate as R arrays with R's dimensions.

# Arguments that are counts or sizes: doubles such as 32 become integers.
integer_args <- c(
  "units", "filters", "kernel_size", "strides", "pool_size", "dilation_rate",
  "input_dim", "output_dim", "input_length", "n", "size", "cropping",
  "num_heads", "key_dim", "value_dim", "depth_multiplier",
  "groups", "seed", "axis", "epochs", "batch_size", "verbose", "patience",
  "steps_per_epoch", "validation_steps", "initial_epoch", "validation_freq",
  "validation_batch_size", "num_classes", "cooldown", "start_from_epoch",
  "num_words", "skip_top", "maxlen", "start_char", "oov_char", "index_from",
  "steps", "max_tokens", "num_bins", "num_tokens", "sequence_length",
  "output_sequence_length", "max_value_index", "lora_rank", "line_length",
  "index", "upsampling", "top_k", "k", "num_thresholds",
  "head_dim", "num_query_heads", "num_key_value_heads", "num_oov_indices",
  "power_iterations", "ngrams", "output_size", "fft_length", "num_classes",
  "sequence_stride", "sampling_rate", "start_index", "end_index",
  "frame_length", "frame_step", "num", "height", "width", "image_size",
  "target_size", "max_length", "output_sequence_length"
)
# Arguments that are lists even with one element (R's c("a") is a string).
list_args <- c("vocabulary", "bin_boundaries", "boundaries", "values")
# Arguments that are shapes: always tuples, NA and NULL entries become None.
shape_args <- c("input_shape", "batch_input_shape", "shape", "batch_shape",
                "target_shape", "dims")
# `padding` is a string for convolutions but counts for ZeroPadding layers.
maybe_integer_args <- c("padding")

#' Convert an R value to the array seqcore expects
#'
#' Doubles become C-order float32 arrays, integers C-order int32 arrays,
#' logicals float32 (0/1), character vectors arrays of strings, with the same
#' indices as in R. A vector without
#' dimensions becomes a 1-D array. Lists are converted element-wise (for
#' models with several inputs); Python objects and `NULL` pass unchanged.
#'
#' @param x An R vector, matrix, array, data frame or list.
#' @param dtype Override the element type (e.g. `"float64"`, `"int64"`).
#' @return A numpy array (a Python object).
#' @export
as_py_array <- function(x, dtype = NULL) {
  if (is.null(x) || inherits(x, "python.builtin.object")) return(x)
  if (is.data.frame(x)) x <- as.matrix(x)
  if (is.list(x)) return(lapply(x, as_py_array, dtype = dtype))
  if (is.character(x)) return(as_py_string_array(x))
  if (!is.numeric(x) && !is.logical(x))
    stop("Expected a numeric, logical or character vector, matrix or array; ",
         "received ",
         "an object of class ", paste(class(x), collapse = "/"), call. = FALSE)
  if (is.null(dim(x))) dim(x) <- length(x)
  if (is.null(dtype))
    dtype <- if (is.integer(x)) "int32" else "float32"
  py_numpy()$ascontiguousarray(unname(x), dtype = dtype)
}

# A character vector or array as a numpy array of str with R's indices (read
# in row-major order, as numpy lays it out).
as_py_string_array <- function(x) {
  dims <- if (is.null(dim(x))) length(x) else dim(x)
  flat <- if (length(dims) > 1) as.vector(aperm(x)) else as.vector(x)
  py_numpy()$array(reticulate::r_to_py(as.list(flat)),
                   dtype = "str")$reshape(as_shape(dims))
}

# A Python result as an R value: arrays to R arrays, lists and dicts to R
# lists; other Python objects (layers, tensors) are left as they are.
as_r_value <- function(x) {
  if (inherits(x, "python.builtin.object")) reticulate::py_to_r(x) else x
}

# A shape: c(784) -> (784,); c(NA, 10) or list(NULL, 10) -> (None, 10).
as_shape <- function(x) {
  if (is.null(x) || inherits(x, "python.builtin.object")) return(x)
  x <- as.list(x)
  dims <- lapply(x, function(d) {
    if (is.null(d) || (length(d) == 1 && is.na(d))) NULL else as_count(d)
  })
  do.call(reticulate::tuple, dims)
}

# A count or a tuple of counts: 3 -> 3L; c(3, 3) -> (3, 3); lists nest.
as_count <- function(x) {
  if (is.null(x) || inherits(x, "python.builtin.object")) return(x)
  if (is.list(x)) return(do.call(reticulate::tuple, lapply(x, as_count)))
  if (is.character(x) || is.logical(x) || is.function(x)) return(x)
  if (!is.numeric(x))
    stop("Expected a whole number; received an object of class ",
         class(x)[1], call. = FALSE)
  if (any(is.na(x)) || any(x != round(x)))
    stop("Expected whole numbers; received ", paste(format(x), collapse = ", "),
         call. = FALSE)
  if (length(x) == 1) as.integer(x)
  else do.call(reticulate::tuple, as.list(as.integer(x)))
}

# Keyword arguments for Python: NULLs dropped, counts as integers, shapes as
# tuples. Names listed in `rename` are renamed (R name = Python name).
as_py_args <- function(args, rename = character()) {
  args <- args[!vapply(args, is.null, TRUE)]
  if (!length(args)) return(args)
  arg_names <- names(args)
  if (is.null(arg_names)) arg_names <- rep("", length(args))
  for (i in seq_along(args)) {
    name <- arg_names[i]
    value <- args[[i]]
    if (is.function(value) && !is.null(attr(value, "seqcore_name")) &&
        !inherits(value, "python.builtin.object")) {
      value <- attr(value, "seqcore_name")  # activation_relu -> "relu"
    } else if (name %in% list_args && is.atomic(value) && is.null(dim(value))) {
      value <- as.list(if (is.numeric(value) && all(value == round(value)) &&
                           name == "vocabulary") as.integer(value) else value)
    } else if (name %in% shape_args) {
      value <- as_shape(value)
    } else if (name %in% integer_args ||
               (name %in% maybe_integer_args && is.numeric(value))) {
      value <- as_count(value)
    }
    if (!is.null(value)) args[i] <- list(value)
    if (name %in% names(rename)) arg_names[i] <- rename[[name]]
  }
  names(args) <- arg_names
  args
}

# A 1-based axis (R keras's backend convention) as a Python axis; negative
# axes count from the end as in Python.
as_axis <- function(axis) {
  if (is.null(axis)) return(NULL)
  if (length(axis) > 1)
    return(do.call(reticulate::tuple, lapply(axis, as_axis)))
  axis <- as.integer(axis)
  if (axis > 0L) axis - 1L
  else if (axis == 0L) stop("axis is 1-based: 0 is not an axis", call. = FALSE)
  else axis
}

# Subclasses of Python's float (seqcore's optimizer learning rate, which has
# Keras's `assign`) come back to R as plain numbers, as floats do.
#' @importFrom reticulate py_to_r
#' @method py_to_r python.builtin.float
#' @export
py_to_r.python.builtin.float <- function(x) {
  if (identical(class(x)[1], "python.builtin.float")) return(NextMethod())
  reticulate::py_to_r(reticulate::import_builtins(convert = FALSE)$float(x))
}
