# Metrics: each metric_*() is R keras's metric function (on y_true and
# y_pred) and, without them, the Keras Metric object. custom_metric() names
# an R function for compile().

metric_wrapper <- function(fn_name, class_name) {
  f <- function(y_true, y_pred, ...) {
    if (missing(y_true) && missing(y_pred))
      return(metric_object(fn_name, class_name, list(...)))
    fn <- metric_function(fn_name, class_name)
    do.call(fn, c(list(as_py_array(y_true), as_py_array(y_pred)),
                  as_py_args(list(...))))
  }
  attr(f, "seqcore_name") <- fn_name
  attr(f, "seqcore_class") <- paste0("metrics.", class_name)
  f
}

# The Metric object: seqcore.metrics.<class_name>, or the mean of the metric
# function when seqcore has the function (in metrics or losses) but no class.
metric_object <- function(fn_name, class_name, args) {
  metrics <- py_seqcore()$metrics
  args <- as_py_args(args)
  if (reticulate::py_has_attr(metrics, class_name))
    return(do.call(metrics[[class_name]], args))
  fn <- metric_function(fn_name, class_name)
  if (is.null(args$name)) args$name <- fn_name
  do.call(metrics$MeanMetricWrapper, c(list(fn), args))
}

# The metric function fn(y_true, y_pred): from seqcore.metrics, else
# seqcore.losses (the crossentropies and errors are both), else the class
# called on one batch.
metric_function <- function(fn_name, class_name) {
  sc <- py_seqcore()
  if (!is.na(fn_name)) {
    for (module in list(sc$metrics, sc$losses))
      if (reticulate::py_has_attr(module, fn_name))
        return(module[[fn_name]])
  }
  seqcore_attr("metrics", class_name)()
}

#' Metrics
#'
#' @param y_true,y_pred Targets and predictions (R arrays). When both are
#'   missing, the Keras `Metric` object is returned (for [compile()]).
#' @param ... Options of the metric (`threshold`, `k`, `name`, ...), by name.
#' @return The metric's values (an R array), or a `Metric` object.
#' @name metrics
NULL

#' @rdname metrics
#' @export
metric_accuracy <- metric_wrapper("accuracy", "Accuracy")
#' @rdname metrics
#' @export
metric_binary_accuracy <- metric_wrapper("binary_accuracy", "BinaryAccuracy")
#' @rdname metrics
#' @export
metric_categorical_accuracy <- metric_wrapper("categorical_accuracy",
                                              "CategoricalAccuracy")
#' @rdname metrics
#' @export
metric_sparse_categorical_accuracy <- metric_wrapper(
  "sparse_categorical_accuracy", "SparseCategoricalAccuracy")
#' @rdname metrics
#' @export
metric_top_k_categorical_accuracy <- metric_wrapper(
  "top_k_categorical_accuracy", "TopKCategoricalAccuracy")
#' @rdname metrics
#' @export
metric_sparse_top_k_categorical_accuracy <- metric_wrapper(
  "sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy")
#' @rdname metrics
#' @export
metric_mean_squared_error <- metric_wrapper("mean_squared_error",
                                            "MeanSquaredError")
#' @rdname metrics
#' @export
metric_mean_absolute_error <- metric_wrapper("mean_absolute_error",
                                             "MeanAbsoluteError")
#' @rdname metrics
#' @export
metric_mean_absolute_percentage_error <- metric_wrapper(
  "mean_absolute_percentage_error", "MeanAbsolutePercentageError")
#' @rdname metrics
#' @export
metric_mean_squared_logarithmic_error <- metric_wrapper(
  "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError")
#' @rdname metrics
#' @export
metric_root_mean_squared_error <- metric_wrapper(NA_character_,
                                                 "RootMeanSquaredError")
#' @rdname metrics
#' @export
metric_binary_crossentropy <- metric_wrapper("binary_crossentropy",
                                             "BinaryCrossentropy")
#' @rdname metrics
#' @export
metric_categorical_crossentropy <- metric_wrapper("categorical_crossentropy",
                                                  "CategoricalCrossentropy")
#' @rdname metrics
#' @export
metric_sparse_categorical_crossentropy <- metric_wrapper(
  "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy")
#' @rdname metrics
#' @export
metric_kullback_leibler_divergence <- metric_wrapper("kl_divergence",
                                                     "KLDivergence")
#' @rdname metrics
#' @export
metric_poisson <- metric_wrapper("poisson", "Poisson")
#' @rdname metrics
#' @export
metric_hinge <- metric_wrapper("hinge", "Hinge")
#' @rdname metrics
#' @export
metric_squared_hinge <- metric_wrapper("squared_hinge", "SquaredHinge")
#' @rdname metrics
#' @export
metric_categorical_hinge <- metric_wrapper("categorical_hinge",
                                           "CategoricalHinge")
#' @rdname metrics
#' @export
metric_logcosh_error <- metric_wrapper("log_cosh", "LogCoshError")
#' @rdname metrics
#' @export
metric_cosine_similarity <- metric_wrapper("cosine_similarity",
                                           "CosineSimilarity")
#' @rdname metrics
#' @export
metric_precision <- metric_wrapper(NA_character_, "Precision")
#' @rdname metrics
#' @export
metric_recall <- metric_wrapper(NA_character_, "Recall")
#' @rdname metrics
#' @export
metric_auc <- metric_wrapper(NA_character_, "AUC")
#' @rdname metrics
#' @export
metric_mean <- metric_wrapper(NA_character_, "Mean")
#' @rdname metrics
#' @export
metric_sum <- metric_wrapper(NA_character_, "Sum")

#' @rdname metrics
#' @export
metric_binary_focal_crossentropy <- metric_wrapper(
  "binary_focal_crossentropy", "BinaryFocalCrossentropy")
#' @rdname metrics
#' @export
metric_categorical_focal_crossentropy <- metric_wrapper(
  "categorical_focal_crossentropy", "CategoricalFocalCrossentropy")
#' @rdname metrics
#' @export
metric_huber <- metric_wrapper("huber", "Huber")
#' @rdname metrics
#' @export
metric_log_cosh <- metric_wrapper("log_cosh", "LogCoshError")
#' @rdname metrics
#' @export
metric_log_cosh_error <- metric_wrapper("log_cosh", "LogCoshError")
#' @rdname metrics
#' @export
metric_kl_divergence <- metric_wrapper("kl_divergence", "KLDivergence")
#' @rdname metrics
#' @export
metric_binary_iou <- metric_wrapper(NA_character_, "BinaryIoU")
#' @rdname metrics
#' @export
metric_iou <- metric_wrapper(NA_character_, "IoU")
#' @rdname metrics
#' @export
metric_mean_iou <- metric_wrapper(NA_character_, "MeanIoU")
#' @rdname metrics
#' @export
metric_one_hot_iou <- metric_wrapper(NA_character_, "OneHotIoU")
#' @rdname metrics
#' @export
metric_one_hot_mean_iou <- metric_wrapper(NA_character_, "OneHotMeanIoU")
#' @rdname metrics
#' @export
metric_f1_score <- metric_wrapper(NA_character_, "F1Score")
#' @rdname metrics
#' @export
metric_fbeta_score <- metric_wrapper(NA_character_, "FBetaScore")
#' @rdname metrics
#' @export
metric_false_negatives <- metric_wrapper(NA_character_, "FalseNegatives")
#' @rdname metrics
#' @export
metric_false_positives <- metric_wrapper(NA_character_, "FalsePositives")
#' @rdname metrics
#' @export
metric_true_negatives <- metric_wrapper(NA_character_, "TrueNegatives")
#' @rdname metrics
#' @export
metric_true_positives <- metric_wrapper(NA_character_, "TruePositives")
#' @rdname metrics
#' @export
metric_precision_at_recall <- metric_wrapper(NA_character_, "PrecisionAtRecall")
#' @rdname metrics
#' @export
metric_recall_at_precision <- metric_wrapper(NA_character_, "RecallAtPrecision")
#' @rdname metrics
#' @export
metric_sensitivity_at_specificity <- metric_wrapper(
  NA_character_, "SensitivityAtSpecificity")
#' @rdname metrics
#' @export
metric_specificity_at_sensitivity <- metric_wrapper(
  NA_character_, "SpecificityAtSensitivity")
#' @rdname metrics
#' @export
metric_r2_score <- metric_wrapper(NA_character_, "R2Score")
#' @rdname metrics
#' @export
metric_pearson_correlation <- metric_wrapper(
  "pearson_correlation", "PearsonCorrelation")
#' @rdname metrics
#' @export
metric_concordance_correlation <- metric_wrapper(
  "concordance_correlation", "ConcordanceCorrelation")

#' A metric from an R function
#'
#' @param name The metric's name in the logs and the history.
#' @param metric_fn `function(y_true, y_pred)` returning a value per sample
#'   or one value for the batch; it receives R arrays and may use the `k_*`
#'   functions (`k_mean(y_pred)`).
#' @return A metric for [compile()].
#' @export
custom_metric <- function(name, metric_fn) {
  if (!is.character(name) || length(name) != 1 || !nzchar(name))
    stop("custom_metric: name must be a single non-empty string; received ",
         deparse(name)[1], call. = FALSE)
  if (!is.function(metric_fn))
    stop("custom_metric: metric_fn must be a function(y_true, y_pred); ",
         "received an object of class ", class(metric_fn)[1], call. = FALSE)
  py_named_function(metric_fn, name)
}

# Metrics for compile(): a list of names, Metric objects and named Python
# callables. R keras's metric_* functions give their Metric object; other R
# functions are named after their list name.
as_metric_list <- function(metrics) {
  if (is.null(metrics)) return(NULL)
  if (inherits(metrics, "python.builtin.object") || is.function(metrics))
    metrics <- list(metrics)
  metrics <- as.list(metrics)
  names <- names(metrics)
  out <- lapply(seq_along(metrics), function(i) {
    metric <- metrics[[i]]
    name <- if (!is.null(names) && nzchar(names[i])) names[i] else NULL
    if (inherits(metric, "python.builtin.object") || is.character(metric))
      return(metric)
    if (is.function(metric)) {
      if (!is.null(attr(metric, "seqcore_name")) ||
          !is.null(attr(metric, "seqcore_class")))
        return(if (is.null(name)) metric() else metric(name = name))
      return(py_named_function(metric, name %||% "custom_metric"))
    }
    stop("metrics must be names, metric_* functions or objects, or R ",
         "functions; received an object of class ", class(metric)[1],
         call. = FALSE)
  })
  unname(out)
}

#' A metric that averages a function's values
#'
#' R keras 3's `metric_mean_wrapper()`: Keras's `MeanMetricWrapper`, the
#' mean over every sample of `fn(y_true, y_pred, ...)` (an R function
#' written with `op_*()`, or a Keras function).
#' @param y_true,y_pred Unused here (R keras 3's first arguments, for
#'   calling the metric directly); give `fn`.
#' @param fn The function.
#' @param ... Arguments of `fn`, by name.
#' @param name,dtype The metric's name and dtype.
#' @return A metric.
#' @export
metric_mean_wrapper <- function(y_true, y_pred, fn, ..., name = NULL,
                                dtype = NULL) {
  if (is.function(fn) && !inherits(fn, "python.builtin.object"))
    fn <- py_named_function(fn, name %||% "mean_metric_wrapper")
  metric <- do.call(py_seqcore()$metrics$MeanMetricWrapper,
                    c(list(fn), list(name = name, dtype = dtype),
                      as_py_args(list(...))))
  if (!missing(y_true) && !missing(y_pred)) {
    metric$update_state(as_py_array(y_true), as_py_array(y_pred))
    return(metric$result())
  }
  metric
}
