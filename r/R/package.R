# The Python side: seqcore and numpy, imported on first use.
#
# Everything in this package reaches Python through `py_seqcore()` (the seqcore
# module, converting results to R) and `py_numpy()` (numpy, not converting, for
# building arrays). Both are imported lazily, so that library(seqcore) works
# before install_seqcore() has been run.

.globals <- new.env(parent = emptyenv())

#' Pipe operator
#'
#' `model %>% layer_dense(32)` adds a layer to `model` in place and returns it.
#' Re-exported from magrittr.
#' @name %>%
#' @importFrom magrittr %>%
#' @export
NULL

#' The seqcore Python module, as R keras's `keras` object
#'
#' `keras$layers$Dense(32L)`, `keras$layers$Layer` (a parent class for
#' [%py_class%]), `keras$ops$matmul(a, b)`: Python's `keras` API, here
#' seqcore's, imported on first use.
#' @format A Python module (reticulate).
#' @export
keras <- NULL

.onLoad <- function(libname, pkgname) {
  # Use the environment install_seqcore() made unless the user chose a Python.
  if (!nzchar(Sys.getenv("RETICULATE_PYTHON"))) {
    python <- seqcore_venv_python(seqcore_venv_path())
    if (file.exists(python))
      reticulate::use_python(python, required = FALSE)
  }
  keras <<- reticulate::import("seqcore", delay_load = TRUE)
}

# The seqcore Python module (results converted to R), imported once.
py_seqcore <- function() {
  if (is.null(.globals$seqcore)) {
    if (!reticulate::py_module_available("seqcore"))
      stop("The seqcore Python package is not available in the Python that R ",
           "uses (", python_description(), "). Run seqcore::install_seqcore() ",
           "(or point RETICULATE_PYTHON at a Python that has seqcore, numpy ",
           "< 2 and h5py) and restart R.", call. = FALSE)
    check_numpy_version()
    .globals$seqcore <- reticulate::import("seqcore", convert = TRUE)
    .globals$numpy <- reticulate::import("numpy", convert = FALSE)
    quiet_r_conventions()
  }
  .globals$seqcore
}

# numpy, without conversion of its results (arrays stay Python objects).
py_numpy <- function() {
  py_seqcore()
  .globals$numpy
}

python_description <- function() {
  config <- tryCatch(reticulate::py_discover_config(), error = function(e) NULL)
  if (is.null(config)) "no Python found" else config$python
}

# reticulate before 1.36 cannot read arrays of NumPy 2 ("incompatible NumPy
# binary version"): say so plainly instead.
check_numpy_version <- function() {
  if (utils::packageVersion("reticulate") >= "1.36") return(invisible())
  numpy <- reticulate::import("numpy", convert = TRUE)
  major <- as.integer(strsplit(numpy$`__version__`, ".", fixed = TRUE)[[1]][1])
  if (major >= 2)
    stop("reticulate ", utils::packageVersion("reticulate"), " cannot read ",
         "arrays of NumPy ", numpy$`__version__`, " (in ", python_description(),
         "); seqcore needs numpy < 2 there. Run seqcore::install_seqcore(), ",
         "which makes an environment with numpy < 2.", call. = FALSE)
  invisible()
}

# Arguments that are ordinary in the R keras API (input_shape= on a layer,
# the optimizers' legacy decay=) make Python warnings aimed at Python users.
quiet_r_conventions <- function() {
  warnings <- reticulate::import("warnings", convert = FALSE)
  warnings$filterwarnings("ignore", message = "Do not pass an `input_shape`")
  warnings$filterwarnings("ignore", message = "The `decay` argument is Keras 2")
  invisible()
}

#' Is the seqcore Python package available?
#'
#' @return `TRUE` when the Python that reticulate uses can import seqcore.
#' @export
is_seqcore_available <- function() {
  reticulate::py_module_available("seqcore")
}
