# R keras 3's names: shape(), keras_input(), rnn_cell_*(), op_image_*(),
# the newer activations, serialization and small utilities.

test_that("shape() makes integer tuples with unknown sizes", {
  s <- shape(NA, c(28, 28), NULL, 3)
  expect_equal(format(s), "shape(NA, 28, 28, NA, 3)")
  expect_equal(as.integer(s), c(NA, 28L, 28L, NA, 3L))
  expect_equal(capture.output(print(shape(3, 3))), "shape(3, 3)")
  py <- reticulate::r_to_py(shape(NA, 4))
  expect_equal(reticulate::py_str(py), "(None, 4)")
  expect_error(shape(2.5), "whole number >= 0")
  expect_equal(op_ones(shape(2, 3)), matrix(1, 2, 3))
  inputs <- keras_input(shape = shape(4), name = "features")
  expect_equal(inputs$shape, list(NULL, 4L))
  model <- keras_model(inputs, inputs %>% layer_dense(2))
  expect_equal(model$inputs[[1]]$name, "features")
  expect_equal(dim(predict(model, matrix(1, 3, 4), verbose = 0)), c(3L, 2L))
})

test_that("rnn_cell_*() and rnn_cells_stack() are the cell layers", {
  cell <- rnn_cell_lstm(8)
  expect_true(inherits(cell, "seqcore.layers.recurrent_cells.LSTMCell"))
  expect_equal(cell$units, 8L)
  stack <- rnn_cells_stack(list(rnn_cell_gru(4), rnn_cell_simple(3)))
  model <- keras_model_sequential(input_shape = c(5, 2)) %>% layer_rnn(stack)
  expect_equal(dim(predict(model, array(0.5, c(2, 5, 2)), verbose = 0)),
               c(2L, 3L))
})

test_that("the newer activations compute Keras's functions", {
  x <- c(-3, -0.5, 0, 0.25, 2)
  expect_equal(as.vector(activation_hard_tanh(x)), pmin(pmax(x, -1), 1))
  expect_equal(as.vector(activation_celu(x)), ifelse(x > 0, x, exp(x) - 1),
               tolerance = 1e-6)
  expect_equal(as.vector(activation_log_sigmoid(x)), -log1p(exp(-x)), tolerance = 1e-6)
  expect_equal(as.vector(activation_soft_shrink(x)), ifelse(abs(x) > 0.5,
                                                 x - sign(x) * 0.5, 0),
               tolerance = 1e-6)
  expect_equal(as.vector(activation_squareplus(x)), (x + sqrt(x^2 + 4)) / 2,
               tolerance = 1e-6)
  expect_equal(as.vector(activation_hard_silu(x)), x * pmin(pmax(x / 6 + 0.5, 0), 1),
               tolerance = 1e-6)
  model <- keras_model_sequential(input_shape = c(3)) %>%
    layer_dense(2, activation = activation_hard_swish)
  # hard_swish is Keras's other name of hard_silu, saved as hard_silu
  expect_equal(model$layers[[1]]$get_config()$activation, "hard_silu")
})

test_that("op_image_*() are keras.ops.image's ops, channels last", {
  set.seed(3)
  images <- array(runif(2 * 4 * 6 * 3), c(2, 4, 6, 3))
  up <- op_image_resize(images, size = c(8, 12), interpolation = "nearest")
  expect_equal(dim(up), c(2L, 8L, 12L, 3L))
  expect_equal(up[, seq(1, 8, 2), seq(1, 12, 2), ], images, tolerance = 1e-6)
  expect_equal(op_image_crop(images, top_cropping = 1, left_cropping = 2,
                             target_height = 2, target_width = 3),
               images[, 2:3, 3:5, , drop = FALSE], tolerance = 1e-6)
  padded <- op_image_pad(images, top_padding = 1, left_padding = 2,
                         target_height = 6, target_width = 9)
  expect_equal(dim(padded), c(2L, 6L, 9L, 3L))
  expect_equal(padded[, 2:5, 3:8, ], images, tolerance = 1e-6)
  expect_equal(sum(abs(padded)), sum(images), tolerance = 1e-4)
  gray <- op_image_rgb_to_grayscale(images)
  expect_equal(dim(gray), c(2L, 4L, 6L, 1L))
  expect_equal(gray[, , , 1], 0.2989 * images[, , , 1] +
                 0.587 * images[, , , 2] + 0.114 * images[, , , 3],
               tolerance = 1e-5)
  expect_equal(op_image_hsv_to_rgb(op_image_rgb_to_hsv(images)), images,
               tolerance = 1e-5)
})

test_that("zip_lists(), normalize() and get_source_inputs()", {
  expect_equal(zip_lists(list(1, 2), list("a", "b")),
               list(list(1, "a"), list(2, "b")))
  expect_equal(zip_lists(a = 1:2, b = c("x", "y"))[[2]],
               list(a = 2L, b = "y"))
  expect_error(zip_lists(1:2, 1:3), "same length")
  x <- matrix(c(3, 4, 0, 5, 1, 1), 2, 3, byrow = TRUE)
  expect_equal(normalize(x), x / sqrt(rowSums(x^2)), tolerance = 1e-6)
  expect_equal(normalize(x, axis = 1), t(t(x) / sqrt(colSums(x^2))),
               tolerance = 1e-6)
  inputs <- keras_input(shape = c(3), name = "source")
  hidden <- inputs %>% layer_dense(2)
  found <- get_source_inputs(hidden)
  expect_length(found, 1)
  expect_equal(found[[1]]$name, "source")
})

test_that("serialization: configs round trip, registered R functions", {
  dense <- layer_dense(units = 3, activation = "relu", name = "d3")
  config <- serialize_keras_object(dense)
  expect_equal(config$class_name, "Dense")
  expect_equal(config$config$units, 3L)
  again <- deserialize_keras_object(config)
  expect_equal(again$units, 3L)
  expect_equal(again$name, "d3")
  my_mse <- function(y_true, y_pred) op_mean(op_square(y_pred - y_true))
  register_keras_serializable(my_mse, package = "Rtests")
  expect_true("Rtests>my_mse" %in% names(get_custom_objects()))
  scaled <- function(x) x * 2
  config <- list(class_name = "Activation",
                 config = list(activation = "scaled", name = "act"))
  layer <- with_custom_object_scope(list(scaled = scaled),
                                    deserialize_keras_object(config))
  expect_equal(layer(matrix(1:4, 2, 2)), matrix(1:4, 2, 2) * 2)
  expect_error(deserialize_keras_object(config), "scaled")
})

test_that("text_dataset_from_directory() reads class folders", {
  root <- tempfile()
  for (label in c("neg", "pos")) dir.create(file.path(root, label),
                                            recursive = TRUE)
  writeLines("a good film", file.path(root, "pos", "1.txt"))
  writeLines("a bad film", file.path(root, "neg", "2.txt"))
  writeLines("so bad", file.path(root, "neg", "3.txt"))
  dataset <- text_dataset_from_directory(root, batch_size = 8,
                                         shuffle = FALSE, verbose = FALSE)
  expect_equal(dataset$class_names, c("neg", "pos"))
})

test_that("clear_session() restarts automatic names", {
  clear_session()
  expect_equal(layer_dense(units = 1)$name, "dense")
  expect_equal(layer_dense(units = 1)$name, "dense_1")
  clear_session()
  expect_equal(layer_dense(units = 1)$name, "dense")
})

test_that("the housing datasets say where they looked", {
  withr_dir <- tempfile()
  old <- Sys.getenv("SEQCORE_DATA")
  Sys.setenv(SEQCORE_DATA = withr_dir)
  on.exit(Sys.setenv(SEQCORE_DATA = old))
  expect_error(dataset_boston_housing(), "boston_housing.*not found")
  expect_error(dataset_california_housing(), "california_housing.*not found")
})

test_that("config_max_epochs() caps fit(); the other newer config_*()", {
  expect_null(config_max_epochs())
  config_set_max_epochs(2)
  on.exit(config_set_max_epochs(NULL))
  expect_equal(config_max_epochs(), 2L)
  model <- keras_model_sequential(input_shape = c(2)) %>% layer_dense(1)
  model %>% compile(optimizer = "sgd", loss = "mse")
  history <- model %>% fit(matrix(runif(20), 10, 2), runif(10), epochs = 5,
                           verbose = 0)
  expect_length(history$metrics$loss, 2)
  config_set_max_epochs(NULL)
  expect_null(config_max_epochs())
  config_set_max_steps_per_epoch(1)
  expect_equal(config_max_steps_per_epoch(), 1L)
  config_set_max_steps_per_epoch(NULL)
  expect_null(config_is_flash_attention_enabled())   # the layers decide
  config_disable_flash_attention()
  expect_false(config_is_flash_attention_enabled())
  config_enable_flash_attention()   # back to None, as Keras's
  expect_null(config_is_flash_attention_enabled())
  expect_false(config_is_nnx_enabled())
  expect_null(config_set_backend("seqcore"))
  expect_error(config_set_backend("tensorflow"), "seqcore")
})

test_that("get_state_tree() / set_state_tree() snapshot a training model", {
  model <- keras_model_sequential(input_shape = c(2), name = "snap") %>%
    layer_dense(1, name = "out")
  model %>% compile(optimizer = "adam", loss = "mse")
  x <- matrix(runif(40), 20, 2)
  y <- matrix(runif(20), 20, 1)
  model %>% fit(x, y, epochs = 1, batch_size = 5, shuffle = FALSE, verbose = 0)
  tree <- get_state_tree(model)
  expect_setequal(names(tree), c("trainable_variables",
                                 "non_trainable_variables",
                                 "optimizer_variables", "metrics_variables"))
  expect_equal(tree$trainable_variables$snap$out$kernel,
               get_weights(model)[[1]])
  expect_equal(as.numeric(tree$optimizer_variables$adam$iteration), 4)
  model %>% fit(x, y, epochs = 2, batch_size = 5, shuffle = FALSE, verbose = 0)
  after <- get_weights(model)
  set_state_tree(model, tree)
  expect_equal(get_weights(model)[[1]], tree$trainable_variables$snap$out$kernel)
  model %>% fit(x, y, epochs = 2, batch_size = 5, shuffle = FALSE, verbose = 0)
  expect_equal(get_weights(model), after, tolerance = 1e-6)
})

test_that("keras_variable(), reset_state(), metric_mean_wrapper()", {
  v <- keras_variable(matrix(1:4, 2, 2), name = "w")
  expect_equal(v$name, "w")
  expect_equal(v$numpy(), matrix(1:4, 2, 2))
  zeros <- keras_variable("zeros", shape = c(3))
  expect_equal(as.vector(zeros$numpy()), c(0, 0, 0))
  abs_error <- function(y_true, y_pred) op_mean(op_abs(y_pred - y_true),
                                                axis = -1)
  metric <- metric_mean_wrapper(fn = abs_error, name = "abs_err")
  metric$update_state(matrix(c(1, 2), 2, 1), matrix(c(2, 4), 2, 1))
  expect_equal(as.numeric(metric$result()), 1.5, tolerance = 1e-6)
  reset_state(metric)
  expect_equal(as.numeric(metric$result()), 0)
  expect_equal(as.numeric(metric_mean_wrapper(
    matrix(c(1, 2), 2, 1), matrix(c(1, 4), 2, 1), fn = abs_error)), 1,
    tolerance = 1e-6)
})

test_that("split_dataset(), model configs, registered names", {
  parts <- split_dataset(matrix(1:20, 10, 2), left_size = 0.8)
  expect_length(parts, 2)
  model <- keras_model_sequential(input_shape = c(3), name = "cfg") %>%
    layer_dense(2, name = "d")
  path <- tempfile(fileext = ".json")
  save_model_config(model, path)
  again <- load_model_config(path)
  expect_equal(again$name, "cfg")
  expect_equal(again$layers[[1]]$units, 2L)
  expect_length(again$weights, 2)
  expect_error(save_model_config(model, path), "overwrite")
  expect_equal(get_registered_name(keras$layers$Dense), "Dense")
})
