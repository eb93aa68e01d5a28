# The training history fit() returns: print, plot, as.data.frame.

# An R history from seqcore's History callback: `params` (verbose, epochs,
# steps) and `metrics`, one numeric vector per logged value (NA where a
# validation value was not computed that epoch).
as_training_history <- function(history) {
  epochs <- length(history$epoch)
  metrics <- lapply(history$history, function(values) {
    values <- vapply(values, function(v) as.numeric(v)[1], 0)
    if (length(values) < epochs) c(values, rep(NA_real_, epochs - length(values)))
    else values
  })
  structure(list(params = history$params, metrics = metrics),
            class = "keras_training_history")
}

#' Training history
#'
#' `print()` shows the last epoch's values; `as.data.frame()` gives one row
#' per epoch and metric (columns `epoch`, `value`, `metric`, `data` =
#' `"training"` or `"validation"`); `plot()` draws each metric against the
#' epoch, with ggplot2 when it is installed and base graphics otherwise.
#'
#' @param x A history from [fit()].
#' @param y Unused.
#' @param metrics Which metrics to plot (default all).
#' @param method `"auto"`, `"ggplot2"` or `"base"`.
#' @param smooth Add a smoothed line (ggplot2, at least 10 epochs).
#' @param theme_bw Use ggplot2's black and white theme.
#' @param row.names,optional Unused.
#' @param ... Unused.
#' @name keras_training_history
NULL

#' @rdname keras_training_history
#' @export
print.keras_training_history <- function(x, ...) {
  cat("\nFinal epoch (plot to see history):\n")
  values <- vapply(x$metrics, function(v) {
    v <- v[!is.na(v)]
    if (length(v)) v[length(v)] else NA_real_
  }, 0)
  if (length(values)) {
    labels <- format(names(values), justify = "right")
    cat(paste0(labels, ": ", signif(values, 4), collapse = "\n"), "\n")
  }
  invisible(x)
}

#' @rdname keras_training_history
#' @export
as.data.frame.keras_training_history <- function(x, row.names = NULL,
                                                 optional = FALSE, ...) {
  names <- names(x$metrics)
  epochs <- if (length(names)) length(x$metrics[[1]]) else 0L
  validation <- startsWith(names, "val_")
  base <- sub("^val_", "", names)
  frames <- lapply(seq_along(names), function(i) data.frame(
    epoch = seq_len(epochs), value = x$metrics[[i]], metric = base[i],
    data = if (validation[i]) "validation" else "training",
    stringsAsFactors = FALSE))
  df <- do.call(rbind, c(frames, list(data.frame(
    epoch = integer(), value = numeric(), metric = character(),
    data = character(), stringsAsFactors = FALSE))))
  df$metric <- factor(df$metric, levels = unique(base))
  df$data <- factor(df$data, levels = c("training", "validation"))
  rownames(df) <- NULL
  df
}

#' @rdname keras_training_history
#' @export
plot.keras_training_history <- function(x, y, metrics = NULL,
                                        method = c("auto", "ggplot2", "base"),
                                        smooth = getOption("keras.plot.history.smooth", TRUE),
                                        theme_bw = getOption("keras.plot.history.theme_bw", FALSE),
                                        ...) {
  method <- match.arg(method)
  df <- as.data.frame(x)
  if (!is.null(metrics)) df <- df[df$metric %in% metrics, , drop = FALSE]
  df <- df[!is.na(df$value), , drop = FALSE]
  df$metric <- droplevels(df$metric)
  if (method == "auto")
    method <- if (requireNamespace("ggplot2", quietly = TRUE)) "ggplot2" else "base"
  if (method == "ggplot2") {
    if (!requireNamespace("ggplot2", quietly = TRUE))
      stop("method = \"ggplot2\" needs the ggplot2 package", call. = FALSE)
    return(plot_history_ggplot(df, smooth, theme_bw))
  }
  plot_history_base(df)
}

plot_history_ggplot <- function(df, smooth, theme_bw) {
  .data <- ggplot2::.data
  p <- ggplot2::ggplot(df, ggplot2::aes(x = .data$epoch, y = .data$value,
                                        colour = .data$data, fill = .data$data))
  if (theme_bw) p <- p + ggplot2::theme_bw()
  p <- p + ggplot2::geom_point(shape = 21) +
    ggplot2::facet_grid(metric ~ ., switch = "y", scales = "free_y") +
    ggplot2::labs(x = "epoch", y = NULL, colour = "data", fill = "data")
  if (smooth && length(unique(df$epoch)) >= 10)
    p <- p + ggplot2::geom_smooth(se = FALSE, method = "loess",
                                  formula = y ~ x)
  else
    p <- p + ggplot2::geom_line()
  p
}

plot_history_base <- function(df) {
  metrics <- levels(df$metric)
  if (!length(metrics)) stop("Nothing to plot: the history is empty",
                             call. = FALSE)
  old <- graphics::par(mfrow = c(length(metrics), 1),
                       mar = c(3, 4, 1, 1) + 0.1, mgp = c(2, 0.6, 0))
  on.exit(graphics::par(old))
  colours <- c(training = "#1b6ca8", validation = "#d1495b")
  for (metric in metrics) {
    rows <- df[df$metric == metric, , drop = FALSE]
    graphics::plot(rows$epoch, rows$value, type = "n", xlab = "epoch",
                   ylab = metric)
    for (kind in intersect(names(colours), as.character(unique(rows$data)))) {
      part <- rows[rows$data == kind, , drop = FALSE]
      graphics::lines(part$epoch, part$value, col = colours[[kind]])
      graphics::points(part$epoch, part$value, col = colours[[kind]], pch = 19,
                       cex = 0.7)
    }
    present <- intersect(names(colours), as.character(unique(rows$data)))
    graphics::legend("topright", legend = present, col = colours[present],
                     lty = 1, pch = 19, bty = "n", cex = 0.8)
  }
  invisible(df)
}
