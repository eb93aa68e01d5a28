# R keras 2's names for older R code: generator functions for fit(),
# fit_generator() and friends, the HDF5 save/load functions and models as
# raw vectors.

# The Deep Learning with R pattern: a closure returning one batch per call.
batch_generator <- function(x, y, batch_size) {
  i <- 0
  function() {
    rows <- (i * batch_size) %% nrow(x) + seq_len(batch_size)
    i <<- i + 1
    list(x[rows, , drop = FALSE], y[rows, , drop = FALSE])
  }
}

two_layer_model <- function() {
  model <- keras_model_sequential(input_shape = c(3)) %>%
    layer_dense(4, activation = "relu") %>% layer_dense(1)
  model %>% compile(optimizer = optimizer_sgd(learning_rate = 0.05),
                    loss = "mse", metrics = "mae")
  model
}

test_that("fit() and fit_generator() take an R generator function", {
  set.seed(5)
  x <- matrix(runif(96), 32, 3)
  y <- matrix(rowSums(x), 32, 1)
  a <- two_layer_model()
  b <- two_layer_model()
  set_weights(b, get_weights(a))
  # the same batches in the same order as arrays without shuffling
  ha <- a %>% fit(batch_generator(x, y, 8), steps_per_epoch = 4, epochs = 3,
                  verbose = 0)
  hb <- b %>% fit(x, y, batch_size = 8, epochs = 3, shuffle = FALSE,
                  verbose = 0)
  expect_equal(ha$metrics$loss, hb$metrics$loss, tolerance = 1e-5)
  expect_equal(get_weights(a), get_weights(b), tolerance = 1e-5)
  m3 <- two_layer_model()
  set_weights(m3, get_weights(a))
  hc <- fit_generator(m3, batch_generator(x, y, 8), steps_per_epoch = 4,
                      epochs = 2, verbose = 0,
                      validation_data = batch_generator(x, y, 16),
                      validation_steps = 2)
  expect_setequal(names(hc$metrics), c("loss", "mae", "val_loss", "val_mae"))
  expect_length(hc$metrics$val_loss, 2)
  score <- evaluate_generator(m3, batch_generator(x, y, 16), steps = 2)
  expect_equal(score, evaluate(m3, x, y, verbose = 0), tolerance = 1e-5)
  pred <- predict_generator(m3, function() list(x[1:8, ]), steps = 2)
  expect_equal(pred, rbind(predict(m3, x[1:8, ], verbose = 0),
                           predict(m3, x[1:8, ], verbose = 0)),
               tolerance = 1e-6)
})

test_that("save_model_hdf5() / load_model_hdf5() keep weights and compile", {
  x <- matrix(runif(30), 10, 3)
  model <- two_layer_model()
  model %>% fit(x, rowSums(x), epochs = 1, verbose = 0)
  path <- tempfile(fileext = ".h5")
  suppressWarnings(save_model_hdf5(model, path))
  again <- load_model_hdf5(path)
  expect_equal(get_weights(again), get_weights(model))
  expect_equal(predict(again, x, verbose = 0), predict(model, x, verbose = 0))
  expect_equal(evaluate(again, x, rowSums(x), verbose = 0),
               evaluate(model, x, rowSums(x), verbose = 0), tolerance = 1e-6)
  expect_error(save_model_hdf5(model, tempfile(fileext = ".keras")),
               "must end in .h5")
})

test_that("save_model_weights_hdf5() writes Keras 2's weights-only file", {
  model <- two_layer_model()
  model(matrix(1, 1, 3))
  path <- tempfile(fileext = ".h5")
  save_model_weights_hdf5(model, path)
  other <- two_layer_model()
  other(matrix(1, 1, 3))
  load_model_weights_hdf5(other, path)
  expect_equal(get_weights(other), get_weights(model))
  expect_error(save_model_weights_hdf5(model, path, overwrite = FALSE),
               "exists")
  native <- tempfile(fileext = ".weights.h5")
  save_model_weights_hdf5(model, native)
  expect_true(file.exists(native))
})

test_that("serialize_model() / unserialize_model() hold a model in R", {
  x <- matrix(runif(30), 10, 3)
  model <- two_layer_model()
  model %>% fit(x, rowSums(x), epochs = 1, verbose = 0)
  bytes <- serialize_model(model)
  expect_true(is.raw(bytes))
  stored <- tempfile(fileext = ".rds")
  saveRDS(bytes, stored)
  again <- unserialize_model(readRDS(stored))
  expect_equal(predict(again, x, verbose = 0), predict(model, x, verbose = 0))
  expect_equal(again$optimizer$iterations, model$optimizer$iterations)
  expect_error(unserialize_model("not raw"), "raw vector")
})
