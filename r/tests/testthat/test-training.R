# compile(), fit() options, callbacks and the history object.

small_model <- function(units_out = 1, activation = "sigmoid") {
  keras_model_sequential(input_shape = c(5)) %>%
    layer_dense(4, activation = "relu") %>%
    layer_dense(units_out, activation = activation)
}

test_that("fit's history prints the last epoch, and converts to a data frame", {
  model <- small_model() %>%
    compile(optimizer = "adam", loss = "binary_crossentropy",
            metrics = "accuracy")
  x <- random_matrix(40, 5)
  y <- matrix(round(runif(40)), ncol = 1)
  history <- model %>% fit(x, y, epochs = 3, batch_size = 8, verbose = 0,
                           validation_split = 0.25)
  printed <- capture.output(print(history))
  expect_match(printed[2], "Final epoch")
  expect_true(any(grepl(sprintf("loss: %s", signif(
    history$metrics$loss[3], 4)), printed, fixed = TRUE)))
  df <- as.data.frame(history)
  expect_equal(names(df), c("epoch", "value", "metric", "data"))
  expect_equal(nrow(df), 3 * 4)
  expect_equal(df$epoch[df$metric == "accuracy" & df$data == "training"], 1:3)
  pdf(NULL)
  on.exit(dev.off())
  expect_silent(plot(history, method = "base"))
  plotted <- plot(history, method = "base", metrics = "loss")
  expect_equal(levels(droplevels(plotted$metric)), "loss")
})

test_that("fit defaults to R keras's 10 epochs", {
  model <- small_model() %>% compile(optimizer = "sgd", loss = "mse")
  history <- model %>% fit(random_matrix(8, 5), random_matrix(8, 1),
                           verbose = 0)
  expect_equal(history$params$epochs, 10L)
  expect_length(history$metrics$loss, 10)
})

test_that("class_weight scales each class's loss", {
  x <- random_matrix(32, 5)
  y <- matrix(rep(c(0, 1), 16), ncol = 1)
  model <- small_model() %>% compile(optimizer = "sgd",
                                     loss = "binary_crossentropy")
  weights <- get_weights(model)
  plain <- model %>% evaluate(x, y, verbose = 0)
  # one step with class 1 weighted 0: the update is the class-0 samples' only
  set_weights(model, weights)
  train_on_batch(model, x, y, class_weight = list("0" = 1, "1" = 0))
  only_zero <- get_weights(model)
  set_weights(model, weights)
  train_on_batch(model, x[y == 0, , drop = FALSE], y[y == 0, , drop = FALSE])
  half_batch <- get_weights(model)
  # the class-0 gradient is summed over 16 samples but divided by 32
  expect_false(isTRUE(all.equal(only_zero, weights)))
  delta_weighted <- only_zero[[4]] - weights[[4]]
  delta_half <- half_batch[[4]] - weights[[4]]
  expect_equal(delta_weighted, delta_half / 2, tolerance = 1e-4)
  expect_error(fit(model, x, y, class_weight = list(a = 1), verbose = 0),
               "class indices")
})

test_that("callbacks: early stopping, an R lambda, a CSV log, an R schedule", {
  model <- small_model() %>% compile(optimizer = optimizer_sgd(0.1),
                                     loss = "mse")
  seen <- integer()
  rates <- numeric()
  log_file <- tempfile(fileext = ".csv")
  history <- model %>% fit(
    random_matrix(16, 5), random_matrix(16, 1), epochs = 4, verbose = 0,
    callbacks = list(
      callback_lambda(on_epoch_end = function(epoch, logs) {
        seen <<- c(seen, epoch)
      }),
      callback_csv_logger(log_file),
      callback_learning_rate_scheduler(function(epoch, lr) {
        rates <<- c(rates, lr)
        0.1 / (epoch + 1)
      })))
  expect_equal(seen, 0:3)
  expect_equal(rates[1], 0.1, tolerance = 1e-6)
  expect_equal(model$optimizer$learning_rate, 0.025, tolerance = 1e-6)
  logged <- read.csv(log_file)
  expect_equal(logged$epoch, 0:3)
  expect_equal(logged$loss, history$metrics$loss, tolerance = 1e-5)

  model <- small_model() %>% compile(optimizer = optimizer_sgd(0), loss = "mse")
  history <- model %>% fit(
    random_matrix(16, 5), random_matrix(16, 1), epochs = 20, verbose = 0,
    shuffle = FALSE,
    callbacks = list(callback_early_stopping(monitor = "loss", patience = 1)))
  # a learning rate of 0 never improves the loss: stop after 2 epochs
  expect_length(history$metrics$loss, 2)
})

test_that("a custom loss written in R trains", {
  mse_r <- function(y_true, y_pred) k_mean(k_square(y_pred - y_true), axis = -1)
  model <- small_model(1, "linear") %>%
    compile(optimizer = optimizer_sgd(0.05), loss = mse_r)
  x <- random_matrix(32, 5)
  y <- x %*% c(1, -1, 0.5, 0, 2)
  history <- model %>% fit(x, y, epochs = 8, batch_size = 32, verbose = 0)
  expect_lt(history$metrics$loss[8], history$metrics$loss[1])
  builtin <- model %>% compile(optimizer = optimizer_sgd(0.05), loss = "mse")
  expect_equal(evaluate(model, x, y, verbose = 0)[["loss"]],
               mean((predict(model, x, verbose = 0) - y)^2), tolerance = 1e-5)
})

test_that("R operators in a custom loss give the built-in loss's gradient", {
  # While fit trains, y_pred is traced: ^, -, *, abs() and mean() on it are
  # seqcore ops, so the weights follow the built-in loss's exactly.
  x <- random_matrix(16, 5)
  y <- x %*% c(1, -1, 0.5, 0, 2)
  start <- get_weights(small_model(1, "linear"))
  train <- function(loss) {
    model <- small_model(1, "linear") %>% set_weights(start) %>%
      compile(optimizer = optimizer_sgd(0.05), loss = loss)
    fit(model, x, y, epochs = 3, batch_size = 8, shuffle = FALSE, verbose = 0)
    get_weights(model)
  }
  squared <- function(y_true, y_pred) k_mean((y_pred - y_true)^2, axis = -1)
  absolute <- function(y_true, y_pred) mean(abs(-y_true + y_pred * 1))
  for (case in list(list(squared, "mse"), list(absolute, "mae"))) {
    expected <- train(case[[2]])
    received <- train(case[[1]])
    for (i in seq_along(expected))
      expect_equal(received[[i]], expected[[i]], tolerance = 1e-6)
  }
  expect_error(train(function(y_true, y_pred) sum(y_pred, y_true)),
               "takes one argument")
})

test_that("validation_data must be a list of two or three", {
  model <- small_model() %>% compile(optimizer = "sgd", loss = "mse")
  expect_error(fit(model, random_matrix(4, 5), random_matrix(4, 1),
                   validation_data = random_matrix(4, 5), verbose = 0),
               "validation_data must be list")
})

test_that("train_on_batch, test_on_batch and predict_on_batch", {
  model <- small_model() %>% compile(optimizer = "sgd", loss = "mse",
                                     metrics = "mae")
  x <- random_matrix(6, 5)
  y <- random_matrix(6, 1)
  out <- train_on_batch(model, x, y)
  expect_equal(names(out), c("loss", "mae"))
  tested <- test_on_batch(model, x, y)
  p <- predict_on_batch(model, x)
  expect_equal(dim(p), c(6L, 1L))
  expect_equal(tested[["loss"]], mean((p - y)^2), tolerance = 1e-5)
  expect_equal(tested[["mae"]], mean(abs(p - y)), tolerance = 1e-5)
})

test_that("callback_model_checkpoint writes the model; reduce_lr_on_plateau lowers the rate", {
  # frozen weights: the loss stays the same, a plateau from the first epoch
  model <- small_model()
  freeze_weights(model)
  model %>% compile(optimizer = optimizer_sgd(0.4), loss = "mse")
  path <- tempfile(fileext = ".keras")
  model %>% fit(random_matrix(16, 5), random_matrix(16, 1), epochs = 3,
                verbose = 0, shuffle = FALSE, batch_size = 16,
                callbacks = list(
                  callback_model_checkpoint(path, monitor = "loss"),
                  callback_reduce_lr_on_plateau(monitor = "loss", factor = 0.5,
                                                patience = 1)))
  expect_true(file.exists(path))
  expect_equal(load_model(path)$count_params(), model$count_params())
  # halved after the second and the third epoch
  expect_equal(model$optimizer$learning_rate, 0.1, tolerance = 1e-6)
})

test_that("plot(history) draws with ggplot2 when it is installed", {
  skip_if_not_installed("ggplot2")
  model <- small_model() %>% compile(optimizer = "sgd", loss = "mse",
                                     metrics = "mae")
  history <- model %>% fit(random_matrix(20, 5), random_matrix(20, 1),
                           epochs = 3, verbose = 0, validation_split = 0.2)
  p <- plot(history)
  expect_s3_class(p, "ggplot")
  expect_equal(sort(unique(as.character(p$data$metric))), c("loss", "mae"))
  expect_equal(nrow(p$data), 12)
  pdf(NULL)
  on.exit(dev.off())
  expect_silent(print(p))
})
