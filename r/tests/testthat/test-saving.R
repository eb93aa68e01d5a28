test_that("save_model/load_model round-trips a trained model (.keras)", {
  model <- keras_model_sequential(input_shape = c(6)) %>%
    layer_dense(5, activation = "relu") %>%
    layer_dense(2, activation = "softmax") %>%
    compile(optimizer = "adam", loss = "categorical_crossentropy",
            metrics = "accuracy")
  x <- random_matrix(12, 6)
  model %>% fit(x, one_hot_labels(12, 2), epochs = 1, verbose = 0)
  path <- tempfile(fileext = ".keras")
  save_model(model, path)
  expect_true(file.exists(path))
  restored <- load_model(path)
  expect_equal(predict(restored, x, verbose = 0), predict(model, x, verbose = 0),
               tolerance = 1e-7)
  expect_equal(vapply(restored$layers, function(l) l$name, ""),
               vapply(model$layers, function(l) l$name, ""))
  expect_error(load_model(tempfile(fileext = ".keras")), "no file at")
})

test_that("save_model_weights/load_model_weights (.weights.h5)", {
  make <- function() keras_model_sequential(input_shape = c(4)) %>%
    layer_dense(3) %>% layer_dense(1)
  model <- make()
  path <- tempfile(fileext = ".weights.h5")
  save_model_weights(model, path)
  other <- make()
  x <- random_matrix(5, 4)
  expect_false(isTRUE(all.equal(predict(other, x, verbose = 0),
                                predict(model, x, verbose = 0))))
  load_model_weights(other, path)
  expect_equal(predict(other, x, verbose = 0), predict(model, x, verbose = 0),
               tolerance = 1e-7)
})
