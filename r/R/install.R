# install_seqcore(): a Python environment for seqcore that reticulate can use.

#' Install seqcore's Python side
#'
#' Creates (or reuses) a Python virtual environment with what seqcore needs
#' (numpy >= 1.23 and < 2, since reticulate before 1.36 cannot read NumPy 2
#' arrays, and h5py) and installs the seqcore Python package into it from a
#' checkout of the seqcore repository. When `RETICULATE_PYTHON` is set, that
#' Python is used as it is (no environment is created) and the packages are
#' installed into it.
#'
#' @param envname Folder of the virtual environment. Default: `SEQCORE_VENV`,
#'   else `r-seqcore` under reticulate's virtualenv root (`~/.virtualenvs`).
#' @param checkout The seqcore repository to install from (the folder holding
#'   `pyproject.toml`). Default: `SEQCORE_CHECKOUT`, else the checkout this R
#'   package was installed from with `R CMD INSTALL r`.
#' @param python The Python used to create the environment (default
#'   `python3` on the PATH).
#' @param editable Install seqcore in editable mode (`pip install -e`).
#' @param quiet Pass `-q` to pip.
#' @return The path of the environment's Python, invisibly.
#' @export
install_seqcore <- function(envname = NULL, checkout = NULL, python = NULL,
                            editable = FALSE, quiet = TRUE) {
  checkout <- seqcore_checkout(checkout)
  target <- install_target(envname)
  if (nzchar(Sys.getenv("RETICULATE_PYTHON"))) {
    message("Installing into RETICULATE_PYTHON: ", target)
  } else {
    envname <- envname %||% seqcore_venv_path()
    if (!file.exists(target)) {
      python <- python %||% Sys.which("python3")
      if (!nzchar(python))
        stop("install_seqcore: no python3 on the PATH; pass python = ",
             "\"/path/to/python3\"", call. = FALSE)
      message("Creating the virtual environment ", envname)
      run_checked(python, c("-m", "venv", shQuote(envname)))
    } else {
      message("Reusing the virtual environment ", envname)
    }
  }
  pip <- c("-m", "pip", "install", if (quiet) "-q")
  run_checked(target, c(pip, shQuote("numpy>=1.23,<2"), shQuote("h5py>=3")))
  run_checked(target, c(pip, if (editable) "-e", shQuote(checkout)))
  if (reticulate::py_available(initialize = FALSE) &&
      normalizePath(reticulate::py_config()$python, mustWork = FALSE) !=
      normalizePath(target, mustWork = FALSE))
    message("R is already using another Python in this session; restart R ",
            "to use ", target)
  message("seqcore is installed for ", target)
  invisible(target)
}

`%||%` <- function(x, y) if (is.null(x)) y else x

# The Python to install into: RETICULATE_PYTHON when set, else the
# environment's (which may not exist yet).
install_target <- function(envname = NULL) {
  chosen <- Sys.getenv("RETICULATE_PYTHON")
  if (nzchar(chosen)) return(chosen)
  seqcore_venv_python(envname %||% seqcore_venv_path())
}

# The default environment folder.
seqcore_venv_path <- function() {
  path <- Sys.getenv("SEQCORE_VENV")
  if (nzchar(path)) return(path)
  root <- Sys.getenv("WORKON_HOME", file.path(path.expand("~"), ".virtualenvs"))
  file.path(root, "r-seqcore")
}

seqcore_venv_python <- function(envname) {
  if (.Platform$OS.type == "windows")
    file.path(envname, "Scripts", "python.exe")
  else
    file.path(envname, "bin", "python")
}

# The repository to install from: the argument, SEQCORE_CHECKOUT, or the one
# recorded by `configure` when the package was installed from a checkout.
seqcore_checkout <- function(checkout = NULL) {
  if (is.null(checkout)) checkout <- Sys.getenv("SEQCORE_CHECKOUT")
  if (!nzchar(checkout)) {
    recorded <- system.file("checkout", package = "seqcore")
    if (nzchar(recorded)) checkout <- readLines(recorded, warn = FALSE)[1]
  }
  if (is.null(checkout) || !nzchar(checkout))
    stop("install_seqcore: which seqcore checkout? Pass checkout = ",
         "\"/path/to/seqcore\" (the folder with pyproject.toml) or set ",
         "SEQCORE_CHECKOUT", call. = FALSE)
  if (!file.exists(file.path(checkout, "pyproject.toml")) ||
      !dir.exists(file.path(checkout, "seqcore")))
    stop("install_seqcore: ", checkout, " is not a seqcore checkout (expected ",
         "pyproject.toml and the seqcore/ folder in it)", call. = FALSE)
  normalizePath(checkout)
}

run_checked <- function(command, args) {
  status <- system2(command, args)
  if (!identical(status, 0L))
    stop("install_seqcore: `", command, " ", paste(args, collapse = " "),
         "` failed with status ", status, call. = FALSE)
  invisible(status)
}
