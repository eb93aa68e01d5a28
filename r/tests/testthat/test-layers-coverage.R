# Every layer class in Python seqcore.layers has an R layer_*() function; the
# layers added for issue 17 compute what they should.

# Classes R keras has no layer_*() function for: base classes and the input.
excluded_layer_classes <- c(
  "Layer",         # the base class (R keras: Layer() / new_layer_class())
  "InputLayer",    # made by layer_input() / keras_model_sequential(input_shape)
  "Wrapper",       # base class of Bidirectional / TimeDistributed
  "RNNCell",       # base class of the cells, if seqcore exposes it
  "DropoutRNNCell",
  "BaseImagePreprocessingLayer", "DataLayer", "TFDataLayer"  # base classes
)

test_that("every non-alias layer class in seqcore.layers has an R function", {
  classes <- py_module_classes("seqcore.layers", "seqcore.engine.layer.Layer")
  expect_true(length(classes) > 90)
  table <- seqcore_layer_functions()
  missing <- unwrapped_classes(classes, table$python_class,
                               excluded_layer_classes)
  expect(length(missing) == 0,
         paste("seqcore.layers classes without an R layer_*() function",
               "(add a layer_wrapper() line to r/R/layers.R):",
               paste(missing, collapse = ", ")))
  # and the table agrees with Python about which exist
  for (i in which(table$available))
    expect_true(table$python_class[i] %in% unlist(classes))
})

test_that("3D padding, cropping, upsampling and transposed convolution", {
  x <- array(seq_len(2 * 3 * 4 * 2), c(1, 2, 3, 4, 2)) + 0.5
  padded <- layer_zero_padding_3d(padding = 1)(x)
  expect_equal(dim(padded), c(1, 4, 5, 6, 2))
  expect_equal(padded[1, 2:3, 2:4, 2:5, ], x[1, , , , ])
  expect_equal(sum(padded), sum(x))
  cropped <- layer_cropping_3d(cropping = list(c(1, 0), c(1, 1), c(0, 2)))(x)
  expect_equal(cropped, x[, 2, 2, 1:2, , drop = FALSE])
  up <- layer_upsampling_3d(size = c(2, 1, 2))(x)
  expect_equal(dim(up), c(1, 4, 3, 8, 2))
  expect_equal(up[1, , , , 1], x[1, rep(1:2, each = 2), , rep(1:4, each = 2), 1])
  conv <- layer_conv_3d_transpose(filters = 1, kernel_size = 1,
                                  kernel_initializer = "ones",
                                  use_bias = FALSE)
  y <- conv(x)
  expect_equal(y[1, , , , 1], x[1, , , , 1] + x[1, , , , 2], tolerance = 1e-5)
  expect_equal(dim(layer_spatial_dropout_3d(rate = 0.5)(x)), dim(x))
  expect_equal(layer_spatial_dropout_3d(rate = 0.5)(x), x)  # inference
})

test_that("layer_rnn(layer_lstm_cell()) computes what layer_lstm() does", {
  x <- array(runif(2 * 5 * 3), c(2, 5, 3))
  lstm <- layer_lstm(units = 4)
  expected <- lstm(x)
  rnn <- layer_rnn(cell = layer_lstm_cell(4))
  rnn(x)
  set_weights(rnn, get_weights(lstm))
  expect_equal(rnn(x), expected, tolerance = 1e-5)
  cells <- layer_stacked_rnn_cells(list(layer_gru_cell(2),
                                        layer_simple_rnn_cell(3)))
  out <- layer_rnn(cell = cells, return_sequences = TRUE)(x)
  expect_equal(dim(out), c(2, 5, 3))
  expect_true(all(abs(out) <= 1))  # tanh
  expect_equal(dim(layer_conv_lstm_1d(filters = 2, kernel_size = 3)(
    array(runif(2 * 4 * 6 * 1), c(2, 4, 6, 1)))), c(2, 4, 2))
})

test_that("preprocessing: adapt(), get_vocabulary(), set_vocabulary()", {
  lookup <- layer_string_lookup()
  adapt(lookup, c("a", "b", "b", "c", "c", "c"))
  expect_equal(get_vocabulary(lookup), c("[UNK]", "c", "b", "a"))
  expect_equal(get_vocabulary(lookup, include_special_tokens = FALSE),
               c("c", "b", "a"))
  expect_equal(as.vector(lookup(c("c", "a", "zzz"))), c(1, 3, 0))
  set_vocabulary(lookup, c("x", "y"))
  expect_equal(get_vocabulary(lookup), c("[UNK]", "x", "y"))
  expect_equal(as.vector(lookup(matrix(c("y", "x", "q", "y"), 2))),
               c(2, 1, 0, 2))
  ints <- layer_integer_lookup(vocabulary = c(12, 36))
  expect_equal(as.vector(ints(c(36L, 12L, 5L))), c(2, 1, 0))
  text <- layer_text_vectorization(output_mode = "int")
  adapt(text, c("the cat sat", "the dog"))
  vocab <- get_vocabulary(text)
  expect_equal(vocab[1:3], c("", "[UNK]", "the"))
  encoded <- text(c("the cat", "dog"))
  expect_equal(encoded[1, ], match(c("the", "cat"), vocab) - 1)
  expect_equal(encoded[2, ], c(match("dog", vocab) - 1, 0))
  disc <- layer_discretization(bin_boundaries = c(0, 1))
  expect_equal(as.vector(disc(c(-1, 0.5, 2, 0))), c(0, 1, 2, 1))
  disc2 <- layer_discretization(num_bins = 2)
  adapt(disc2, c(1, 2, 3, 4))
  expect_equal(as.vector(disc2(c(1, 4))), c(0, 1))
  hash <- layer_hashing(num_bins = 3)
  h <- as.vector(hash(c(1L, 2L, 3L, 1L)))
  expect_true(all(h %in% 0:2))
  expect_equal(h[1], h[4])
  norm <- layer_normalization()
  x <- matrix(c(1, 2, 3, 10, 20, 30), 3)
  adapt(norm, x)
  expect_equal(norm(x), scale(x) * sqrt(3 / 2), tolerance = 1e-4,
               ignore_attr = TRUE)
})

test_that("image augmentation layers, attention and spectral normalization", {
  img <- array(runif(1 * 4 * 4 * 3), c(1, 4, 4, 3))
  # as Keras 3: identity when told training = FALSE (predict), augmenting
  # when the call does not say
  expect_equal(layer_random_contrast(factor = 0.5)(img, training = FALSE),
               img, tolerance = 1e-6)
  expect_equal(layer_random_brightness(factor = 0.5)(img, training = FALSE),
               img, tolerance = 1e-6)
  expect_equal(layer_random_translation(height_factor = 0.2,
                                        width_factor = 0.2)(
    img, training = FALSE), img, tolerance = 1e-6)
  expect_false(isTRUE(all.equal(
    layer_random_brightness(factor = 0.5, value_range = c(0, 1))(img), img)))
  crop <- layer_random_crop(height = 2, width = 2)(img, training = TRUE)
  windows <- expand.grid(i = 1:3, j = 1:3)
  found <- mapply(function(i, j) isTRUE(all.equal(
    crop, img[, i:(i + 1), j:(j + 1), , drop = FALSE], tolerance = 1e-6)),
    windows$i, windows$j)
  expect_equal(sum(found), 1)  # one 2 x 2 window of the image
  q <- array(runif(1 * 4 * 6), c(1, 4, 6))
  gqa <- layer_group_query_attention(head_dim = 2, num_query_heads = 2,
                                     num_key_value_heads = 1)
  expect_equal(dim(gqa(list(q, q))), c(1, 4, 6))
  sn <- layer_spectral_normalization(layer = layer_dense(units = 3))
  x <- matrix(runif(4), 2)
  for (i in 1:20) y <- sn(x, training = TRUE)
  expect_equal(dim(y), c(2, 3))
  # training rescales the kernel to spectral norm 1 (power iteration)
  kernel <- sn$layer$kernel$numpy()
  expect_equal(max(svd(kernel)$d), 1, tolerance = 1e-3)
})

test_that("cells are created without an object to compose with", {
  expect_equal(names(formals(layer_lstm_cell))[1], "units")
  expect_equal(layer_gru_cell(units = 5)$units, 5L)
  expect_equal(names(formals(layer_conv_3d_transpose))[1:3],
               c("object", "filters", "kernel_size"))
})
