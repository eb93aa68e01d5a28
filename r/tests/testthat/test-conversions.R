test_that("a non-square matrix reaches Python as C-order float32 with R's indices", {
  x <- matrix(as.double(1:6) / 8, nrow = 2, ncol = 3)
  a <- as_py_array(x)
  expect_equal(reticulate::py_to_r(a$shape), list(2L, 3L))
  expect_equal(reticulate::py_to_r(a$dtype$name), "float32")
  expect_true(reticulate::py_to_r(a$flags$c_contiguous))
  for (i in 1:2) for (j in 1:3)
    expect_equal(py_item(a, i - 1, j - 1), x[i, j])
})

test_that("a 3-d array keeps every index (2 x 3 x 4)", {
  x <- array(as.double(seq_len(24)), dim = c(2, 3, 4))
  a <- as_py_array(x)
  expect_equal(reticulate::py_to_r(a$shape), list(2L, 3L, 4L))
  expect_equal(py_item(a, 1, 2, 3), x[2, 3, 4])
  expect_equal(py_item(a, 0, 2, 1), x[1, 3, 2])
  expect_equal(py_item(a, 1, 0, 3), x[2, 1, 4])
  back <- reticulate::py_to_r(a)
  expect_equal(dim(back), c(2L, 3L, 4L))
  expect_equal(back, x)
})

test_that("integers stay integers, vectors become 1-d, logicals 0/1", {
  a <- as_py_array(matrix(1:6, 3, 2))
  expect_equal(reticulate::py_to_r(a$dtype$name), "int32")
  expect_equal(py_item(a, 2, 1), 6L)
  v <- as_py_array(c(1.5, 2.5, 3.5))
  expect_equal(reticulate::py_to_r(v$shape), list(3L))
  one <- as_py_array(4)
  expect_equal(reticulate::py_to_r(one$shape), list(1L))
  b <- as_py_array(c(TRUE, FALSE))
  expect_equal(reticulate::py_to_r(b$dtype$name), "float32")
  expect_error(as_py_array(as.complex(1)), "numeric, logical or character")
  # character arrays (for the string preprocessing layers), R's indices
  s <- as_py_array(matrix(c("a", "b", "c", "d", "e", "f"), 2))
  expect_equal(reticulate::py_to_r(s$shape), list(2L, 3L))
  expect_equal(py_item(s, 1, 0), "b")
  expect_equal(py_item(s, 0, 2), "e")
})

test_that("a Dense layer on a non-square batch computes x %*% W + b", {
  layer <- layer_dense(units = 2, input_shape = c(3))
  model <- keras_model_sequential() %>% layer_dense(units = 2, input_shape = c(3))
  kernel <- matrix(c(0.5, -1, 2, 0.25, 1.5, -0.75), nrow = 3, ncol = 2)
  bias <- c(0.1, -0.2)
  set_weights(model, list(kernel, array(bias)))
  x <- matrix(c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) / 4, nrow = 4, ncol = 3)
  expected <- x %*% kernel + matrix(bias, 4, 2, byrow = TRUE)
  out <- predict(model, x, verbose = 0)
  expect_equal(dim(out), c(4L, 2L))
  expect_equal(out, expected, tolerance = 1e-6)
  expect_equal(model(x), expected, tolerance = 1e-6)
  weights <- get_weights(model)
  expect_equal(weights[[1]], kernel, tolerance = 1e-7)
  expect_equal(as.vector(weights[[2]]), bias, tolerance = 1e-7)
})

test_that("counts are coerced to integers and shapes to tuples", {
  layer <- layer_dense(units = 32)
  expect_identical(layer$units, 32L)
  conv <- layer_conv_2d(filters = 8, kernel_size = c(3, 2), strides = 2)
  expect_identical(conv$get_config()$kernel_size, list(3L, 2L))
  expect_identical(conv$get_config()$strides, list(2L, 2L))
  expect_identical(reticulate::py_str(as_shape(c(NA, 10))),
                   "(None, 10)")
  expect_identical(reticulate::py_str(as_shape(list(NULL, 10))), "(None, 10)")
  expect_identical(reticulate::py_str(as_shape(c(784))), "(784,)")
  expect_error(as_count(2.5), "whole numbers")
  model <- keras_model_sequential() %>%
    layer_lstm(units = 4, batch_input_shape = c(32, 8, 16))
  expect_equal(model$input_shape, list(32L, 8L, 16L))
})

test_that("NULL arguments are dropped so Python's defaults apply", {
  layer <- layer_dense(units = 3, activation = NULL, name = NULL)
  expect_equal(layer$get_config()$activation, "linear")
})

test_that("the 1-based axis of k_* functions: colMeans, rowSums, argmax", {
  x <- matrix(c(1, 5, 2, 8, 3, 4), nrow = 2, ncol = 3)
  expect_equal(as.vector(k_mean(x, axis = 1)), colMeans(x), tolerance = 1e-6)
  expect_equal(as.vector(k_sum(x, axis = 2)), rowSums(x), tolerance = 1e-6)
  expect_equal(as.vector(k_sum(x, axis = -1)), rowSums(x), tolerance = 1e-6)
  expect_equal(as.vector(k_max(x, axis = 1)), apply(x, 2, max))
  expect_equal(as.vector(k_argmax(x)), apply(x, 1, which.max) - 1)
  expect_equal(k_mean(x), mean(x), tolerance = 1e-6)
  expect_equal(dim(k_mean(x, axis = 2, keepdims = TRUE)), c(2L, 1L))
  expect_error(k_mean(x, axis = 0), "1-based")
})

test_that("to_categorical drops the trailing 1 and one-hot encodes from 0", {
  y <- to_categorical(matrix(c(0, 2, 1, 2), ncol = 1), num_classes = 3)
  expect_equal(dim(y), c(4L, 3L))
  expect_equal(y, rbind(c(1, 0, 0), c(0, 0, 1), c(0, 1, 0), c(0, 0, 1)))
  expect_error(to_categorical(c(0, 5), num_classes = 3), "out of range")
})

test_that("pad_sequences takes an R list, including one-element sequences", {
  padded <- pad_sequences(list(c(1L, 2L, 3L), 4L, integer()), maxlen = 2)
  expect_equal(padded, rbind(c(2L, 3L), c(0L, 4L), c(0L, 0L)))
  post <- pad_sequences(list(c(5, 6), 7), padding = "post")
  expect_equal(post, rbind(c(5L, 6L), c(7L, 0L)))
  expect_error(pad_sequences(1:3), "list of vectors")
})

test_that("float subclasses (the optimizer's learning rate) arrive as doubles", {
  model <- keras_model_sequential(input_shape = c(2)) %>% layer_dense(1) %>%
    compile(optimizer = optimizer_adam(learning_rate = 0.25), loss = "mse")
  expect_type(model$optimizer$learning_rate, "double")
  expect_equal(model$optimizer$learning_rate, 0.25)
  expect_equal(k_epsilon(), 1e-7)
})

test_that("array_reshape reshapes in row-major order, as numpy does", {
  x <- matrix(1:6, nrow = 2, ncol = 3)   # rows (1, 3, 5) and (2, 4, 6)
  r <- array_reshape(x, c(3, 2))
  expect_equal(r, rbind(c(1L, 3L), c(5L, 2L), c(4L, 6L)))
  np <- reticulate::import("numpy", convert = FALSE)
  images <- array(as.double(seq_len(2 * 3 * 4)), dim = c(2, 3, 4))
  flat <- array_reshape(images, c(2, 12))
  expected <- reticulate::py_to_r(np$reshape(as_py_array(images, "float64"),
                                             reticulate::tuple(2L, 12L)))
  expect_equal(flat, expected)
  expect_equal(flat[2, ], as.vector(t(images[2, , ])))
  expect_equal(array_reshape(x, c(3, 2), order = "F"), matrix(1:6, 3, 2))
  expect_error(array_reshape(x, c(4, 2)), "cannot reshape 6 elements")
})

test_that("%<-% assigns nested parts of a list", {
  c(c(a, b), c(d, e)) %<-% list(list(1, "x"), list(3, 4:5))
  expect_equal(list(a, b, d, e), list(1, "x", 3, 4:5))
  c(train, test) %<-% dataset_digits()
  expect_equal(names(train), c("x", "y"))
  expect_error(c(p, q) %<-% list(1, 2, 3), "2 names on the left but 3 values")
})
