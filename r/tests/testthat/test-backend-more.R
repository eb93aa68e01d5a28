# R keras 2's other k_*() functions, against R's own arithmetic.

test_that("element-wise and reduction k_*() functions", {
  x <- matrix(c(-2, -0.5, 0, 1, 2, 3), 2, 3)
  expect_equal(k_cos(x), cos(x), tolerance = 1e-6)
  expect_equal(k_softsign(x), x / (1 + abs(x)), tolerance = 1e-6)
  expect_equal(k_elu(x, alpha = 0.5), ifelse(x > 0, x, 0.5 * (exp(x) - 1)),
               tolerance = 1e-6)
  expect_equal(k_cumsum(x), apply(x, 2, cumsum), tolerance = 1e-6)
  expect_equal(k_cumsum(x, axis = 2), t(apply(x, 1, cumsum)),
               tolerance = 1e-6)
  expect_equal(as.vector(k_logsumexp(x, axis = 2)),
               log(rowSums(exp(x))), tolerance = 1e-6)
  expect_true(k_any(x > 2))
  expect_false(k_all(x > -1))
  expect_equal(k_l2_normalize(x, axis = 2), x / sqrt(rowSums(x^2)),
               tolerance = 1e-6)
  expect_equal(k_switch(x > 0, x, -x), abs(x), tolerance = 1e-7)
  expect_equal(k_permute_dimensions(x, c(2, 1)), t(x))
  expect_equal(k_repeat_elements(x, 2, axis = 1), x[c(1, 1, 2, 2), ])
  expect_equal(k_tile(x, c(1, 2)), cbind(x, x))
  expect_equal(k_reverse(x, 2), x[, 3:1])
  expect_equal(dim(k_repeat(x, 4)), c(2L, 4L, 3L))
  expect_equal(k_batch_flatten(array(1:24, c(2, 3, 4))),
               matrix(aperm(array(1:24, c(2, 3, 4)), c(1, 3, 2)), 2, 12),
               ignore_attr = TRUE)
})

test_that("losses, indices and constructors", {
  p <- matrix(c(0.7, 0.2, 0.1, 0.1, 0.8, 0.1), 2, 3, byrow = TRUE)
  t <- matrix(c(1, 0, 0, 0, 1, 0), 2, 3, byrow = TRUE)
  expect_equal(as.vector(k_categorical_crossentropy(t, p)),
               -log(c(0.7, 0.8)), tolerance = 1e-6)
  expect_equal(as.vector(k_sparse_categorical_crossentropy(c(0, 1), p)),
               -log(c(0.7, 0.8)), tolerance = 1e-6)
  expect_equal(as.vector(k_binary_crossentropy(c(1, 0), c(0.9, 0.2))),
               -log(c(0.9, 0.8)), tolerance = 1e-5)
  expect_equal(k_gather(p, c(2, 1)), p[c(2, 1), ], tolerance = 1e-7)
  expect_equal(k_one_hot(c(0, 2), 3), rbind(c(1, 0, 0), c(0, 0, 1)))
  expect_equal(as.vector(k_arange(2, 8, 2)), c(2, 4, 6))
  expect_equal(k_eye(3), diag(3))
  expect_equal(k_ones(c(2, 2)), matrix(1, 2, 2))
  expect_equal(k_zeros_like(p), p * 0)
  expect_equal(k_constant(2, shape = c(2, 3)), matrix(2, 2, 3))
  expect_equal(dim(k_random_uniform(c(3, 4), seed = 1)), c(3L, 4L))
  kept <- k_dropout(matrix(1, 100, 10), level = 0.5, seed = 2)
  expect_true(all(kept %in% c(0, 2)))
})

test_that("shapes, dtypes, variables and configuration", {
  inputs <- keras_input(shape = c(4, 3))
  expect_equal(k_int_shape(inputs), list(NULL, 4L, 3L))
  expect_equal(k_shape(inputs), c(NA, 4L, 3L))
  expect_equal(k_ndim(matrix(1, 2, 5)), 2L)
  expect_equal(k_shape(matrix(1, 2, 5)), c(2L, 5L))
  expect_true(k_is_keras_tensor(inputs))
  expect_false(k_is_keras_tensor(matrix(1)))
  v <- k_variable(matrix(1:6, 2, 3), name = "v")
  expect_equal(k_dtype(v), "float32")
  expect_equal(k_get_value(v), matrix(1:6, 2, 3))
  k_set_value(v, matrix(0, 2, 3))
  expect_equal(k_eval(v), matrix(0, 2, 3))
  expect_equal(k_count_params(v), 6)
  expect_equal(k_floatx(), "float32")
  expect_equal(k_image_data_format(), "channels_last")
  expect_equal(k_backend(), "seqcore")
})

test_that("a custom loss written with the k_*() functions trains exactly", {
  huberish <- function(y_true, y_pred) {
    error <- y_pred - y_true
    k_mean(k_switch(k_abs(error) < 1, 0.5 * k_square(error),
                    k_abs(error) - 0.5), axis = -1)
  }
  a <- keras_model_sequential(input_shape = c(2)) %>% layer_dense(1)
  b <- keras_model_sequential(input_shape = c(2)) %>% layer_dense(1)
  set_weights(b, get_weights(a))
  a %>% compile(optimizer = optimizer_sgd(0.1), loss = huberish)
  b %>% compile(optimizer = optimizer_sgd(0.1), loss = loss_huber(delta = 1))
  x <- matrix(runif(40) * 4, 20, 2)
  y <- matrix(rowSums(x) * 3, 20, 1)
  ha <- a %>% fit(x, y, epochs = 2, batch_size = 5, shuffle = FALSE, verbose = 0)
  hb <- b %>% fit(x, y, epochs = 2, batch_size = 5, shuffle = FALSE, verbose = 0)
  expect_equal(ha$metrics$loss, hb$metrics$loss, tolerance = 1e-5)
  expect_equal(get_weights(a), get_weights(b), tolerance = 1e-5)
})
