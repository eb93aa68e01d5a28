# Classes written in R: Layer() / new_layer_class(), %py_class%, the R6
# KerasLayer and KerasCallback, callbacks, models, metrics and losses.

# The R keras guide's Linear layer: y = x w + b.
layer_linear <- Layer(
  "Linear",
  initialize = function(units = 32, input_dim = 32, ...) {
    super$initialize(...)
    self$w <- self$add_weight(shape = list(as.integer(input_dim),
                                           as.integer(units)),
                              initializer = "random_normal", trainable = TRUE)
    self$b <- self$add_weight(shape = list(as.integer(units)),
                              initializer = "zeros", trainable = TRUE)
  },
  call = function(inputs) op_matmul(inputs, self$w) + self$b)

# Two models from the same initial weights, trained by plain SGD on the
# same batches: their weights afterwards.
train_both <- function(a, b, x, y, loss_a = "mse", loss_b = "mse") {
  set_weights(b, get_weights(a))
  a %>% compile(optimizer = optimizer_sgd(learning_rate = 0.1), loss = loss_a)
  b %>% compile(optimizer = optimizer_sgd(learning_rate = 0.1), loss = loss_b)
  ha <- a %>% fit(x, y, epochs = 2, batch_size = 8, shuffle = FALSE,
                  verbose = 0)
  hb <- b %>% fit(x, y, epochs = 2, batch_size = 8, shuffle = FALSE,
                  verbose = 0)
  list(a = get_weights(a), b = get_weights(b),
       loss_a = ha$metrics$loss, loss_b = hb$metrics$loss)
}

test_that("a Layer() written in R computes x w + b and trains as layer_dense", {
  linear <- layer_linear(units = 4, input_dim = 3, name = "lin")
  expect_equal(linear$name, "lin")
  x <- matrix(seq(-1, 1, length.out = 6), 2, 3)
  y <- linear(x)
  w <- get_weights(linear)
  expect_equal(y, x %*% w[[1]] + matrix(w[[2]], 2, 4, byrow = TRUE),
               tolerance = 1e-6)
  custom <- keras_model_sequential(input_shape = c(3)) %>%
    layer_linear(units = 4, input_dim = 3) %>% layer_dense(1)
  reference <- keras_model_sequential(input_shape = c(3)) %>%
    layer_dense(4) %>% layer_dense(1)
  set.seed(1)
  x <- matrix(runif(96), 32, 3)
  y <- x %*% c(1, -2, 0.5) + 0.3
  result <- train_both(custom, reference, x, y)
  expect_equal(result$loss_a, result$loss_b, tolerance = 1e-5)
  for (i in seq_along(result$a))
    expect_equal(result$a[[i]], result$b[[i]], tolerance = 1e-5)
  expect_false(isTRUE(all.equal(result$a[[1]], get_weights(linear)[[1]])))
})

test_that("call() receives training and mask only when it declares them", {
  seen <- new.env()
  layer_probe <- new_layer_class(
    "Probe",
    call = function(inputs, training = NULL) {
      seen$training <- c(seen$training, isTRUE(training))
      inputs
    })
  model <- keras_model_sequential(input_shape = c(2)) %>% layer_probe() %>%
    layer_dense(1)
  model %>% compile(optimizer = "sgd", loss = "mse")
  seen$training <- NULL
  model %>% fit(matrix(1, 4, 2), matrix(0, 4, 1), epochs = 1, verbose = 0)
  expect_true(all(seen$training))
  seen$training <- NULL
  predict(model, matrix(1, 4, 2), verbose = 0)
  expect_false(any(seen$training))
})

test_that("%py_class% defines the class in the caller, with super and attributes", {
  Scale(keras$layers$Layer) %py_class% {
    initialize <- function(factor = 2, ...) {
      super$initialize(...)
      self$factor <- factor
    }
    call <- function(inputs) inputs * self$factor
  }
  scale <- Scale(factor = 3, name = "times_three")
  expect_equal(scale$name, "times_three")
  expect_equal(scale(matrix(1:4, 2, 2)), matrix(1:4, 2, 2) * 3)
  # in a functional model: the symbolic call and the trained graph
  inputs <- layer_input(shape = c(4))
  outputs <- inputs %>% layer_dense(2) %>% Scale(factor = 0.5)()
  model <- keras_model(inputs, outputs)
  x <- matrix(runif(8), 2, 4)
  w <- get_weights(model)
  expect_equal(predict(model, x, verbose = 0),
               0.5 * (x %*% w[[1]] + matrix(w[[2]], 2, 2, byrow = TRUE)),
               tolerance = 1e-6)
  expect_error("Scale" %py_class% {}, "ClassName\\(Parent\\)")
  expect_error(f(x)(y) %py_class% {}, "ClassName\\(Parent\\)")
})

test_that("arithmetic on weights and symbolic tensors runs seqcore ops", {
  inputs <- layer_input(shape = c(3))
  outputs <- (inputs * 2 + 1) / 4
  model <- keras_model(inputs, outputs)
  x <- matrix(1:6, 2, 3)
  expect_equal(predict(model, x, verbose = 0), (x * 2 + 1) / 4)
  dense <- layer_dense(units = 2)
  dense(x)
  expect_equal(dense$kernel * 2, get_weights(dense)[[1]] * 2,
               tolerance = 1e-7)
  expect_equal(as.numeric(exp(dense$bias)), c(1, 1))
})

test_that("an R6 KerasLayer made with create_layer() builds, shapes and trains", {
  CustomLayer <- R6::R6Class(
    "CustomLayer", inherit = KerasLayer,
    public = list(
      output_dim = NULL, kernel = NULL,
      initialize = function(output_dim) self$output_dim <- output_dim,
      build = function(input_shape) {
        self$kernel <- self$add_weight(
          name = "kernel", shape = list(input_shape[[2]], self$output_dim),
          initializer = initializer_random_normal(), trainable = TRUE)
      },
      call = function(x, mask = NULL) k_dot(x, self$kernel),
      compute_output_shape = function(input_shape)
        list(input_shape[[1]], self$output_dim)))
  layer_custom <- function(object, output_dim, name = NULL, trainable = TRUE)
    create_layer(CustomLayer, object, list(output_dim = as.integer(output_dim),
                                           name = name, trainable = trainable))
  model <- keras_model_sequential() %>%
    layer_dense(units = 8, input_shape = c(5)) %>%
    layer_custom(output_dim = 3, name = "mine")
  expect_equal(total_params(model), 5 * 8 + 8 + 8 * 3)
  expect_match(summary_text(model), "mine \\(CustomLayer\\)")
  expect_equal(model$layers[[2]]$compute_output_shape(list(NULL, 8L)),
               list(NULL, 3L))
  x <- matrix(runif(20), 4, 5)
  w <- get_weights(model)
  expect_equal(predict(model, x, verbose = 0),
               (x %*% w[[1]] + matrix(w[[2]], 4, 8, byrow = TRUE)) %*% w[[3]],
               tolerance = 1e-5)
  model %>% compile(optimizer = "sgd", loss = "mse")
  model %>% fit(x, matrix(0, 4, 3), epochs = 1, verbose = 0)
  expect_false(isTRUE(all.equal(get_weights(model)[[3]], w[[3]])))
})

test_that("an R6 KerasCallback gets its context and the hooks it defines", {
  LossHistory <- R6::R6Class(
    "LossHistory", inherit = KerasCallback,
    public = list(
      losses = NULL,
      on_batch_end = function(batch, logs = list())
        self$losses <- c(self$losses, logs[["loss"]])))
  history <- LossHistory$new()
  model <- keras_model_sequential(input_shape = c(2), name = "watched") %>%
    layer_dense(1)
  model %>% compile(optimizer = "sgd", loss = "mse")
  result <- model %>% fit(matrix(runif(40), 20, 2), runif(20), batch_size = 5,
                          epochs = 3, callbacks = list(history), verbose = 0)
  expect_length(history$losses, 4 * 3)
  expect_true(all(is.finite(history$losses)))
  # the batch logs average over the epoch so far: the last is the epoch's
  expect_equal(history$losses[c(4, 8, 12)], result$metrics$loss,
               tolerance = 1e-6)
  expect_equal(history$params$epochs, 3)
  expect_equal(history$model$name, "watched")
})

test_that("new_callback_class() hooks get 0-based epochs and the logs", {
  seen <- new.env()
  EpochLogger <- new_callback_class(
    "EpochLogger",
    on_epoch_end = function(epoch, logs = NULL) {
      seen$epochs <- c(seen$epochs, epoch)
      seen$losses <- c(seen$losses, logs$loss)
    })
  model <- keras_model_sequential(input_shape = c(2)) %>% layer_dense(1)
  model %>% compile(optimizer = "sgd", loss = "mse")
  result <- model %>% fit(matrix(runif(20), 10, 2), runif(10), epochs = 3,
                          callbacks = list(EpochLogger()), verbose = 0)
  expect_equal(seen$epochs, 0:2)
  expect_equal(seen$losses, result$metrics$loss, tolerance = 1e-6)
})

test_that("a model class written in R trains and predicts", {
  TwoLayers <- new_model_class(
    "TwoLayers",
    initialize = function(units = 8, ...) {
      super$initialize(...)
      self$hidden <- layer_dense(units = units, activation = "relu")
      self$out <- layer_dense(units = 1)
    },
    call = function(inputs) inputs %>% self$hidden() %>% self$out())
  model <- TwoLayers(units = 4, name = "two")
  expect_equal(model$name, "two")
  model %>% compile(optimizer = "adam", loss = "mse")
  x <- matrix(runif(60), 20, 3)
  result <- model %>% fit(x, rowSums(x), epochs = 3, verbose = 0)
  expect_length(model$weights, 4)
  expect_true(all(is.finite(result$metrics$loss)))
  w <- get_weights(model)
  hidden <- pmax(x %*% w[[1]] + matrix(w[[2]], 20, 4, byrow = TRUE), 0)
  expect_equal(predict(model, x, verbose = 0),
               hidden %*% w[[3]] + as.numeric(w[[4]]), tolerance = 1e-5)
})

test_that("a Loss() written in R trains as the built-in loss it equals", {
  squared <- Loss("SquaredError", call = function(y_true, y_pred)
    op_mean(op_square(y_pred - y_true), axis = -1))
  a <- keras_model_sequential(input_shape = c(3)) %>% layer_dense(2)
  b <- keras_model_sequential(input_shape = c(3)) %>% layer_dense(2)
  set.seed(2)
  x <- matrix(runif(48), 16, 3)
  y <- matrix(runif(32), 16, 2)
  result <- train_both(a, b, x, y, loss_a = squared(), loss_b = "mse")
  expect_equal(result$loss_a, result$loss_b, tolerance = 1e-5)
  expect_equal(result$a[[1]], result$b[[1]], tolerance = 1e-5)
})

test_that("a Metric() written in R accumulates state as Keras's metrics do", {
  MeanAbsolute <- Metric(
    "MeanAbsolute",
    initialize = function(name = "mean_absolute", ...) {
      super$initialize(name = name, ...)
      self$total <- self$add_variable(shape = list(), initializer = "zeros",
                                      name = "total")
      self$count <- self$add_variable(shape = list(), initializer = "zeros",
                                      name = "count")
    },
    update_state = function(y_true, y_pred, sample_weight = NULL) {
      self$total$assign_add(op_sum(op_abs(y_pred - y_true)))
      self$count$assign_add(length(y_true))
    },
    result = function() self$total / self$count)
  metric <- MeanAbsolute()
  metric$update_state(matrix(1:4, 2, 2), matrix(c(2, 2, 2, 2), 2, 2))
  expect_equal(as.numeric(metric$result()), mean(abs(2 - 1:4)),
               tolerance = 1e-6)
  model <- keras_model_sequential(input_shape = c(2)) %>% layer_dense(1)
  model %>% compile(optimizer = "sgd", loss = "mse",
                    metrics = list(MeanAbsolute(), "mae"))
  x <- matrix(runif(20), 10, 2)
  score <- model %>% evaluate(x, matrix(runif(10), 10, 1), verbose = 0)
  expect_equal(score[["mean_absolute"]], score[["mae"]], tolerance = 1e-6)
})

test_that("keras is the seqcore module, as R keras's keras object", {
  dense <- keras$layers$Dense(2L, name = "from_module")
  expect_equal(dense$name, "from_module")
  expect_true(inherits(keras$layers$Layer, "python.builtin.type"))
})

test_that("class definitions are checked", {
  expect_error(new_layer_class(c("A", "B")), "classname must be one string")
  expect_error(new_layer_class("A", function() 1),
               "every member of class A must be named")
})
