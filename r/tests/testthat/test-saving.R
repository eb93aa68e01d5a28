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

test_that("get_config/from_config and model_to_json/model_from_json", {
  model <- keras_model_sequential(input_shape = c(4), name = "configured") %>%
    layer_dense(3, activation = "relu", name = "hidden") %>%
    layer_dense(2, name = "out")
  config <- get_config(model)
  expect_equal(config$name, "configured")
  rebuilt <- from_config(config)
  expect_equal(vapply(rebuilt$layers, function(l) l$name, ""),
               c("hidden", "out"))
  expect_equal(count_params(rebuilt), count_params(model))
  json <- model_to_json(model)
  expect_type(json, "character")
  again <- model_from_json(json)
  expect_equal(again$layers[[1]]$get_config()$activation, "relu")
  dense <- layer_dense(units = 5, name = "solo")
  expect_equal(from_config(get_config(dense))$units, 5L)
  expect_error(from_config(list(a = 1)), "has no class")
})

test_that("the learning rate can be read and assigned from R", {
  model <- keras_model_sequential(input_shape = c(2)) %>% layer_dense(1) %>%
    compile(optimizer = optimizer_sgd(0.1), loss = "mse")
  model$optimizer$learning_rate <- 0.05
  expect_equal(model$optimizer$learning_rate, 0.05, tolerance = 1e-7)
})
