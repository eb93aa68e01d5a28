# The R guide with compile, fit and the example models, end to end (smaller
# data and fewer epochs than the guide where it does not change the code).

test_that("MLP for multi-class softmax classification", {
  x_train <- random_matrix(1000, 20)
  y_train <- one_hot_labels(1000, 10)
  x_test <- random_matrix(100, 20)
  y_test <- one_hot_labels(100, 10)
  model <- keras_model_sequential()
  model %>%
    layer_dense(units = 64, activation = "relu", input_shape = c(20)) %>%
    layer_dropout(rate = 0.5) %>%
    layer_dense(units = 64, activation = "relu") %>%
    layer_dropout(rate = 0.5) %>%
    layer_dense(units = 10, activation = "softmax") %>%
    compile(
      loss = "categorical_crossentropy",
      optimizer = optimizer_sgd(lr = 0.01, decay = 1e-6, momentum = 0.9,
                                nesterov = TRUE),
      metrics = c("accuracy"))
  expect_equal(total_params(model), 20 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10)
  history <- model %>% fit(x_train, y_train, epochs = 3, batch_size = 128,
                           verbose = 0)
  expect_s3_class(history, "keras_training_history")
  expect_equal(history$params$epochs, 3L)
  expect_setequal(names(history$metrics), c("loss", "accuracy"))
  expect_length(history$metrics$loss, 3)
  expect_true(all(is.finite(history$metrics$loss)))
  score <- model %>% evaluate(x_test, y_test, batch_size = 128, verbose = 0)
  expect_equal(names(score), c("loss", "accuracy"))
  # the loss is the mean categorical crossentropy of the predictions
  p <- predict(model, x_test, verbose = 0)
  expect_equal(dim(p), c(100L, 10L))
  expect_equal(rowSums(p), rep(1, 100), tolerance = 1e-5)
  expect_equal(score[["loss"]], mean(-rowSums(y_test * log(p))),
               tolerance = 1e-4)
  expect_equal(score[["accuracy"]],
               mean(max.col(p, "first") == max.col(y_test, "first")),
               tolerance = 1e-6)
})

test_that("MLP for binary classification, and the other compile forms", {
  x_train <- random_matrix(1000, 20)
  y_train <- matrix(round(runif(1000, min = 0, max = 1)), nrow = 1000, ncol = 1)
  model <- keras_model_sequential()
  model %>%
    layer_dense(units = 64, activation = "relu", input_shape = c(20)) %>%
    layer_dropout(rate = 0.5) %>%
    layer_dense(units = 64, activation = "relu") %>%
    layer_dropout(rate = 0.5) %>%
    layer_dense(units = 1, activation = "sigmoid") %>%
    compile(loss = "binary_crossentropy", optimizer = "rmsprop",
            metrics = c("accuracy"))
  history <- model %>% fit(x_train, y_train, epochs = 2, batch_size = 128,
                           verbose = 0)
  expect_length(history$metrics$accuracy, 2)
  score <- model %>% evaluate(x_train[1:100, ], y_train[1:100, , drop = FALSE],
                              batch_size = 128, verbose = 0)
  p <- predict(model, x_train[1:100, ], verbose = 0)
  expect_equal(score[["accuracy"]], mean((p > 0.5) == y_train[1:100, ]),
               tolerance = 1e-6)

  model %>% compile(optimizer = optimizer_rmsprop(lr = 0.002), loss = "mse")
  expect_equal(model$optimizer$learning_rate, 0.002, tolerance = 1e-7)
  model %>% compile(optimizer = optimizer_rmsprop(),
                    loss = loss_binary_crossentropy,
                    metrics = metric_binary_accuracy)
  history <- model %>% fit(x_train, y_train, epochs = 1, verbose = 0)
  expect_setequal(names(history$metrics), c("loss", "binary_accuracy"))
})

test_that("a custom metric with k_mean: the mean prediction", {
  metric_mean_pred <- custom_metric("mean_pred", function(y_true, y_pred) {
    k_mean(y_pred)
  })
  model <- keras_model_sequential() %>%
    layer_dense(units = 8, activation = "relu", input_shape = c(10)) %>%
    layer_dense(units = 1, activation = "sigmoid")
  model %>% compile(optimizer = optimizer_rmsprop(),
                    loss = loss_binary_crossentropy,
                    metrics = c("accuracy", metric_mean_pred))
  x <- random_matrix(64, 10)
  y <- matrix(round(runif(64)), ncol = 1)
  history <- model %>% fit(x, y, epochs = 2, batch_size = 64, verbose = 0)
  expect_true("mean_pred" %in% names(history$metrics))
  score <- model %>% evaluate(x, y, batch_size = 64, verbose = 0)
  expect_equal(names(score), c("loss", "accuracy", "mean_pred"))
  expect_equal(score[["mean_pred"]], mean(predict(model, x, verbose = 0)),
               tolerance = 1e-5)
})

test_that("the VGG-like convnet on small random images", {
  x_train <- array(runif(16 * 20 * 20 * 3), dim = c(16, 20, 20, 3))
  y_train <- one_hot_labels(16, 10)
  x_test <- array(runif(4 * 20 * 20 * 3), dim = c(4, 20, 20, 3))
  y_test <- one_hot_labels(4, 10)
  model <- keras_model_sequential()
  model %>%
    layer_conv_2d(filters = 32, kernel_size = c(3, 3), activation = "relu",
                  input_shape = c(20, 20, 3)) %>%
    layer_conv_2d(filters = 32, kernel_size = c(3, 3), activation = "relu") %>%
    layer_max_pooling_2d(pool_size = c(2, 2)) %>%
    layer_dropout(rate = 0.25) %>%
    layer_conv_2d(filters = 64, kernel_size = c(3, 3), activation = "relu") %>%
    layer_conv_2d(filters = 64, kernel_size = c(3, 3), activation = "relu") %>%
    layer_max_pooling_2d(pool_size = c(2, 2)) %>%
    layer_dropout(rate = 0.25) %>%
    layer_flatten() %>%
    layer_dense(units = 256, activation = "relu") %>%
    layer_dropout(rate = 0.25) %>%
    layer_dense(units = 10, activation = "softmax") %>%
    compile(loss = "categorical_crossentropy",
            optimizer = optimizer_sgd(lr = 0.01, decay = 1e-6, momentum = 0.9,
                                      nesterov = TRUE))
  # 20 -> 18 -> 16 -> 8 -> 6 -> 4 -> 2: flatten gives 2 * 2 * 64 = 256
  expect_equal(total_params(model),
               (27 * 32 + 32) + (288 * 32 + 32) + (288 * 64 + 64) +
                 (576 * 64 + 64) + (256 * 256 + 256) + (256 * 10 + 10))
  history <- model %>% fit(x_train, y_train, batch_size = 8, epochs = 2,
                           verbose = 0)
  expect_true(all(is.finite(history$metrics$loss)))
  score <- model %>% evaluate(x_test, y_test, batch_size = 8, verbose = 0)
  expect_equal(names(score), "loss")
})

test_that("sequence classification with Embedding and LSTM", {
  max_features <- 50
  x_train <- matrix(sample(0:(max_features - 1), 32 * 12, replace = TRUE),
                    nrow = 32, ncol = 12)
  y_train <- matrix(round(runif(32)), ncol = 1)
  model <- keras_model_sequential()
  model %>%
    layer_embedding(input_dim = max_features, output_dim = 16) %>%
    layer_lstm(units = 8) %>%
    layer_dropout(rate = 0.5) %>%
    layer_dense(units = 1, activation = "sigmoid") %>%
    compile(loss = "binary_crossentropy", optimizer = "rmsprop",
            metrics = c("accuracy"))
  history <- model %>% fit(x_train, y_train, batch_size = 16, epochs = 2,
                           verbose = 0)
  expect_length(history$metrics$loss, 2)
  expect_equal(count_params(model),
               50 * 16 + (16 * 32 + 8 * 32 + 32) + (8 + 1))
  score <- model %>% evaluate(x_train, y_train, batch_size = 16, verbose = 0)
  expect_equal(names(score), c("loss", "accuracy"))
})

test_that("sequence classification with 1D convolutions", {
  seq_length <- 24
  x_train <- array(runif(16 * seq_length * 10), dim = c(16, seq_length, 10))
  y_train <- matrix(round(runif(16)), ncol = 1)
  model <- keras_model_sequential()
  model %>%
    layer_conv_1d(filters = 8, kernel_size = 3, activation = "relu",
                  input_shape = c(seq_length, 10)) %>%
    layer_conv_1d(filters = 8, kernel_size = 3, activation = "relu") %>%
    layer_max_pooling_1d(pool_size = 3) %>%
    layer_conv_1d(filters = 16, kernel_size = 3, activation = "relu") %>%
    layer_conv_1d(filters = 16, kernel_size = 3, activation = "relu") %>%
    layer_global_average_pooling_1d() %>%
    layer_dropout(rate = 0.5) %>%
    layer_dense(units = 1, activation = "sigmoid") %>%
    compile(loss = "binary_crossentropy", optimizer = "rmsprop",
            metrics = c("accuracy"))
  # 24 -> 22 -> 20 -> 6 -> 4 -> 2
  expect_match(summary_text(model), "(None, 6, 8)", fixed = TRUE)
  expect_equal(total_params(model), (30 * 8 + 8) + (24 * 8 + 8) +
                 (24 * 16 + 16) + (48 * 16 + 16) + 17)
  history <- model %>% fit(x_train, y_train, batch_size = 16, epochs = 2,
                           verbose = 0)
  expect_true(all(is.finite(history$metrics$loss)))
})

test_that("stacked LSTM with validation_data", {
  data_dim <- 16
  timesteps <- 8
  num_classes <- 10
  model <- keras_model_sequential()
  model %>%
    layer_lstm(units = 32, return_sequences = TRUE,
               input_shape = c(timesteps, data_dim)) %>%
    layer_lstm(units = 32, return_sequences = TRUE) %>%
    layer_lstm(units = 32) %>%
    layer_dense(units = 10, activation = "softmax") %>%
    compile(loss = "categorical_crossentropy", optimizer = "rmsprop",
            metrics = c("accuracy"))
  expect_equal(total_params(model),
               4 * 32 * (16 + 32 + 1) + 2 * 4 * 32 * (32 + 32 + 1) + 330)
  x_train <- array(runif(128 * timesteps * data_dim),
                   dim = c(128, timesteps, data_dim))
  y_train <- matrix(runif(128 * num_classes), nrow = 128, ncol = num_classes)
  x_val <- array(runif(32 * timesteps * data_dim),
                 dim = c(32, timesteps, data_dim))
  y_val <- matrix(runif(32 * num_classes), nrow = 32, ncol = num_classes)
  history <- model %>% fit(x_train, y_train, batch_size = 64, epochs = 2,
                           validation_data = list(x_val, y_val), verbose = 0)
  expect_setequal(names(history$metrics),
                  c("loss", "accuracy", "val_loss", "val_accuracy"))
  df <- as.data.frame(history)
  expect_equal(nrow(df), 8)
  expect_equal(levels(df$data), c("training", "validation"))
  expect_equal(df$value[df$metric == "loss" & df$data == "validation"],
               history$metrics$val_loss)
})

test_that("the stateful stacked LSTM with batch_input_shape", {
  data_dim <- 16
  timesteps <- 8
  num_classes <- 10
  batch_size <- 32
  model <- keras_model_sequential()
  model %>%
    layer_lstm(units = 32, return_sequences = TRUE, stateful = TRUE,
               batch_input_shape = c(batch_size, timesteps, data_dim)) %>%
    layer_lstm(units = 32, return_sequences = TRUE, stateful = TRUE) %>%
    layer_lstm(units = 32, stateful = TRUE) %>%
    layer_dense(units = 10, activation = "softmax") %>%
    compile(loss = "categorical_crossentropy", optimizer = "rmsprop",
            metrics = c("accuracy"))
  expect_match(summary_text(model), "(32, 8, 32)", fixed = TRUE)
  x_train <- array(runif((batch_size * 4) * timesteps * data_dim),
                   dim = c(batch_size * 4, timesteps, data_dim))
  y_train <- matrix(runif((batch_size * 4) * num_classes),
                    nrow = batch_size * 4, ncol = num_classes)
  x_val <- array(runif((batch_size * 2) * timesteps * data_dim),
                 dim = c(batch_size * 2, timesteps, data_dim))
  y_val <- matrix(runif((batch_size * 2) * num_classes),
                  nrow = batch_size * 2, ncol = num_classes)
  history <- model %>% fit(x_train, y_train, batch_size = batch_size,
                           epochs = 2, shuffle = FALSE,
                           validation_data = list(x_val, y_val), verbose = 0)
  expect_length(history$metrics$val_loss, 2)
  # the state carries over between calls until reset_states()
  batch <- x_val[1:batch_size, , , drop = FALSE]
  reset_states(model)
  first <- predict(model, batch, batch_size = batch_size, verbose = 0)
  carried <- predict(model, batch, batch_size = batch_size, verbose = 0)
  reset_states(model)
  again <- predict(model, batch, batch_size = batch_size, verbose = 0)
  expect_equal(again, first, tolerance = 1e-6)
  expect_false(isTRUE(all.equal(carried, first, tolerance = 1e-6)))
})
