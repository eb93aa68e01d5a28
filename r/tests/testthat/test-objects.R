# Optimizers, losses, metrics and the layer table.

test_that("optimizers take Keras's arguments and the guides' lr=", {
  sgd <- optimizer_sgd(lr = 0.01, decay = 1e-6, momentum = 0.9, nesterov = TRUE)
  expect_equal(sgd$learning_rate, 0.01, tolerance = 1e-7)
  expect_equal(sgd$momentum, 0.9, tolerance = 1e-7)
  expect_true(sgd$nesterov)
  expect_equal(sgd$decay, 1e-6)
  expect_equal(optimizer_adam(learning_rate = 0.005)$learning_rate, 0.005,
               tolerance = 1e-7)
  expect_equal(optimizer_rmsprop()$learning_rate, 0.001, tolerance = 1e-7)
  expect_error(optimizer_sgd(bogus = 1), "bogus")
  schedule <- learning_rate_schedule_inverse_time_decay(0.1, 1, 0.5)
  expect_equal(schedule(2), 0.1 / (1 + 0.5 * 2), tolerance = 1e-6)
  poly <- learning_rate_schedule_polynomial_decay(0.1, 10,
                                                  end_learning_rate = 0.01,
                                                  power = 2)
  expect_equal(poly(4), (0.1 - 0.01) * (1 - 4 / 10)^2 + 0.01, tolerance = 1e-6)
  restarts <- learning_rate_schedule_cosine_decay_restarts(0.1, 4)
  expect_equal(restarts(2), 0.1 * 0.5 * (1 + cos(pi * 2 / 4)),
               tolerance = 1e-6)
})

test_that("the orthogonal regularizer penalizes correlated rows", {
  reg <- regularizer_orthogonal(factor = 0.5, mode = "rows")
  w <- matrix(c(1, 0, 1, 1), nrow = 2, byrow = TRUE)   # rows (1, 0), (1, 1)
  # mean |cos| of the off-diagonal pairs of row-normalized w, times factor
  expect_equal(as.numeric(reg(w)), 0.5 * (1 / sqrt(2)), tolerance = 1e-5)
  expect_equal(reg$get_config()$mode, "rows")
})

test_that("losses: functions on R arrays and objects for compile", {
  y_true <- matrix(c(1, 0, 1, 0), nrow = 2)
  y_pred <- matrix(c(0.9, 0.2, 0.6, 0.3), nrow = 2)
  expected <- rowMeans(-(y_true * log(y_pred) + (1 - y_true) * log(1 - y_pred)))
  expect_equal(as.vector(loss_binary_crossentropy(y_true, y_pred)), expected,
               tolerance = 1e-5)
  expect_equal(as.vector(loss_mean_squared_error(y_true, y_pred)),
               rowMeans((y_true - y_pred)^2), tolerance = 1e-6)
  loss <- loss_binary_crossentropy(from_logits = TRUE)
  expect_equal(loss$get_config()$from_logits, TRUE)
  expect_equal(attr(loss_binary_crossentropy, "seqcore_name"),
               "binary_crossentropy")
  focal <- loss_binary_focal_crossentropy(gamma = 3)
  expect_equal(focal$get_config()$gamma, 3)
})

test_that("metrics: functions, objects, and those seqcore has only as losses", {
  y_true <- matrix(c(1, 0, 1, 0), ncol = 1)
  y_pred <- matrix(c(0.8, 0.6, 0.4, 0.1), ncol = 1)
  expect_equal(as.vector(metric_binary_accuracy(y_true, y_pred)),
               c(1, 0, 0, 1))
  expect_equal(metric_binary_accuracy(threshold = 0.3)$name, "binary_accuracy")
  bce <- metric_binary_crossentropy()
  expect_equal(bce$name, "binary_crossentropy")
  model <- keras_model_sequential(input_shape = c(3)) %>%
    layer_dense(1, activation = "sigmoid") %>%
    compile(optimizer = "sgd", loss = "binary_crossentropy",
            metrics = list(metric_binary_crossentropy, metric_auc(),
                           metric_precision()))
  x <- random_matrix(10, 3)
  y <- matrix(round(runif(10)), ncol = 1)
  score <- evaluate(model, x, y, verbose = 0)
  expect_equal(score[["binary_crossentropy"]], score[["loss"]],
               tolerance = 1e-5)
})

test_that("R functions in a named metrics list take the list's names", {
  model <- keras_model_sequential(input_shape = c(3)) %>%
    layer_dense(2) %>%
    compile(optimizer = "sgd", loss = "mse",
            metrics = list(max_pred = function(y_true, y_pred) k_max(y_pred)))
  x <- random_matrix(8, 3)
  score <- evaluate(model, x, random_matrix(8, 2), batch_size = 8, verbose = 0)
  expect_equal(score[["max_pred"]], max(predict(model, x, verbose = 0)),
               tolerance = 1e-6)
  expect_error(custom_metric(c("a", "b"), identity), "single non-empty string")
  expect_error(custom_metric("a", 3), "must be a function")
})

test_that("every layer function names a layer; those seqcore has create it", {
  table <- seqcore_layer_functions()
  expect_true(all(c("layer_dense", "layer_conv_2d", "layer_lstm",
                    "layer_embedding", "layer_batch_normalization",
                    "layer_global_average_pooling_1d") %in%
                    table$r_function[table$available]))
  for (i in which(table$available)) {
    f <- get(table$r_function[i])
    expect_true(is.function(f))
  }
  expect_equal(table$python_class[table$r_function == "layer_max_pooling_2d"],
               "MaxPooling2D")
  simple <- list(layer_flatten(), layer_batch_normalization(),
                 layer_layer_normalization(), layer_identity(),
                 layer_global_max_pooling_1d(), layer_activation(activation = "tanh"),
                 layer_repeat_vector(n = 3), layer_permute(dims = c(2, 1)),
                 layer_reshape(target_shape = c(2, 3)), layer_gru(units = 2),
                 layer_simple_rnn(units = 2), layer_average_pooling_1d(pool_size = 2))
  classes <- vapply(simple, function(l) class(l)[1], "")
  expect_true(all(grepl("^seqcore\\.layers\\.", classes)))
  expect_identical(layer_repeat_vector(n = 3)$n, 3L)
  expect_identical(layer_permute(dims = c(2, 1))$dims, list(2L, 1L))
})

test_that("a missing Python class gives a clear R error", {
  table <- seqcore_layer_functions()
  missing <- table$r_function[!table$available]
  if (length(missing)) {
    f <- get(missing[1])
    expect_error(f(), "seqcore.layers has no")
  }
  expect_error(application_xception(), "xception_weights_tf_dim_ordering")
})

test_that("regularizers, initializers and activations as layer arguments", {
  layer <- layer_dense(units = 3, kernel_initializer = initializer_ones(),
                       bias_initializer = initializer_constant(0.5),
                       activation = activation_relu,
                       kernel_regularizer = regularizer_l2(0.1))
  model <- keras_model_sequential(input_shape = c(2)) %>% layer()
  weights <- get_weights(model)
  expect_equal(weights[[1]], matrix(1, 2, 3))
  expect_equal(as.vector(weights[[2]]), rep(0.5, 3))
  expect_equal(layer$get_config()$activation, "relu")
  x <- matrix(c(-2, 1, -1, 0.5), nrow = 2)
  expect_equal(model(x), pmax(x %*% matrix(1, 2, 3) + 0.5, 0))
  # the L2 penalty, 0.1 * sum(kernel^2) = 0.6, is added to the loss
  model %>% compile(optimizer = "sgd", loss = "mse")
  y <- matrix(0, 2, 3)
  score <- evaluate(model, x, y, verbose = 0)
  expect_equal(score[["loss"]], mean(model(x)^2) + 0.6, tolerance = 1e-5)
  expect_equal(as.vector(activation_sigmoid(c(0, 2))), 1 / (1 + exp(-c(0, 2))),
               tolerance = 1e-6)
})
