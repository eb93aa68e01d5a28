# op_*(): generated from the ops table; checked against base R on a
# representative set (axes, shapes, indices in and out, several results).

test_that("every public function of seqcore.ops has an op_*() function", {
  main <- reticulate::py_run_string(paste(
    "def _seqcore_r_ops():",
    "    import inspect, seqcore.ops as ops",
    "    return [n for n in dir(ops) if not n.startswith('_')",
    "            and not inspect.ismodule(getattr(ops, n))",
    "            and callable(getattr(ops, n))]", sep = "\n"),
    local = TRUE, convert = TRUE)
  names <- main[["_seqcore_r_ops"]]()
  expect_true(length(names) > 300)
  # custom_gradient is a Python decorator with nothing to call from R
  excluded <- c("custom_gradient")
  missing <- setdiff(names, c(sub("^op_", "", seqcore_op_functions()$r_function),
                              excluded))
  expect(length(missing) == 0,
         paste("seqcore.ops functions without op_*() (run",
               "r/tools/make_ops_table.py):", paste(missing, collapse = ", ")))
  table <- seqcore_op_functions()
  expect_true(all(table$available))
  for (f in table$r_function) expect_true(is.function(get(f)))
})

test_that("reductions take 1-based axes", {
  x <- matrix(c(1.5, 2, -3, 4, 5.25, 6), 2)
  expect_equal(as.vector(op_sum(x, axis = 1)), colSums(x))
  expect_equal(as.vector(op_sum(x, axis = 2)), rowSums(x))
  expect_equal(as.vector(op_mean(x, axis = -1)), rowMeans(x))
  expect_equal(op_max(x), max(x))
  expect_equal(dim(op_sum(x, axis = 2, keepdims = TRUE)), c(2, 1))
  a <- array(seq_len(24) / 7, c(2, 3, 4))
  expect_equal(op_sum(a, axis = c(1, 3)), apply(a, 2, sum), tolerance = 1e-5,
               ignore_attr = TRUE)
  expect_equal(op_cumsum(x, axis = 2), t(apply(x, 1, cumsum)),
               tolerance = 1e-6)
  expect_equal(op_var(x, axis = 1), apply(x, 2, var) / 2, tolerance = 1e-6,
               ignore_attr = TRUE)
  expect_error(op_sum(x, axis = 0), "1-based")
})

test_that("shapes and axis permutations", {
  a <- array(seq_len(24), c(2, 3, 4)) + 0
  expect_equal(op_reshape(a, c(4, 6)), array_reshape(a, c(4, 6)))
  expect_equal(dim(op_reshape(a, c(-1, 2))), c(12, 2))
  expect_equal(op_transpose(a, axes = c(3, 1, 2)), aperm(a, c(3, 1, 2)))
  expect_equal(op_moveaxis(a, 1, 3), aperm(a, c(2, 3, 1)))
  expect_equal(op_swapaxes(a, 1, 2), aperm(a, c(2, 1, 3)))
  expect_equal(dim(op_expand_dims(a, 1)), c(1, 2, 3, 4))
  expect_equal(dim(op_expand_dims(a, -1)), c(2, 3, 4, 1))
  expect_equal(op_zeros(c(2, 3)), matrix(0, 2, 3))
  expect_equal(op_full(c(2, 2), 7), matrix(7, 2, 2))
  expect_equal(op_broadcast_to(c(1, 2, 3), c(2, 3)),
               matrix(c(1, 2, 3), 2, 3, byrow = TRUE))
  expect_equal(op_stack(list(c(1, 2), c(3, 4)), axis = 2), cbind(c(1, 2), c(3, 4)))
  expect_equal(op_concatenate(list(diag(2), diag(2)), axis = 2),
               cbind(diag(2), diag(2)))
  expect_equal(op_tile(c(1, 2), 2), c(1, 2, 1, 2), ignore_attr = TRUE)
  expect_equal(op_shape(a), list(2L, 3L, 4L))
})

test_that("indices are 1-based in and out, unless zero_indexed", {
  x <- matrix(c(3, 9, 1, 4, 7, 2), 2)
  expect_equal(as.vector(op_argmax(x, axis = 2)), apply(x, 1, which.max))
  expect_equal(as.vector(op_argmin(x, axis = 1)), apply(x, 2, which.min))
  expect_equal(as.vector(op_argmax(x, axis = 2, zero_indexed = TRUE)),
               apply(x, 1, which.max) - 1)
  v <- c(0.5, 3, -1, 2)
  expect_equal(as.vector(op_argsort(v)), order(v))
  expect_equal(as.vector(op_sort(v)), sort(v))
  top <- op_top_k(v, 2)
  expect_equal(as.vector(top[[1]]), c(3, 2))
  expect_equal(as.vector(top[[2]]), c(2, 4))
  expect_equal(as.vector(op_take(c(10, 20, 30), c(3, 1))), c(30, 10))
  expect_equal(op_take(x, c(2, 1), axis = 2), x[, c(2, 1)])
  expect_equal(op_take_along_axis(x, matrix(c(3L, 1L), 2), axis = 2),
               matrix(c(x[1, 3], x[2, 1]), 2))
  expect_equal(op_one_hot(c(1, 3), 3), diag(3)[c(1, 3), ])
  expect_equal(op_slice(x, c(1, 2), c(2, 2)), x[, 2:3])
  expect_equal(op_nonzero(c(0, 1, 0, 2))[[1]], c(2, 4), ignore_attr = TRUE)
  expect_equal(as.vector(op_searchsorted(c(1, 3, 5), c(4, 0))), c(3, 1))
})

test_that("linear algebra, einsum and several results", {
  x <- matrix(c(2, 1, 1, 3, 0.5, 2), 2)
  expect_equal(op_matmul(x, t(x)), x %*% t(x), tolerance = 1e-5)
  expect_equal(op_einsum("ij,kj->ik", x, x), x %*% t(x), tolerance = 1e-5)
  expect_equal(op_tensordot(x, t(x), axes = 1), x %*% t(x), tolerance = 1e-5)
  s <- crossprod(x)
  qr <- op_qr(s)
  expect_equal(qr[[1]] %*% qr[[2]], s, tolerance = 1e-4)
  expect_equal(op_det(matrix(c(2, 1, 1, 3), 2)), 5, tolerance = 1e-5)
  expect_equal(op_solve(matrix(c(2, 1, 1, 3), 2), c(1, 2)),
               solve(matrix(c(2, 1, 1, 3), 2), c(1, 2)), tolerance = 1e-5,
               ignore_attr = TRUE)
  grid <- op_meshgrid(c(1, 2), c(3, 4, 5))
  expect_equal(grid[[1]], matrix(c(1, 2), 3, 2, byrow = TRUE))
  expect_equal(as.vector(op_linspace(0, 1, 5)), seq(0, 1, length.out = 5))
  expect_equal(as.vector(op_arange(0, 5)), 0:4)
  expect_equal(op_eye(3), diag(3))
  expect_equal(op_abs(-3), 3)
  expect_equal(as.vector(op_add(c(1, 2), 1)), c(2, 3))
  expect_equal(op_softmax(c(1, 2, 3)), exp(1:3) / sum(exp(1:3)),
               tolerance = 1e-6, ignore_attr = TRUE)
})

test_that("op_*() in a custom loss work on the traced values of fit()", {
  set_random_seed(1)
  x <- random_matrix(32, 3)
  y <- x %*% c(1, -2, 0.5)
  make <- function(loss) {
    set_random_seed(2)
    keras_model_sequential(input_shape = c(3)) %>% layer_dense(1) %>%
      compile(optimizer = optimizer_sgd(0.1), loss = loss)
  }
  mse_ops <- function(y_true, y_pred)
    op_mean(op_square(op_subtract(y_true, y_pred)), axis = -1)
  a <- make(mse_ops)
  b <- make("mse")
  fit(a, x, y, epochs = 3, batch_size = 8, shuffle = FALSE, verbose = 0)
  fit(b, x, y, epochs = 3, batch_size = 8, shuffle = FALSE, verbose = 0)
  expect_equal(get_weights(a), get_weights(b), tolerance = 1e-5)
  expect_equal(evaluate(a, x, y, verbose = 0)[["loss"]],
               mean((predict(a, x, verbose = 0) - y)^2), tolerance = 1e-5)
})

test_that("op_pad() and op_histogram() take counts", {
  x <- matrix(1:4 + 0, 2)
  padded <- op_pad(x, list(c(1, 0), c(0, 2)))
  expect_equal(padded, rbind(0, cbind(x, 0, 0)))
  h <- op_histogram(c(0.5, 1.5, 1.7, 3.9), bins = 2, range = c(0, 4))
  expect_equal(as.vector(h[[1]]), c(3, 1))
})
