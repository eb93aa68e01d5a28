# Models: creation, composition with the pipe, inspection and editing.

#' Create a Sequential model
#'
#' @param layers Layers to add, in order (a list), or `NULL`.
#' @param name Name of the model.
#' @param input_shape Shape of one sample (no batch dimension), e.g. `c(784)`;
#'   with it the model is built at once and has weights and a summary.
#' @param input_batch_size A fixed batch size to go with `input_shape`.
#' @param input_batch_shape The full input shape, batch first (instead of
#'   `input_shape`).
#' @param input_dtype,input_name dtype and name of the Input.
#' @param trainable Whether the model's weights are trainable.
#' @param ... Passed on to the Python `Sequential` constructor.
#' @return A Sequential model (modified in place by the `layer_*()` functions).
#' @export
keras_model_sequential <- function(layers = NULL, name = NULL,
                                   input_shape = NULL, input_batch_size = NULL,
                                   input_batch_shape = NULL, input_dtype = NULL,
                                   input_name = NULL, trainable = TRUE, ...) {
  sc <- py_seqcore()
  model <- do.call(sc$Sequential, as_py_args(list(name = name,
                                                  trainable = trainable, ...)))
  if (!is.null(input_shape) || !is.null(input_batch_shape)) {
    input <- do.call(sc$Input, as_py_args(list(
      shape = input_shape, batch_size = input_batch_size,
      batch_shape = input_batch_shape, dtype = input_dtype,
      name = input_name)))
    model$add(input)
  }
  for (layer in layers) model$add(layer)
  model
}

#' Create a model from inputs and outputs (the functional API)
#'
#' @param inputs An input tensor from [layer_input()] or a model's `$inputs`,
#'   or a list of them.
#' @param outputs The output tensor(s), a tensor or a list of tensors.
#' @param name Name of the model.
#' @param ... Passed on to the Python `Model` constructor.
#' @return A model.
#' @export
keras_model <- function(inputs, outputs = NULL, name = NULL, ...) {
  do.call(py_seqcore()$Model,
          as_py_args(list(inputs = inputs, outputs = outputs, name = name, ...)))
}

#' An input tensor for the functional API
#'
#' @param shape Shape of one sample (no batch dimension); `NA` or `NULL`
#'   entries are unknown.
#' @param batch_size A fixed batch size.
#' @param dtype,sparse,batch_shape,name,tensor,optional As in `keras.Input`.
#' @param ... Other arguments of `keras.Input`.
#' @return A symbolic tensor. `keras_input()` is R keras 3's name.
#' @export
layer_input <- function(shape = NULL, batch_size = NULL, dtype = NULL,
                        sparse = NULL, batch_shape = NULL, name = NULL,
                        tensor = NULL, optional = NULL, ...) {
  do.call(py_seqcore()$Input, as_py_args(list(
    shape = shape, batch_size = batch_size, dtype = dtype, sparse = sparse,
    batch_shape = batch_shape, name = name, tensor = tensor,
    optional = optional, ...)))
}

#' @rdname layer_input
#' @export
keras_input <- function(shape = NULL, batch_size = NULL, dtype = NULL,
                        sparse = NULL, batch_shape = NULL, name = NULL,
                        tensor = NULL, optional = NULL, ...) {
  layer_input(shape = shape, batch_size = batch_size, dtype = dtype,
              sparse = sparse, batch_shape = batch_shape, name = name,
              tensor = tensor, optional = optional, ...)
}

# Apply `layer` to `object`: add it to a Sequential model (returning the
# model), call it on a tensor or a list of tensors (returning the output), or
# call it on R arrays (returning R arrays).
compose_layer <- function(object, layer, ...) {
  if (is.null(object))
    stop("Nothing to apply the layer to (received NULL)", call. = FALSE)
  if (inherits(object, "seqcore.engine.sequential.Sequential")) {
    if (length(list(...)))
      warning("arguments after a Sequential model are ignored", call. = FALSE)
    object$add(layer)
    return(invisible(object))
  }
  if (!inherits(object, "python.builtin.object")) {
    if (is.list(object))
      object <- lapply(object, function(x)
        if (inherits(x, "python.builtin.object")) x else as_py_array(x))
    else
      object <- as_py_array(object)
  }
  args <- list(...)
  if ("training" %in% names(args)) args$training <- isTRUE(args$training)
  as_r_value(do.call(reticulate::py_call, c(list(layer, object), args)))
}

# Layers and models from Python become R functions composing with `object`.
#' @importFrom reticulate py_to_r_wrapper
#' @method py_to_r_wrapper seqcore.engine.layer.Layer
#' @export
py_to_r_wrapper.seqcore.engine.layer.Layer <- function(x) {
  force(x)
  function(object, ...) compose_layer(object = object, layer = x, ...)
}

#' Remove the last layer of a Sequential model
#'
#' @param object A Sequential model.
#' @return The model, invisibly.
#' @export
pop_layer <- function(object) {
  object$pop()
  invisible(object)
}

#' A layer of a model, by name or 1-based index
#'
#' @param object A model.
#' @param name The layer's name.
#' @param index The layer's position in `object$layers`, from 1 (negative
#'   values count from the end: -1 is the last layer).
#' @return The layer.
#' @export
get_layer <- function(object, name = NULL, index = NULL) {
  if (!is.null(index)) {
    index <- resolve_layer_index(object, index)
    return(object$get_layer(index = index - 1L))
  }
  object$get_layer(name = name)
}

# A 1-based index (negative from the end) checked against the model's layers.
resolve_layer_index <- function(object, index) {
  n <- length(object$layers)
  if (length(index) != 1 || is.na(index) || index != round(index) ||
      index == 0 || abs(index) > n)
    stop("index must be a 1-based layer position between 1 and ", n,
         " (or -1 to -", n, " from the end); received ",
         paste(format(index), collapse = ", "), call. = FALSE)
  index <- as.integer(index)
  if (index < 0L) n + index + 1L else index
}

#' Freeze and unfreeze weights
#'
#' `freeze_weights(model)` makes the whole model non-trainable;
#' with `from`/`to` (layer names, layers, or 1-based indices, negative from
#' the end) only the layers in that range are frozen and the others made
#' trainable. `unfreeze_weights()` is the reverse.
#'
#' @param object A model.
#' @param from,to First and last layer of the range (inclusive).
#' @return The model, invisibly.
#' @export
freeze_weights <- function(object, from = NULL, to = NULL) {
  set_trainable_range(object, from, to, FALSE)
}

#' @rdname freeze_weights
#' @export
unfreeze_weights <- function(object, from = NULL, to = NULL) {
  set_trainable_range(object, from, to, TRUE)
}

set_trainable_range <- function(object, from, to, trainable) {
  if (is.null(from) && is.null(to)) {
    object$trainable <- trainable
    return(invisible(object))
  }
  object$trainable <- TRUE
  layers <- object$layers
  first <- if (is.null(from)) 1L else layer_position(object, layers, from)
  last <- if (is.null(to)) length(layers) else layer_position(object, layers, to)
  if (first > last)
    stop("`from` (layer ", first, ") comes after `to` (layer ", last, ")",
         call. = FALSE)
  for (i in seq_along(layers))
    layers[[i]]$trainable <- if (i >= first && i <= last) trainable else !trainable
  invisible(object)
}

# The 1-based position of a layer given by name, layer object or index.
layer_position <- function(object, layers, which) {
  if (is.numeric(which)) return(resolve_layer_index(object, which))
  name <- if (inherits(which, "python.builtin.object")) which$name else which
  names <- vapply(layers, function(l) l$name, "")
  position <- match(name, names)
  if (is.na(position))
    stop("No layer named '", name, "'; the layers are: ",
         paste(names, collapse = ", "), call. = FALSE)
  position
}

#' Reset the states of stateful layers
#'
#' @param object A model or a layer; every stateful layer in it is reset.
#' @return The object, invisibly.
#' @export
reset_states <- function(object) {
  if (reticulate::py_has_attr(object, "reset_states")) {
    object$reset_states()
  } else if (reticulate::py_has_attr(object, "layers")) {
    for (layer in object$layers) reset_states(layer)
  }
  invisible(object)
}

#' Weights of a model or layer as R arrays, and setting them
#'
#' @param object A model or layer.
#' @param weights A list of arrays, in the order `get_weights()` returns.
#' @return `get_weights()`: a list of R arrays. `set_weights()`: the object,
#'   invisibly.
#' @export
get_weights <- function(object) {
  object$get_weights()
}

#' @rdname get_weights
#' @export
set_weights <- function(object, weights) {
  object$set_weights(lapply(weights, as_py_array))
  invisible(object)
}

#' Number of parameters of a model or layer
#' @param object A model or layer.
#' @return The number of weights (an integer).
#' @export
count_params <- function(object) {
  object$count_params()
}

#' Summary of a model
#'
#' The layer table with output shapes and parameter counts. An unbuilt
#' model prints `Model: <no summary available, model was not built>`.
#'
#' @param object,x A model.
#' @param line_length,positions,expand_nested,show_trainable As in Keras's
#'   `Model.summary()`.
#' @param ... Unused.
#' @return `summary()`, `print()`: the model, invisibly. `format()`: the text.
#' @export
summary.seqcore.engine.model.Model <- function(object, ...) {
  writeLines(format(object, ...))
  invisible(object)
}

#' @rdname summary.seqcore.engine.model.Model
#' @export
format.seqcore.engine.model.Model <- function(x, line_length = NULL,
                                              positions = NULL,
                                              expand_nested = FALSE,
                                              show_trainable = FALSE, ...) {
  if (!isTRUE(x$built))
    return("Model: <no summary available, model was not built>")
  text <- character()
  x$summary(line_length = as_count(line_length), positions = positions,
            expand_nested = expand_nested, show_trainable = show_trainable,
            print_fn = function(line, ...) text <<- c(text, line))
  paste(text, collapse = "\n")
}

#' @rdname summary.seqcore.engine.model.Model
#' @export
print.seqcore.engine.model.Model <- function(x, ...) {
  writeLines(format(x, ...))
  invisible(x)
}
