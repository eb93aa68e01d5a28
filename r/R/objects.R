# Wrappers for seqcore classes other than layers (optimizers, callbacks,
# schedules, applications): the same conventions as the layer functions.

# The attribute `name` of the seqcore submodule `module` ("optimizers",
# "callbacks", ...), or a clear error when this seqcore lacks it.
seqcore_attr <- function(module, name) {
  object <- py_seqcore()
  for (part in strsplit(module, ".", fixed = TRUE)[[1]]) {
    if (!reticulate::py_has_attr(object, part))
      stop("seqcore has no module seqcore.", module, " in this version (",
           py_seqcore()$`__version__`, "), so ", name, " is not available",
           call. = FALSE)
    object <- object[[part]]
  }
  if (!reticulate::py_has_attr(object, name))
    stop("seqcore.", module, " has no ", name, " in this version of seqcore (",
         py_seqcore()$`__version__`, ")", call. = FALSE)
  object[[name]]
}

# An R function creating seqcore.<module>.<class_name>, with R keras's
# positional arguments first and `...` for the others (by name).
object_wrapper <- function(module, class_name, positional = character(),
                           rename = character()) {
  formals_list <- c(stats::setNames(rep(list(NULL), length(positional)),
                                    positional),
                    alist(... = ))
  body <- bquote({
    args <- c(mget(.(positional)), list(...))
    do.call(seqcore_attr(.(module), .(class_name)),
            as_py_args(args, rename = .(rename)))
  })
  f <- function() NULL
  formals(f) <- formals_list
  body(f) <- body
  environment(f) <- topenv()
  attr(f, "seqcore_class") <- paste0(module, ".", class_name)
  f
}

# An R function named `name` wrapped as a Python callable with __name__ set
# (losses and metrics are named after their function).
py_named_function <- function(fn, name) {
  if (is.null(.globals$named_function)) {
    main <- reticulate::py_run_string(paste(
      "def _seqcore_r_named(fn, name):",
      "    def call(*args, **kwargs):",
      "        return fn(*args, **kwargs)",
      "    call.__name__ = call.__qualname__ = name",
      "    return call", sep = "\n"), local = TRUE, convert = FALSE)
    .globals$named_function <- main[["_seqcore_r_named"]]
  }
  py_seqcore()
  .globals$named_function(reticulate::r_to_py(fn, convert = TRUE), name)
}
