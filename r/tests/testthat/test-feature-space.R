# layer_feature_space() with feature_*() types, and
# audio_dataset_from_directory(), through the Python classes.

test_that("layer_feature_space encodes columns as Keras's FeatureSpace", {
  columns <- list(
    age = c(20, 35, 50, 65, 80, 42),
    city = c("oslo", "rome", "oslo", "lima", "rome", "oslo"),
    code = c(1L, 2L, 3L, 1L, 2L, 9L))
  fs <- layer_feature_space(
    features = list(age = feature_float_normalized(),
                    city = feature_string_categorical(),
                    code = "integer_categorical"),
    crosses = list(feature_cross(c("city", "code"), crossing_dim = 8)),
    output_mode = "concat")
  adapt(fs, columns)
  encoded <- fs(columns)
  # columns sorted by name: age (1), city (OOV + 3), code (OOV + 4), then
  # the cross (8)
  expect_equal(dim(encoded), c(6L, 1L + 4L + 5L + 8L))
  ages <- columns$age
  expect_equal(encoded[, 1], (ages - mean(ages)) /
                 sqrt(mean((ages - mean(ages))^2)), tolerance = 1e-5)
  # each one-hot block has a single 1 per row
  expect_equal(rowSums(encoded[, 2:5]), rep(1, 6))
  expect_equal(rowSums(encoded[, 6:10]), rep(1, 6))
  expect_equal(rowSums(encoded[, 11:18]), rep(1, 6))
  # rows 1, 3 and 6 share their city, so their city block is equal
  expect_equal(encoded[1, 2:5], encoded[3, 2:5])
  expect_false(isTRUE(all.equal(encoded[1, 2:5], encoded[2, 2:5])))
  inputs <- fs$get_inputs()
  expect_equal(sort(names(inputs)), c("age", "city", "code"))
})

test_that("feature_*() build the Keras feature specifications", {
  expect_equal(feature_float_discretized(num_bins = 4)$output_mode, "one_hot")
  expect_equal(feature_string_hashed(5, output_mode = "int")$output_mode,
               "int")
  expect_equal(feature_integer_hashed(7)$preprocessor$num_bins, 7L)
  expect_equal(feature_float_rescaled(scale = 2)$dtype, "float32")
  expect_equal(feature_integer_categorical(max_tokens = 5)$dtype, "int32")
  expect_equal(feature_cross(c("a", "b"), 16)$name, "a_X_b")
  expect_error(layer_feature_space(features = c("float")), "named list")
})

test_that("audio_dataset_from_directory reads WAV folders", {
  root <- tempfile()
  wave <- reticulate::import("wave")
  np <- reticulate::import("numpy", convert = FALSE)
  for (klass in c("no", "yes")) {
    dir.create(file.path(root, klass), recursive = TRUE)
    for (i in 1:2) {
      f <- wave$open(file.path(root, klass, paste0(i, ".wav")), "wb")
      f$setnchannels(1L)
      f$setsampwidth(2L)
      f$setframerate(8000L)
      samples <- np$array(as.integer(c(0, 8192, -8192) * i), dtype = "<i2")
      f$writeframes(samples$tobytes())
      f$close()
    }
  }
  ds <- audio_dataset_from_directory(root, batch_size = 4, shuffle = FALSE,
                                     output_sequence_length = 4,
                                     verbose = FALSE)
  batch <- reticulate::py_to_r(reticulate::py_get_item(ds, 0L))
  expect_equal(dim(batch[[1]]), c(4L, 4L, 1L))
  expect_equal(batch[[1]][2, , 1], c(0, 0.5, -0.5, 0))
  expect_equal(as.integer(batch[[2]]), c(0L, 0L, 1L, 1L))
  expect_equal(unlist(ds$class_names), c("no", "yes"))
  expect_error(audio_dataset_from_directory(root, sampling_rate = 16000,
                                            verbose = FALSE),
               "does not resample")
})
