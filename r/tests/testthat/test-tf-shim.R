# The R guide (seed 000) makes its test inputs with tf$ones(shape(...)):
# its snippets run as written.

test_that("the guide's snippets run as written", {
  model <- keras_model_sequential() %>%
    layer_dense(2, activation = "relu", name = "layer1") %>%
    layer_dense(3, activation = "relu", name = "layer2") %>%
    layer_dense(4, name = "layer3")
  x <- tf$ones(shape(3, 3))
  y <- model(x)
  expect_equal(x, matrix(1, 3, 3))
  expect_equal(dim(y), c(3L, 4L))
  initial_model <- keras_model_sequential(input_shape = c(250, 250, 3)) %>%
    layer_conv_2d(32, 5, strides = 2, activation = "relu") %>%
    layer_conv_2d(32, 3, activation = "relu", name = "my_intermediate_layer") %>%
    layer_conv_2d(32, 3, activation = "relu")
  feature_extractor <- keras_model(
    inputs = initial_model$inputs,
    outputs = get_layer(initial_model, name = "my_intermediate_layer")$output)
  x <- tf$ones(shape(1, 250, 250, 3))
  features <- feature_extractor(x)
  expect_equal(dim(features), c(1L, 121L, 121L, 32L))
})

test_that("tf's functions follow TensorFlow's arguments", {
  x <- matrix(1:6, 2, 3)
  expect_equal(tf$zeros(shape(2, 2)), matrix(0, 2, 2))
  expect_equal(tf$constant(3, shape = c(2)), c(3, 3), ignore_attr = TRUE)
  expect_equal(as.vector(tf$reduce_sum(x, axis = 0L)), colSums(x))
  expect_equal(as.vector(tf$reduce_mean(x, axis = 1L)), rowMeans(x))
  expect_equal(tf$matmul(x, t(x)), x %*% t(x))
  expect_equal(tf$concat(list(x, x), axis = 0L), rbind(x, x))
  expect_equal(tf$shape(x), c(2L, 3L))
  expect_equal(dim(tf$random$normal(shape(4, 5), seed = 1)), c(4L, 5L))
  expect_equal(tf$nn$relu(x - 3), pmax(x - 3, 0))
})
