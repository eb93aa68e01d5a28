# compile(), fit(), evaluate(), predict(): R keras's signatures over
# seqcore's Model methods.

#' Configure a model for training
#'
#' @param object A model.
#' @param optimizer A name (`"rmsprop"`) or an `optimizer_*()` object.
#' @param loss A name (`"categorical_crossentropy"`), a `loss_*` function
#'   (`loss_binary_crossentropy`), a `loss_*()` object, or an R function
#'   `function(y_true, y_pred)` returning one value per sample.
#' @param metrics A character vector or list of names, `metric_*` functions,
#'   `metric_*()` objects and [custom_metric()]s; unnamed R functions in a
#'   named list take the list's names.
#' @param loss_weights,weighted_metrics,run_eagerly,steps_per_execution,jit_compile
#'   As in Keras.
#' @param ... Other arguments of Keras's `Model.compile()`.
#' @return The model, invisibly (so it can be piped on).
#' @export
compile <- function(object, optimizer = NULL, loss = NULL, metrics = NULL,
                    loss_weights = NULL, weighted_metrics = NULL,
                    run_eagerly = NULL, steps_per_execution = NULL,
                    jit_compile = NULL, ...) {
  args <- list(optimizer = optimizer, loss = as_loss_identifier(loss),
               metrics = as_metric_list(metrics), loss_weights = loss_weights,
               weighted_metrics = as_metric_list(weighted_metrics),
               run_eagerly = run_eagerly,
               steps_per_execution = steps_per_execution,
               jit_compile = jit_compile, ...)
  do.call(object$compile, as_py_args(args))
  invisible(object)
}

#' Train a model
#'
#' @param object A compiled model.
#' @param x,y Training data and targets: R matrices/arrays (or lists of them
#'   for several inputs or outputs).
#' @param batch_size Samples per gradient update (default 32).
#' @param epochs Number of epochs (R keras's default: 10).
#' @param verbose 0 (silent), 1 (progress bar), 2 (a line per epoch) or
#'   `"auto"`; default `getOption("keras.fit_verbose", "auto")`.
#' @param callbacks A list of `callback_*()` objects.
#' @param validation_split Fraction of the training data held out for
#'   validation (taken from the end, before shuffling).
#' @param validation_data `list(x_val, y_val)` (or with sample weights third).
#' @param shuffle Shuffle the training data before each epoch.
#' @param class_weight A named list or vector mapping class indices (names
#'   `"0"`, `"1"`, ... or positions from 0) to weights.
#' @param sample_weight A vector of per-sample weights.
#' @param initial_epoch,steps_per_epoch,validation_steps,validation_batch_size,validation_freq
#'   As in Keras.
#' @param view_metrics Accepted for R keras's code; there is no live
#'   viewer (plot the returned history).
#' @param ... Other arguments of Keras's `Model.fit()`.
#' @return A `keras_training_history` (print, plot, as.data.frame),
#'   invisibly.
#' @export
fit <- function(object, x = NULL, y = NULL, batch_size = NULL, epochs = 10,
                verbose = getOption("keras.fit_verbose", default = "auto"),
                callbacks = NULL, validation_split = 0, validation_data = NULL,
                shuffle = TRUE, class_weight = NULL, sample_weight = NULL,
                initial_epoch = 0, steps_per_epoch = NULL,
                validation_steps = NULL, validation_batch_size = NULL,
                validation_freq = 1, view_metrics = FALSE, ...) {
  args <- list(
    x = as_py_data(x), y = as_py_array(y), batch_size = batch_size,
    epochs = epochs, verbose = verbose, callbacks = as_callback_list(callbacks),
    validation_split = validation_split,
    validation_data = as_validation_data(validation_data),
    shuffle = shuffle, class_weight = as_class_weight(class_weight),
    sample_weight = as_py_array(sample_weight), initial_epoch = initial_epoch,
    steps_per_epoch = steps_per_epoch, validation_steps = validation_steps,
    validation_batch_size = validation_batch_size,
    validation_freq = validation_freq, ...)
  history <- do.call(object$fit, as_py_args(args))
  invisible(as_training_history(history))
}

#' Evaluate a model
#'
#' @inheritParams fit
#' @param steps As in Keras.
#' @return A named numeric vector: `loss` and each metric.
#' @export
evaluate <- function(object, x = NULL, y = NULL, batch_size = NULL,
                     verbose = getOption("keras.verbose", default = "auto"),
                     sample_weight = NULL, steps = NULL, callbacks = NULL,
                     ...) {
  args <- list(x = as_py_data(x), y = as_py_array(y),
               batch_size = batch_size, verbose = verbose,
               sample_weight = as_py_array(sample_weight), steps = steps,
               callbacks = as_callback_list(callbacks), return_dict = TRUE,
               ...)
  result <- do.call(object$evaluate, as_py_args(args))
  as_metric_vector(result)
}

# Logs (a named list) as a named numeric vector, loss first.
as_metric_vector <- function(logs) {
  values <- unlist(lapply(logs, function(v) as.numeric(v)[1]))
  values[order(names(values) != "loss")]
}

#' Predictions of a model
#'
#' @param object A model.
#' @param x Input data (an R matrix or array, or a list of them).
#' @param batch_size,verbose,steps,callbacks As in Keras's `Model.predict()`.
#' @param ... Other arguments of `Model.predict()`.
#' @return An R array (a list of them for several outputs).
#' @importFrom stats predict
#' @export
predict.seqcore.engine.model.Model <- function(
    object, x, batch_size = NULL,
    verbose = getOption("keras.verbose", default = "auto"), steps = NULL,
    callbacks = NULL, ...) {
  args <- list(x = as_py_data(x), batch_size = batch_size, verbose = verbose,
               steps = steps, callbacks = as_callback_list(callbacks), ...)
  do.call(object$predict, as_py_args(args))
}

#' Train, test or predict on a single batch
#'
#' @param object A compiled model.
#' @param x,y A batch of inputs and targets.
#' @param sample_weight,class_weight As in [fit()].
#' @return `train_on_batch()`, `test_on_batch()`: the loss and metrics, as in
#'   [evaluate()]; `predict_on_batch()`: an R array.
#' @export
train_on_batch <- function(object, x, y, sample_weight = NULL,
                           class_weight = NULL) {
  result <- object$train_on_batch(
    as_py_array(x), as_py_array(y), sample_weight = as_py_array(sample_weight),
    class_weight = as_class_weight(class_weight), return_dict = TRUE)
  as_metric_vector(result)
}

#' @rdname train_on_batch
#' @export
test_on_batch <- function(object, x, y, sample_weight = NULL) {
  result <- object$test_on_batch(as_py_array(x), as_py_array(y),
                                 sample_weight = as_py_array(sample_weight),
                                 return_dict = TRUE)
  as_metric_vector(result)
}

#' @rdname train_on_batch
#' @export
predict_on_batch <- function(object, x) {
  object$predict_on_batch(as_py_array(x))
}

as_validation_data <- function(data) {
  if (is.null(data) || inherits(data, "python.builtin.object")) return(data)
  if (is.function(data)) return(r_generator(data))
  if (!is.list(data) || !length(data) %in% c(2, 3))
    stop("validation_data must be list(x_val, y_val) or ",
         "list(x_val, y_val, sample_weight_val); received ",
         if (is.list(data)) paste("a list of", length(data)) else
           paste("an object of class", class(data)[1]), call. = FALSE)
  do.call(reticulate::tuple, lapply(data, as_py_array))
}

as_class_weight <- function(class_weight) {
  if (is.null(class_weight) || inherits(class_weight, "python.builtin.object"))
    return(class_weight)
  weights <- as.list(class_weight)
  keys <- names(weights)
  keys <- if (is.null(keys)) seq_along(weights) - 1L else
    suppressWarnings(as.integer(keys))
  if (any(is.na(keys)))
    stop("class_weight names must be class indices (\"0\", \"1\", ...); ",
         "received ", paste(names(weights), collapse = ", "), call. = FALSE)
  reticulate::py_dict(as.list(keys), lapply(weights, as.numeric))
}

as_callback_list <- function(callbacks) {
  if (is.null(callbacks)) return(NULL)
  if (inherits(callbacks, "python.builtin.object") ||
      inherits(callbacks, "KerasCallback")) callbacks <- list(callbacks)
  lapply(unname(as.list(callbacks)), function(callback)
    if (inherits(callback, "KerasCallback")) r6_callback(callback)
    else callback)
}

# x for fit(), evaluate() and predict(): R arrays as as_py_array(), an R
# generator function (R keras's: each call returns list(x, y) or
# list(x, y, sample_weight), or list(x) for predict) as a Python iterator.
as_py_data <- function(x) {
  if (is.function(x) && !inherits(x, "python.builtin.object"))
    return(r_generator(x))
  as_py_array(x)
}

# An R function returning one batch per call as an endless Python
# iterator of (x, y[, sample_weight]) tuples of arrays.
r_generator <- function(fn) {
  force(fn)
  reticulate::py_iterator(function() {
    batch <- fn()
    if (!is.list(batch) || inherits(batch, "python.builtin.object"))
      batch <- list(batch)
    do.call(reticulate::tuple, lapply(batch, function(part)
      if (is.list(part) && !inherits(part, "python.builtin.object"))
        lapply(part, as_py_array) else as_py_array(part)))
  })
}

#' Train, evaluate or predict from an R generator function
#'
#' R keras's `fit_generator()`, `evaluate_generator()` and
#' `predict_generator()`: [fit()], [evaluate()] and [predict()] with `x` an R
#' function that returns one batch per call (`list(x, y)`, optionally with
#' sample weights third; `list(x)` or `x` for prediction).
#'
#' @param object A model.
#' @param generator The R function (or a Python iterator or dataset).
#' @param steps_per_epoch,steps Batches per epoch (per evaluation or
#'   prediction).
#' @param epochs,verbose,callbacks,validation_data,validation_steps,class_weight,initial_epoch
#'   As in [fit()]; `validation_data` may be a generator function too.
#' @param max_queue_size,workers,use_multiprocessing Accepted for R keras's
#'   code; batches are made on the calling thread.
#' @param ... Other arguments of [fit()], [evaluate()] or [predict()].
#' @return As [fit()], [evaluate()] and [predict()].
#' @export
fit_generator <- function(object, generator, steps_per_epoch, epochs = 1,
                          verbose = getOption("keras.fit_verbose",
                                              default = "auto"),
                          callbacks = NULL, view_metrics = FALSE,
                          validation_data = NULL, validation_steps = NULL,
                          class_weight = NULL, max_queue_size = 10,
                          workers = 1, initial_epoch = 0, ...) {
  fit(object, x = generator, steps_per_epoch = steps_per_epoch,
      epochs = epochs, verbose = verbose, callbacks = callbacks,
      validation_data = validation_data, validation_steps = validation_steps,
      class_weight = class_weight, initial_epoch = initial_epoch, ...)
}

#' @rdname fit_generator
#' @export
evaluate_generator <- function(object, generator, steps, max_queue_size = 10,
                               workers = 1, callbacks = NULL, ...) {
  evaluate(object, x = generator, steps = steps, callbacks = callbacks, ...)
}

#' @rdname fit_generator
#' @export
predict_generator <- function(object, generator, steps, max_queue_size = 10,
                              workers = 1, verbose = 0, callbacks = NULL,
                              ...) {
  predict(object, x = generator, steps = steps, verbose = verbose,
          callbacks = callbacks, ...)
}
