# Datasets, as R keras returns them: list(train = list(x, y),
# test = list(x, y)). Files are read from the machine as seqcore's Python
# loaders do (SEQCORE_DATA, ~/.keras/datasets); nothing is downloaded.

dataset_pair <- function(split) {
  list(train = list(x = split[[1]][[1]], y = split[[1]][[2]]),
       test = list(x = split[[2]][[1]], y = split[[2]][[2]]))
}

# Object arrays of token-id lists as R lists of integer vectors. `split` is
# the Python ((x_train, y_train), (x_test, y_test)), not converted.
sequence_pair <- function(split) {
  item <- function(x, i) reticulate::py_get_item(x, as.integer(i))  # 0-based
  builtins <- reticulate::import_builtins(convert = FALSE)
  ids <- function(xs) lapply(reticulate::py_to_r(builtins$list(xs)),
                             function(x) as.integer(unlist(x)))
  labels <- function(y) as.vector(reticulate::py_to_r(y))
  part <- function(i) list(x = ids(item(item(split, i), 0)),
                           y = labels(item(item(split, i), 1)))
  list(train = part(0), test = part(1))
}

seqcore_loader <- function(name, convert = TRUE) {
  seqcore_attr("datasets", name)  # a clear error when seqcore lacks it
  module <- reticulate::import(paste0("seqcore.datasets.", name),
                               convert = convert)
  module$load_data
}

#' Datasets
#'
#' `dataset_mnist()`, `dataset_fashion_mnist()` and `dataset_cifar10()` give
#' integer arrays of images (`x`) and labels (`y`); `dataset_imdb()` and
#' `dataset_reuters()` give lists of integer vectors of word ids.
#' `dataset_digits()` gives the 8x8 digits bundled with seqcore. The files
#' must be on the machine (seqcore does not download): in `SEQCORE_DATA` or
#' `~/.keras/datasets`; the error names the folders searched.
#'
#' @param path File name of the dataset.
#' @param num_words,skip_top,maxlen,seed,start_char,oov_char,index_from,test_split
#'   As in Keras's loaders.
#' @param ... Other arguments of the Python loader.
#' @return `list(train = list(x, y), test = list(x, y))`.
#' @name datasets
NULL

#' @rdname datasets
#' @export
dataset_mnist <- function(path = "mnist.npz") {
  dataset_pair(seqcore_loader("mnist")(path = path))
}

#' @rdname datasets
#' @export
dataset_fashion_mnist <- function() {
  dataset_pair(seqcore_loader("fashion_mnist")())
}

#' @rdname datasets
#' @export
dataset_cifar10 <- function() {
  dataset_pair(seqcore_loader("cifar10")())
}

#' @rdname datasets
#' @export
dataset_cifar100 <- function(...) {
  dataset_pair(do.call(seqcore_loader("cifar100"), as_py_args(list(...))))
}

#' @rdname datasets
#' @export
dataset_imdb <- function(path = "imdb.npz", num_words = NULL, skip_top = 0L,
                         maxlen = NULL, seed = 113L, start_char = 1L,
                         oov_char = 2L, index_from = 3L) {
  args <- as_py_args(list(path = path, num_words = num_words,
                          skip_top = skip_top, maxlen = maxlen, seed = seed,
                          start_char = start_char, oov_char = oov_char,
                          index_from = index_from))
  sequence_pair(do.call(seqcore_loader("imdb", convert = FALSE), args))
}

#' @rdname datasets
#' @export
dataset_reuters <- function(path = "reuters.npz", num_words = NULL,
                            skip_top = 0L, maxlen = NULL, test_split = 0.2,
                            seed = 113L, start_char = 1L, oov_char = 2L,
                            index_from = 3L) {
  args <- as_py_args(list(path = path, num_words = num_words,
                          skip_top = skip_top, maxlen = maxlen,
                          test_split = test_split, seed = seed,
                          start_char = start_char, oov_char = oov_char,
                          index_from = index_from))
  sequence_pair(do.call(seqcore_loader("reuters", convert = FALSE), args))
}

#' @rdname datasets
#' @export
dataset_digits <- function(test_split = 0.2, seed = 113L) {
  dataset_pair(py_seqcore()$datasets$load_digits(test_split = test_split,
                                                 seed = as_count(seed)))
}

#' @rdname datasets
#' @export
dataset_boston_housing <- function(path = "boston_housing.npz",
                                   test_split = 0.2, seed = 113L) {
  dataset_pair(seqcore_loader("boston_housing")(
    path = path, test_split = test_split, seed = as.integer(seed)))
}

#' @rdname datasets
#' @param version California housing: `"large"` (20,640 districts) or
#'   `"small"` (600).
#' @export
dataset_california_housing <- function(version = "large",
                                       path = "california_housing.npz",
                                       test_split = 0.2, seed = 113L) {
  dataset_pair(seqcore_loader("california_housing")(
    version = version, path = path, test_split = test_split,
    seed = as.integer(seed)))
}
