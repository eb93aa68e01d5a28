# random_*(): keras.random, with R shapes, 1-based axes and R arrays out.

random_fn <- function(name) seqcore_attr("random", name)

# A seed: a number (as an integer), a random_seed_generator(), or NULL.
as_seed <- function(seed) {
  if (is.null(seed) || inherits(seed, "python.builtin.object")) seed
  else as_count(seed)
}

#' Random tensors (keras.random)
#'
#' Draws come back as R arrays of shape `shape`. `seed` is a number (the
#' same seed gives the same draw) or a `random_seed_generator()` (whose
#' state advances with each draw); `NULL` draws from the global generator
#' (see [set_random_seed()]).
#'
#' @param shape The shape of the result (an R vector).
#' @param mean,stddev Of the normal distributions.
#' @param minval,maxval Bounds (the upper one excluded).
#' @param alpha,beta,counts,probabilities Parameters of the gamma, beta and
#'   binomial distributions.
#' @param logits A matrix: one row of unnormalized log-probabilities per
#'   batch element.
#' @param num_samples Draws per row.
#' @param zero_indexed `random_categorical()`: return classes from 0 (as
#'   Python) instead of from 1.
#' @param inputs,x An R array.
#' @param rate,noise_shape As in `layer_dropout()`.
#' @param axis The axis to shuffle along (1-based).
#' @param dtype The element type.
#' @param seed A number, a seed generator or `NULL`.
#' @param ... Other arguments of `keras.random.SeedGenerator` (`name`).
#' @return An R array; `random_seed_generator()`: a seed generator.
#' @name random
NULL

random_result <- function(x) {
  if (inherits(x, "python.builtin.object")) k_result(x) else x
}

#' @rdname random
#' @export
random_normal <- function(shape, mean = 0, stddev = 1, dtype = NULL,
                          seed = NULL) {
  random_result(random_fn("normal")(as_shape(shape), mean = mean,
                                    stddev = stddev, dtype = dtype,
                                    seed = as_seed(seed)))
}
#' @rdname random
#' @export
random_uniform <- function(shape, minval = 0, maxval = 1, dtype = NULL,
                           seed = NULL) {
  random_result(random_fn("uniform")(as_shape(shape), minval = minval,
                                     maxval = maxval, dtype = dtype,
                                     seed = as_seed(seed)))
}
#' @rdname random
#' @export
random_truncated_normal <- function(shape, mean = 0, stddev = 1,
                                    dtype = NULL, seed = NULL) {
  random_result(random_fn("truncated_normal")(
    as_shape(shape), mean = mean, stddev = stddev, dtype = dtype,
    seed = as_seed(seed)))
}
#' @rdname random
#' @export
random_integer <- function(shape, minval, maxval, dtype = "int32",
                           seed = NULL) {
  random_result(random_fn("randint")(as_shape(shape), as_count(minval),
                                     as_count(maxval), dtype = dtype,
                                     seed = as_seed(seed)))
}
#' @rdname random
#' @export
random_categorical <- function(logits, num_samples, dtype = "int32",
                               seed = NULL, zero_indexed = FALSE) {
  out <- random_result(random_fn("categorical")(
    as_py_array(logits), as_count(num_samples), dtype = dtype,
    seed = as_seed(seed)))
  if (zero_indexed) out else out + 1L
}
#' @rdname random
#' @export
random_dropout <- function(inputs, rate, noise_shape = NULL, seed = NULL) {
  random_result(random_fn("dropout")(as_py_array(inputs), rate,
                                     noise_shape = as_shape(noise_shape),
                                     seed = as_seed(seed)))
}
#' @rdname random
#' @export
random_shuffle <- function(x, axis = 1, seed = NULL) {
  random_result(random_fn("shuffle")(as_py_array(x), axis = as_axis(axis),
                                     seed = as_seed(seed)))
}
#' @rdname random
#' @export
random_gamma <- function(shape, alpha, dtype = NULL, seed = NULL) {
  random_result(random_fn("gamma")(as_shape(shape), alpha, dtype = dtype,
                                   seed = as_seed(seed)))
}
#' @rdname random
#' @export
random_beta <- function(shape, alpha, beta, dtype = NULL, seed = NULL) {
  random_result(random_fn("beta")(as_shape(shape), alpha, beta, dtype = dtype,
                                  seed = as_seed(seed)))
}
#' @rdname random
#' @export
random_binomial <- function(shape, counts, probabilities, dtype = NULL,
                            seed = NULL) {
  random_result(random_fn("binomial")(as_shape(shape), counts, probabilities,
                                      dtype = dtype, seed = as_seed(seed)))
}
#' @rdname random
#' @export
random_seed_generator <- function(seed = NULL, ...) {
  do.call(random_fn("SeedGenerator"),
          c(list(seed = as_seed(seed)), as_py_args(list(...))))
}
