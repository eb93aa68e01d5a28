# The Sequential model guide (R), step by step.

test_that("a Sequential model is built with the pipe and called as a function", {
  model <- keras_model_sequential() %>%
    layer_dense(2, activation = "relu", name = "layer1") %>%
    layer_dense(3, activation = "relu", name = "layer2") %>%
    layer_dense(4, name = "layer3")
  x <- array(1, dim = c(3, 3))
  y <- model(x)
  expect_equal(dim(y), c(3L, 4L))
  expect_equal(vapply(model$layers, function(l) l$name, ""),
               c("layer1", "layer2", "layer3"))
  # the same as calling the layers one after the other
  layers <- model$layers
  y2 <- layers[[3]](layers[[2]](layers[[1]](x)))
  expect_equal(y2, y)
})

test_that("layers are added in place; pop_layer removes the last", {
  model <- keras_model_sequential()
  model %>% layer_dense(2, activation = "relu")
  model %>% layer_dense(3, activation = "relu")
  model %>% layer_dense(4)
  expect_length(model$layers, 3)
  model %>% pop_layer()
  expect_length(model$layers, 2)
  returned <- withVisible(model %>% layer_dense(5))
  expect_false(returned$visible)
  expect_identical(returned$value, model)
})

test_that("the model's name is kept", {
  model <- keras_model_sequential(name = "my_sequential")
  model %>% layer_dense(2, activation = "relu", name = "layer1")
  expect_equal(model$name, "my_sequential")
})

test_that("a layer has no weights until called; then kernel (4, 3) and bias (3)", {
  layer <- layer_dense(units = 3)
  expect_length(layer$weights, 0)
  y <- layer(array(1, dim = c(1, 4)))
  expect_equal(dim(y), c(1L, 3L))
  shapes <- lapply(get_weights(layer), dim)
  expect_equal(shapes, list(c(4L, 3L), 3L))
})

test_that("an unbuilt model has no weights and no summary", {
  model <- keras_model_sequential() %>%
    layer_dense(2, activation = "relu") %>%
    layer_dense(3, activation = "relu") %>%
    layer_dense(4)
  expect_error(model$weights, "not yet been built")
  expect_equal(capture.output(summary(model)),
               "Model: <no summary available, model was not built>")
  expect_equal(capture.output(print(model)),
               "Model: <no summary available, model was not built>")
  y <- model(array(1, dim = c(1, 4)))
  expect_length(model$weights, 6)
  expect_equal(total_params(model), 35)
})

test_that("summary of a model with input_shape: Dense (None, 2), 10 params", {
  model <- keras_model_sequential(input_shape = c(4))
  model %>% layer_dense(2, activation = "relu")
  text <- summary_text(model)
  expect_match(text, "(None, 2)", fixed = TRUE)
  expect_equal(total_params(model), 10)
  expect_equal(capture.output(print(model)), capture.output(summary(model)))
})

test_that("the Conv2D debugging workflow's shapes and counts", {
  model <- keras_model_sequential(input_shape = c(250, 250, 3))
  model %>%
    layer_conv_2d(32, 5, strides = 2, activation = "relu") %>%
    layer_conv_2d(32, 3, activation = "relu") %>%
    layer_max_pooling_2d(3)
  text <- summary_text(model)
  expect_match(text, "(None, 123, 123, 32)", fixed = TRUE)
  expect_match(text, "(None, 40, 40, 32)", fixed = TRUE)
  expect_equal(total_params(model), 11680)
  model %>%
    layer_conv_2d(32, 3, activation = "relu") %>%
    layer_conv_2d(32, 3, activation = "relu") %>%
    layer_max_pooling_2d(3) %>%
    layer_conv_2d(32, 3, activation = "relu") %>%
    layer_conv_2d(32, 3, activation = "relu") %>%
    layer_max_pooling_2d(2)
  expect_match(summary_text(model), "(None, 4, 4, 32)", fixed = TRUE)
  expect_equal(total_params(model), 48672)
  model %>% layer_global_max_pooling_2d()
  model %>% layer_dense(10)
  expect_equal(model$output_shape, list(NULL, 10L))
})

test_that("the R guide's 784-256-128-10 MLP has 235,146 parameters", {
  model <- keras_model_sequential() %>%
    layer_dense(units = 256, activation = "relu", input_shape = c(784)) %>%
    layer_dropout(rate = 0.4) %>%
    layer_dense(units = 128, activation = "relu") %>%
    layer_dropout(rate = 0.3) %>%
    layer_dense(units = 10, activation = "softmax")
  text <- summary_text(model)
  expect_match(text, "200,960", fixed = TRUE)
  expect_match(text, "32,896", fixed = TRUE)
  expect_match(text, "1,290", fixed = TRUE)
  expect_equal(total_params(model), 235146)
  expect_equal(count_params(model), 235146)
})

test_that("feature extraction: every layer's output, and one layer's by name", {
  initial_model <- keras_model_sequential(input_shape = c(25, 25, 3)) %>%
    layer_conv_2d(4, 5, strides = 2, activation = "relu") %>%
    layer_conv_2d(4, 3, activation = "relu", name = "my_intermediate_layer") %>%
    layer_conv_2d(4, 3, activation = "relu")
  feature_extractor <- keras_model(
    inputs = initial_model$inputs,
    outputs = lapply(initial_model$layers, function(layer) layer$output))
  x <- array(1, dim = c(1, 25, 25, 3))
  features <- feature_extractor(x)
  expect_length(features, 3)
  expect_equal(lapply(features, dim),
               list(c(1L, 11L, 11L, 4L), c(1L, 9L, 9L, 4L), c(1L, 7L, 7L, 4L)))
  expect_equal(features[[3]], initial_model(x), tolerance = 1e-6)
  one <- keras_model(
    inputs = initial_model$inputs,
    outputs = get_layer(initial_model, name = "my_intermediate_layer")$output)
  expect_equal(one(x), features[[2]], tolerance = 1e-6)
})

test_that("get_layer takes 1-based and negative indices", {
  model <- keras_model_sequential(input_shape = c(4)) %>%
    layer_dense(3, name = "a") %>% layer_dense(2, name = "b") %>%
    layer_dense(1, name = "c")
  expect_equal(get_layer(model, index = 1)$name, "a")
  expect_equal(get_layer(model, index = 3)$name, "c")
  expect_equal(get_layer(model, index = -1)$name, "c")
  expect_equal(get_layer(model, index = -3)$name, "a")
  expect_error(get_layer(model, index = 0), "1-based")
  expect_error(get_layer(model, index = 4), "between 1 and 3")
  expect_error(get_layer(model, name = "zzz"), "No such layer: zzz")
})

freezable_model <- function() {
  keras_model_sequential(input_shape = c(784)) %>%
    layer_dense(32, activation = "relu") %>%
    layer_dense(32, activation = "relu") %>%
    layer_dense(32, activation = "relu") %>%
    layer_dense(10)
}

trainable_flags <- function(model)
  vapply(model$layers, function(l) l$trainable, TRUE)

test_that("freezing all but the last layer with the loop and with freeze_weights", {
  model <- freezable_model()
  for (layer in head(model$layers, -1))
    layer$trainable <- FALSE
  expect_equal(trainable_flags(model), c(FALSE, FALSE, FALSE, TRUE))
  expect_length(model$trainable_weights, 2)

  model2 <- freezable_model()
  freeze_weights(model2, to = -2)
  expect_equal(trainable_flags(model2), c(FALSE, FALSE, FALSE, TRUE))
  expect_length(model2$trainable_weights, 2)
  expect_match(summary_text(model2), "Trainable params: 330 ", fixed = TRUE)

  # only the last layer's weights change in training
  model2 %>% compile(optimizer = "sgd", loss = "mse")
  before <- get_weights(model2)
  model2 %>% fit(random_matrix(64, 784), random_matrix(64, 10), epochs = 1,
                 verbose = 0)
  after <- get_weights(model2)
  expect_equal(after[1:6], before[1:6])
  expect_false(isTRUE(all.equal(after[[7]], before[[7]])))
})

test_that("freeze_weights/unfreeze_weights with names and 1-based ranges", {
  model <- freezable_model()
  names <- vapply(model$layers, function(l) l$name, "")
  freeze_weights(model, from = 2, to = 3)
  expect_equal(trainable_flags(model), c(TRUE, FALSE, FALSE, TRUE))
  unfreeze_weights(model, from = names[3])
  expect_equal(trainable_flags(model), c(FALSE, FALSE, TRUE, TRUE))
  freeze_weights(model)
  expect_false(model$trainable)
  unfreeze_weights(model)
  expect_true(model$trainable)
  expect_error(freeze_weights(model, from = "nope"), "No layer named 'nope'")
  expect_error(freeze_weights(model, from = 3, to = 1), "comes after")
})

test_that("a model is composed into a Sequential model like a layer", {
  base_model <- keras_model_sequential(input_shape = c(6)) %>%
    layer_dense(4, activation = "relu")
  base_model$trainable <- FALSE
  model <- keras_model_sequential(input_shape = c(6)) %>%
    base_model() %>%
    layer_dense(3)
  expect_length(model$layers, 2)
  expect_equal(dim(model(random_matrix(5, 6))), c(5L, 3L))
  expect_length(model$trainable_weights, 2)
})

test_that("the functional API: layer_input, piping tensors, keras_model", {
  inputs <- layer_input(shape = c(8))
  outputs <- inputs %>% layer_dense(4, activation = "relu") %>% layer_dense(1)
  model <- keras_model(inputs, outputs)
  expect_equal(dim(model(random_matrix(3, 8))), c(3L, 1L))
  expect_equal(total_params(model), 8 * 4 + 4 + 4 + 1)
})

test_that("Python errors arrive as R errors with seqcore's message", {
  expect_error(layer_dense(units = -3), "units must be a positive integer")
  model <- keras_model_sequential(input_shape = c(4)) %>% layer_dense(2)
  expect_error(model(array(1, dim = c(2, 5))), "expected|incompatible|shape",
               ignore.case = TRUE)
  expect_error(create_layer("NoSuchLayer", NULL, list()),
               "seqcore.layers has no NoSuchLayer")
})
