# Shared by the tests: small random data and summary text.

random_matrix <- function(rows, cols) matrix(runif(rows * cols), rows, cols)

one_hot_labels <- function(n, classes) {
  runif(n, min = 0, max = classes - 1) %>% round() %>%
    matrix(nrow = n, ncol = 1) %>% to_categorical(num_classes = classes)
}

summary_text <- function(model) paste(capture.output(summary(model)),
                                      collapse = "\n")

# The "Total params: N" count of a summary, as a number.
total_params <- function(model) {
  text <- summary_text(model)
  count <- regmatches(text, regexpr("Total params: [0-9,]+", text))
  as.numeric(gsub("[^0-9]", "", count))
}

# The value at a 0-based numpy index of a Python array, read in Python.
py_item <- function(array, ...) {
  index <- do.call(reticulate::tuple, lapply(list(...), as.integer))
  reticulate::py_to_r(array$item(index))
}

# The classes of a seqcore Python module, each with its names there
# (aliases such as AvgPool2D / AveragePooling2D are one class): a named list,
# class name -> names. `base` (a dotted path) keeps only its subclasses.
py_module_classes <- function(module, base = NULL) {
  main <- reticulate::py_run_string(paste(
    "def _seqcore_r_classes(module, base):",
    "    import importlib, inspect",
    "    mod = importlib.import_module(module)",
    "    if base:",
    "        path, _, name = base.rpartition('.')",
    "        base = getattr(importlib.import_module(path), name)",
    "    out = {}",
    "    for n in dir(mod):",
    "        o = getattr(mod, n)",
    "        if n.startswith('_') or not inspect.isclass(o):",
    "            continue",
    "        if base is not None and not issubclass(o, base):",
    "            continue",
    "        out.setdefault(o.__name__, []).append(n)",
    "    return out", sep = "\n"), local = TRUE, convert = TRUE)
  main[["_seqcore_r_classes"]](module, base)
}

# The Python classes the exported R functions of a family create (their
# "seqcore_class" attribute, "losses.Dice" -> "Dice").
r_wrapped_classes <- function(prefix, module) {
  ns <- asNamespace("seqcore")
  names <- grep(paste0("^", prefix), getNamespaceExports(ns), value = TRUE)
  classes <- unlist(lapply(names, function(n)
    attr(get(n, envir = ns), "seqcore_class")))
  sub(paste0("^", module, "\\."), "", classes)
}

# Python classes (by any of their names) that have no R function.
unwrapped_classes <- function(py_classes, wrapped, excluded) {
  missing <- vapply(names(py_classes), function(cls)
    !any(c(cls, unlist(py_classes[[cls]])) %in% c(wrapped, excluded)), TRUE)
  names(py_classes)[missing]
}
