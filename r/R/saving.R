# Saving and loading: Keras 3's `.keras` files and `.weights.h5` weights.

#' Save and load models
#'
#' @param model,object A model.
#' @param filepath Path of a `.keras` file (models) or `.weights.h5` file
#'   (weights).
#' @param overwrite Replace an existing file.
#' @param custom_objects A named list of custom classes or functions.
#' @param compile Restore the optimizer, loss and metrics.
#' @param skip_mismatch Skip weights whose shape does not match.
#' @param ... Other arguments of the Python functions.
#' @return `save_*()`: the model, invisibly; `load_model()`: the model.
#' @name saving
NULL

#' @rdname saving
#' @export
save_model <- function(model, filepath, overwrite = TRUE, ...) {
  model$save(path.expand(filepath), overwrite = overwrite, ...)
  invisible(model)
}

#' @rdname saving
#' @export
load_model <- function(filepath, custom_objects = NULL, compile = TRUE, ...) {
  if (!file.exists(filepath))
    stop("load_model: no file at ", filepath, call. = FALSE)
  py_seqcore()$models$load_model(path.expand(filepath),
                                 custom_objects = custom_objects,
                                 compile = compile, ...)
}

#' @rdname saving
#' @export
save_model_weights <- function(object, filepath, overwrite = TRUE, ...) {
  object$save_weights(path.expand(filepath), overwrite = overwrite, ...)
  invisible(object)
}

#' @rdname saving
#' @export
load_model_weights <- function(object, filepath, skip_mismatch = FALSE, ...) {
  if (!file.exists(filepath))
    stop("load_model_weights: no file at ", filepath, call. = FALSE)
  object$load_weights(path.expand(filepath), skip_mismatch = skip_mismatch, ...)
  invisible(object)
}

#' Model and layer configurations, and models as JSON
#'
#' @param object A model or layer.
#' @param config A configuration from `get_config()` (of a model).
#' @param json A JSON string from `model_to_json()`.
#' @param custom_objects A named list of custom classes or functions.
#' @return `get_config()`: a named list; `from_config()`,
#'   `model_from_json()`: a new model (with fresh weights);
#'   `model_to_json()`: a string.
#' @name model_config
NULL

#' @rdname model_config
#' @export
get_config <- function(object) {
  config <- object$get_config()
  attr(config, "config_class") <- class(object)[1]
  config
}

#' @rdname model_config
#' @export
from_config <- function(config, custom_objects = NULL) {
  class_name <- attr(config, "config_class")
  if (is.null(class_name))
    stop("from_config: config has no class; use the result of get_config()",
         call. = FALSE)
  attr(config, "config_class") <- NULL
  module <- sub("\\.[^.]+$", "", class_name)
  cls <- reticulate::import(module)[[sub("^.*\\.", "", class_name)]]
  cls$from_config(config)
}

#' @rdname model_config
#' @export
model_to_json <- function(object) {
  object$to_json()
}

#' @rdname model_config
#' @export
model_from_json <- function(json, custom_objects = NULL) {
  py_seqcore()$models$model_from_json(json, custom_objects = custom_objects)
}

#' Serialization and custom objects
#'
#' `serialize_keras_object()` gives an object's Keras config (a named list),
#' `deserialize_keras_object()` makes the object again;
#' `register_keras_serializable()` registers a class or an R function under
#' `package>name` so that saved models find it; `get_custom_objects()` lists
#' what is registered; `with_custom_object_scope()` evaluates an expression
#' with more custom objects known.
#'
#' @param object,config,objects,expr The object, its config, a named list of
#'   custom objects, an expression.
#' @param name,package The registered name (default: the class's or
#'   function's) and package (default "Custom").
#' @param ... Other arguments of the Keras function, by name.
#' @name serialization
NULL

#' @rdname serialization
#' @export
serialize_keras_object <- function(object) {
  py_seqcore()$saving$serialize_keras_object(object)
}

#' @rdname serialization
#' @export
deserialize_keras_object <- function(config, ...) {
  do.call(py_seqcore()$saving$deserialize_keras_object,
          c(list(config), as_py_args(list(...))))
}

#' @rdname serialization
#' @export
register_keras_serializable <- function(object, name = NULL,
                                        package = "Custom") {
  if (is.function(object) && !inherits(object, "python.builtin.object")) {
    fn_name <- name %||% deparse(substitute(object))
    object <- py_named_function(object, fn_name)
  }
  register <- py_seqcore()$saving$register_keras_serializable(
    package = package, name = name)
  invisible(register(object))
}

#' @rdname serialization
#' @export
get_custom_objects <- function() {
  py_seqcore()$saving$get_custom_objects()
}

#' @rdname serialization
#' @export
with_custom_object_scope <- function(objects, expr) {
  scope <- py_seqcore()$saving$custom_object_scope(objects)
  scope$`__enter__`()
  on.exit(scope$`__exit__`(NULL, NULL, NULL))
  force(expr)
}

#' A model's state as a tree
#'
#' `get_state_tree()` gives every variable of the model (trainable,
#' non-trainable, the optimizer's, the metrics') as nested named lists keyed
#' by the parts of the variable's path; `set_state_tree()` assigns the values
#' of such a tree (or of a part of it).
#'
#' @param object A model.
#' @param value_format `"r_array"` (R arrays, the default), or Keras's
#'   `"numpy_array"` / `"backend_tensor"` (the same here).
#' @param state_tree A tree from `get_state_tree()`.
#' @return The tree (`get_state_tree()`), or `object` invisibly.
#' @export
get_state_tree <- function(object, value_format = "r_array") {
  if (identical(value_format, "r_array")) value_format <- "numpy_array"
  object$get_state_tree(value_format = value_format)
}

#' @rdname get_state_tree
#' @export
set_state_tree <- function(object, state_tree) {
  object$set_state_tree(state_tree)
  invisible(object)
}

#' Save and load models in the legacy HDF5 format, and as R raw vectors
#'
#' R keras's `save_model_hdf5()` / `load_model_hdf5()` (Keras's legacy
#' `.h5` file: architecture, weights and optimizer state),
#' `save_model_weights_hdf5()` / `load_model_weights_hdf5()`, and
#' `serialize_model()` / `unserialize_model()`, which hold a whole model in
#' an R raw vector (the bytes of a `.keras` file), e.g. to keep it in an R
#' object saved with `saveRDS()`.
#'
#' @param object,model A model (a raw vector for `unserialize_model()`).
#' @param filepath The file.
#' @param overwrite Overwrite an existing file.
#' @param include_optimizer Keep the optimizer's state.
#' @param custom_objects,compile As in [load_model()].
#' @param ... Other arguments of the Keras function.
#' @name save_model_hdf5
NULL

#' @rdname save_model_hdf5
#' @export
save_model_hdf5 <- function(object, filepath, overwrite = TRUE,
                            include_optimizer = TRUE) {
  filepath <- path.expand(filepath)
  if (!grepl("\\.(h5|hdf5)$", filepath, ignore.case = TRUE))
    stop("save_model_hdf5(): the file name must end in .h5 or .hdf5; ",
         "received ", filepath, call. = FALSE)
  py_seqcore()$saving$save_model(object, filepath, overwrite = overwrite,
                                 include_optimizer = include_optimizer)
  invisible(object)
}

#' @rdname save_model_hdf5
#' @export
load_model_hdf5 <- function(filepath, custom_objects = NULL, compile = TRUE) {
  load_model(filepath, custom_objects = custom_objects, compile = compile)
}

#' @rdname save_model_hdf5
#' @export
save_model_weights_hdf5 <- function(object, filepath, overwrite = TRUE) {
  filepath <- path.expand(filepath)
  if (grepl("\\.weights\\.h5$", filepath))
    return(save_model_weights(object, filepath, overwrite = overwrite))
  if (file.exists(filepath) && !overwrite)
    stop("save_model_weights_hdf5(): ", filepath, " exists and overwrite ",
         "is FALSE", call. = FALSE)
  # any other name: Keras 2's weights-only .h5, as R keras wrote it
  legacy <- reticulate::import("seqcore.saving.legacy_h5_save")
  legacy$save_legacy_weights(object, filepath)
  invisible(object)
}

#' @rdname save_model_hdf5
#' @export
load_model_weights_hdf5 <- function(object, filepath, ...) {
  load_model_weights(object, filepath, ...)
}

#' @rdname save_model_hdf5
#' @export
serialize_model <- function(model, include_optimizer = TRUE) {
  path <- tempfile(fileext = ".keras")
  on.exit(unlink(path))
  py_seqcore()$saving$save_model(model, path,
                                 include_optimizer = include_optimizer)
  readBin(path, what = "raw", n = file.info(path)$size)
}

#' @rdname save_model_hdf5
#' @export
unserialize_model <- function(model, custom_objects = NULL, compile = TRUE) {
  if (!is.raw(model))
    stop("unserialize_model() expects the raw vector serialize_model() ",
         "made; received an object of class ", class(model)[1], call. = FALSE)
  path <- tempfile(fileext = ".keras")
  on.exit(unlink(path))
  writeBin(model, path)
  load_model(path, custom_objects = custom_objects, compile = compile)
}

#' Save and load a model's configuration
#'
#' `save_model_config()` writes the model's architecture (its config, no
#' weights) as JSON; `load_model_config()` makes a new model from it.
#' @param model A model.
#' @param filepath The JSON file.
#' @param overwrite Overwrite an existing file.
#' @param custom_objects Custom classes and functions by name.
#' @return `model` invisibly, or the new model.
#' @export
save_model_config <- function(model, filepath, overwrite = FALSE) {
  filepath <- path.expand(filepath)
  if (file.exists(filepath) && !overwrite)
    stop("save_model_config(): ", filepath, " exists; use overwrite = TRUE",
         call. = FALSE)
  writeLines(model$to_json(), filepath, useBytes = TRUE)
  invisible(model)
}

#' @rdname save_model_config
#' @export
load_model_config <- function(filepath, custom_objects = NULL) {
  json <- paste(readLines(path.expand(filepath), warn = FALSE),
                collapse = "\n")
  py_seqcore()$models$model_from_json(json, custom_objects = custom_objects)
}

#' @rdname serialization
#' @export
get_registered_name <- function(object) {
  py_seqcore()$saving$get_registered_name(object)
}

#' @rdname serialization
#' @export
get_registered_object <- function(name, custom_objects = NULL,
                                  module_objects = NULL) {
  py_seqcore()$saving$get_registered_object(
    name, custom_objects = custom_objects, module_objects = module_objects)
}
