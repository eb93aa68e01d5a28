# op_*(): keras.ops for R, made from one table (ops_table.R, generated from
# seqcore.ops by r/tools/make_ops_table.py). Each row gives the op, its R
# formals (Python's, defaults in R syntax) and how each argument is
# converted:
#   t      an array: R arrays become numpy arrays (see as_py_array())
#   axis   a 1-based axis, as everywhere in R keras (negative from the end)
#   shape  a shape (R vector, NA for unknown sizes)
#   int    a count or tuple of counts
#   idx    1-based indices (minus one for Python; zero_indexed = TRUE keeps
#          them as they are)
#   fn     an R function (called from Python)
#   -      as reticulate converts it
# and which part of the result holds 0-based indices (argmax, argsort,
# top_k, ...), returned 1-based unless zero_indexed = TRUE.

# Parse the table into one list per op.
parse_ops_table <- function(text) {
  lapply(strsplit(text, " | ", fixed = TRUE), function(row) {
    row <- trimws(c(row, "")[1:4])
    kinds <- strsplit(strsplit(row[3], " ", fixed = TRUE)[[1]], ":",
                      fixed = TRUE)
    names <- vapply(kinds, `[`, "", 1)
    list(op = row[1], formals = row[2],
         r_names = sub("=.*", "", names),
         py_names = sub(".*=", "", names),
         kinds = vapply(kinds, `[`, "", 2),
         index_out = row[4])
  })
}

# The R name of a table op: op_<op>, and for keras.ops.image's op_image_<op>
# without an "_images" ending (image.crop_images -> op_image_crop), as
# R keras names them.
op_r_name <- function(op) {
  image <- startsWith(op, "image.")
  op[image] <- paste0("image_", sub("_images$", "", substring(op[image], 7)))
  paste0("op_", op)
}

# Make op_<op> for every row of the table in `envir`.
make_ops <- function(text, envir) {
  for (spec in parse_ops_table(text))
    assign(op_r_name(spec$op), make_op(spec), envir = envir)
  invisible()
}

make_op <- function(spec) {
  f <- eval(parse(text = paste0("function(", spec$formals, ") NULL")))
  named <- setdiff(spec$r_names, "...")
  has_dots <- "..." %in% spec$r_names
  has_zero <- "zero_indexed" %in% names(formals(f))
  body(f) <- bquote(op_call(
    .(spec), mget(.(named)), .(if (has_dots) quote(list(...)) else NULL),
    .(if (has_zero) quote(zero_indexed) else FALSE)))
  environment(f) <- topenv()
  attr(f, "seqcore_op") <- spec$op
  f
}

# Convert the arguments, call seqcore.ops.<op>, convert the result.
op_call <- function(spec, args, dots, zero_indexed) {
  convert <- function(value, kind) switch(
    kind,
    t = op_tensor(value),
    axis = as_axis(value),
    shape = as_shape(value),
    int = as_count(value),
    axes2 = if (is.list(value))
      do.call(reticulate::tuple, lapply(value, as_axis)) else as_count(value),
    idx = if (is.null(value) || inherits(value, "python.builtin.object") ||
              zero_indexed) as_py_array(value)
          else as_py_array(op_to_zero_based(value)),
    value)
  kinds <- stats::setNames(spec$kinds, spec$r_names)
  py_names <- stats::setNames(spec$py_names, spec$r_names)
  # arguments before `...` go by position (einsum's subscripts, ...), those
  # after it by name
  dots_at <- match("...", spec$r_names, nomatch = length(spec$r_names) + 1)
  call_args <- list()
  for (name in names(args)) {
    value <- convert(args[[name]], kinds[[name]])
    if (match(name, spec$r_names) < dots_at) {
      call_args <- c(call_args, list(value))
    } else if (!is.null(value)) {
      call_args[[py_names[[name]]]] <- value
    }
  }
  if (length(dots)) {
    dot_kind <- kinds[["..."]]
    dots <- lapply(dots, convert, kind = dot_kind)
    positional <- if (is.null(names(dots))) rep(TRUE, length(dots)) else
      !nzchar(names(dots))
    call_args <- c(call_args[seq_len(min(dots_at - 1, length(call_args)))],
                   dots[positional], dots[!positional],
                   call_args[-seq_len(min(dots_at - 1, length(call_args)))])
  }
  result <- do.call(k_op(spec$op), call_args)
  if (!nzchar(spec$index_out) || isTRUE(zero_indexed)) return(result)
  switch(spec$index_out,
         "1" = result + 1L,
         "2" = { result[[2]] <- result[[2]] + 1L; result },
         all = lapply(result, function(r) r + 1L))
}

# An op's array argument: R numbers without dimensions (length one) become
# 0-d arrays, as Python scalars would; other R values as as_py_array().
op_tensor <- function(x) {
  if (is.function(x)) return(x)
  if ((is.numeric(x) || is.logical(x)) && length(x) == 1 && is.null(dim(x)))
    return(py_numpy()$asarray(x, dtype = if (is.integer(x)) "int32"
                              else "float32"))
  as_py_array(x)
}

# 1-based R indices as 0-based integers (keeping dimensions).
op_to_zero_based <- function(x) {
  if (!is.numeric(x))
    stop("Expected 1-based numeric indices; received an object of class ",
         class(x)[1], call. = FALSE)
  if (any(x != round(x), na.rm = TRUE))
    stop("Expected whole-number indices; received ",
         paste(format(utils::head(x, 5)), collapse = ", "), call. = FALSE)
  out <- as.integer(x) - 1L
  dim(out) <- dim(x)
  out
}

# The names of the op_*() functions, for the documentation below.
op_function_names <- function() {
  op_r_name(vapply(parse_ops_table(ops_table_text), `[[`, "", "op"))
}

ops_roxygen_tags <- function() {
  names <- op_function_names()
  c(paste("@aliases", paste(names, collapse = " ")),
    paste("@export", names))
}

#' Operations: keras.ops for R
#'
#' `op_<name>()` is `keras.ops.<name>` for every op seqcore has (`op_sum()`,
#' `op_matmul()`, `op_reshape()`, `op_conv()`, `op_top_k()`, `op_qr()`,
#' ...; `seqcore_op_functions()` lists them), with Python's arguments and
#' defaults. R arrays go in and R arrays come out (numbers for 0-d results,
#' lists for several results), with R's indices. As in R keras, `axis` (and
#' `axis1`, `axis2`, `source`, `destination`, the `axes` of
#' `op_transpose()`, ...) are 1-based, negative values counting from the
#' end; shapes are R vectors; index arguments (`op_take()`'s `indices`,
#' `op_slice()`'s `start_indices`, `op_one_hot()`'s classes, ...) and
#' index results (`op_argmax()`, `op_argsort()`, `op_top_k()`'s indices,
#' ...) are 1-based unless `zero_indexed = TRUE`. Doubles are computed as
#' float32 (`op_cast()` or `dtype =` for others). During `fit()` they also
#' take and return the traced values a custom loss receives.
#'
#' @param ... The op's arguments (see Keras's documentation of the op).
#' @return An R array, a number, or a list of them.
#' @name ops
#' @eval ops_roxygen_tags()
NULL

#' The op_*() functions and the seqcore ops they call
#'
#' @return A data frame with columns `r_function`, `python_op` and
#'   `available` (whether this seqcore has the op).
#' @export
seqcore_op_functions <- function() {
  specs <- parse_ops_table(ops_table_text)
  ops <- vapply(specs, `[[`, "", "op")
  py <- reticulate::import("seqcore.ops", convert = FALSE)
  data.frame(r_function = op_r_name(ops), python_op = ops,
             available = vapply(ops, function(op)
               !is.null(py_op_function(py, op)), TRUE, USE.NAMES = FALSE),
             stringsAsFactors = FALSE)
}
