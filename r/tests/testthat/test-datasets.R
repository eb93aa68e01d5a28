test_that("dataset_digits: R arrays with the images' dimensions", {
  digits <- dataset_digits()
  expect_equal(names(digits), c("train", "test"))
  expect_equal(names(digits$train), c("x", "y"))
  expect_equal(dim(digits$train$x)[2:3], c(8L, 8L))
  expect_equal(dim(digits$train$x)[1], length(digits$train$y))
  expect_equal(dim(digits$train$x)[1] + dim(digits$test$x)[1], 1797L)
  expect_true(all(digits$train$y %in% 0:9))
  expect_true(max(digits$train$x) <= 16)
})

with_seqcore_data <- function(folder, code) {
  os <- reticulate::import("os", convert = FALSE)
  old <- os$environ$get("SEQCORE_DATA")
  os$environ$update(list(SEQCORE_DATA = folder))
  on.exit(if (is.null(reticulate::py_to_r(old)))
    os$environ$pop("SEQCORE_DATA") else
      os$environ$update(list(SEQCORE_DATA = old)))
  force(code)
}

test_that("a missing dataset file is an R error naming where to put it", {
  folder <- tempfile()
  dir.create(folder)
  with_seqcore_data(folder, {
    expect_error(dataset_mnist(), "not found")
    expect_error(dataset_mnist(), folder, fixed = TRUE)
  })
})

test_that("dataset_mnist reads mnist.npz with R's indices", {
  folder <- tempfile()
  dir.create(folder)
  np <- reticulate::import("numpy", convert = FALSE)
  x_train <- array(as.integer(seq_len(2 * 3 * 4) %% 256), dim = c(2, 3, 4))
  np$savez(file.path(folder, "mnist.npz"),
           x_train = np$asarray(x_train, dtype = "uint8"),
           y_train = np$asarray(array(c(7L, 1L)), dtype = "uint8"),
           x_test = np$asarray(x_train[1, , , drop = FALSE], dtype = "uint8"),
           y_test = np$asarray(array(3L), dtype = "uint8"))
  with_seqcore_data(folder, {
    mnist <- dataset_mnist()
  })
  expect_equal(dim(mnist$train$x), c(2L, 3L, 4L))
  expect_equal(as.vector(mnist$train$x), as.vector(x_train))
  expect_equal(mnist$train$x[2, 3, 4], x_train[2, 3, 4])
  expect_equal(as.vector(mnist$train$y), c(7, 1))
})

test_that("dataset_imdb gives lists of integer word ids", {
  folder <- tempfile()
  dir.create(folder)
  reticulate::py_run_string(sprintf(paste(
    "import numpy as np",
    "def seqs(lists):",
    "    out = np.empty(len(lists), dtype=object)",
    "    out[:] = lists",
    "    return out",
    "np.savez(%s, x_train=seqs([[1, 2, 3], [4, 5]]), y_train=np.array([1, 0]),",
    "         x_test=seqs([[6]]), y_test=np.array([1]))", sep = "\n"),
    shQuote(file.path(folder, "imdb.npz"))))
  with_seqcore_data(folder, {
    imdb <- dataset_imdb(num_words = 100, seed = 1)
  })
  expect_length(imdb$train$x, 2)
  expect_true(all(vapply(imdb$train$x, is.integer, TRUE)))
  lengths <- sort(vapply(imdb$train$x, length, 0L))
  expect_equal(lengths, c(3L, 4L))   # start_char added
  # ids shifted by index_from = 3 after start_char = 1
  expect_equal(imdb$test$x[[1]], c(1L, 9L))
  expect_equal(sort(imdb$train$y), c(0, 1))
})

test_that("dataset_fashion_mnist reads Debian's dataset-fashion-mnist files", {
  skip_if_not(file.exists(
    "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"),
    "Debian's dataset-fashion-mnist is not installed")
  c(c(x_train, y_train), c(x_test, y_test)) %<-% dataset_fashion_mnist()
  expect_equal(dim(x_train), c(60000L, 28L, 28L))
  expect_equal(dim(x_test), c(10000L, 28L, 28L))
  expect_equal(length(y_train), 60000L)
  expect_true(all(y_test %in% 0:9))
  expect_true(max(x_train) <= 255 && min(x_train) >= 0)
  # the images are upright: fashion items have more ink below the top rows
  expect_gt(mean(x_train[1:200, 10:20, ]), mean(x_train[1:200, 1:2, ]))
})
