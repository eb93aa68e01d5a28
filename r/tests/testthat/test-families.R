# config_*, random_*, constraint_*, application_*, metric_*, loss_*,
# callback_*, optimizer_*, schedules, initializers, regularizers: every
# Python class has its R function, and a representative set computes what it
# should.

test_that("every class of these seqcore modules has an R function", {
  families <- list(
    # prefix, module, base classes / helpers excluded (no R keras function)
    list("metric_", "metrics", c("Metric", "MeanMetricWrapper")),
    list("loss_", "losses", c("Loss", "LossFunctionWrapper", "BuiltinLoss")),
    list("callback_", "callbacks", c("Callback", "CallbackList", "History",
                                     "MonitorCallback")),
    list("optimizer_", "optimizers", c("Optimizer")),
    list("learning_rate_schedule_", "optimizers.schedules",
         c("LearningRateSchedule")),
    list("initializer_", "initializers", c("Initializer")),
    list("regularizer_", "regularizers", c("Regularizer")),
    list("application_", "applications", character()))
  for (family in families) {
    classes <- py_module_classes(paste0("seqcore.", family[[2]]))
    classes <- classes[grepl("^[A-Z]", names(classes))]
    wrapped <- r_wrapped_classes(family[[1]], family[[2]])
    missing <- unwrapped_classes(classes, wrapped, family[[3]])
    expect(length(missing) == 0,
           paste0("seqcore.", family[[2]], " classes without ", family[[1]],
                  "*(): ", paste(missing, collapse = ", ")))
  }
})

test_that("config_*() read and set keras.config", {
  expect_equal(config_floatx(), "float32")
  expect_equal(config_image_data_format(), "channels_last")
  old <- config_epsilon()
  config_set_epsilon(1e-5)
  expect_equal(config_epsilon(), 1e-5)
  expect_equal(k_epsilon(), 1e-5)
  config_set_epsilon(old)
  expect_equal(config_epsilon(), old)
  config_set_image_data_format("channels_first")
  expect_equal(config_image_data_format(), "channels_first")
  config_set_image_data_format("channels_last")
  expect_true(is.logical(config_is_interactive_logging_enabled()))
})

test_that("random_*(): shapes, seeds and distributions", {
  x <- random_normal(c(200, 50), mean = 2, stddev = 3, seed = 1)
  expect_equal(dim(x), c(200, 50))
  expect_equal(x, random_normal(c(200, 50), mean = 2, stddev = 3, seed = 1))
  expect_false(isTRUE(all.equal(x, random_normal(c(200, 50), mean = 2,
                                                 stddev = 3, seed = 2))))
  expect_equal(mean(x), 2, tolerance = 0.05)
  expect_equal(sd(as.vector(x)), 3, tolerance = 0.05)
  u <- random_uniform(c(10000), minval = -1, maxval = 3, seed = 3)
  expect_true(all(u >= -1 & u < 3))
  expect_equal(mean(u), 1, tolerance = 0.05)
  t <- random_truncated_normal(c(5000), seed = 4)
  expect_true(all(abs(t) <= 2))
  i <- random_integer(c(1000), 2, 5, seed = 5)
  expect_setequal(unique(as.vector(i)), 2:4)
  # rows with one possible class: 1-based classes (0-based on request)
  logits <- matrix(c(0, -Inf, -Inf, 0), 2)
  expect_equal(random_categorical(logits, 3, seed = 1),
               matrix(c(1, 2), 2, 3))
  expect_equal(random_categorical(logits, 3, seed = 1, zero_indexed = TRUE),
               matrix(c(0, 1), 2, 3))
  g <- random_seed_generator(7)
  a <- random_uniform(c(3), seed = g)
  b <- random_uniform(c(3), seed = g)
  expect_false(isTRUE(all.equal(a, b)))
  expect_equal(a, random_uniform(c(3), seed = random_seed_generator(7)))
  m <- matrix(1:12, 6)
  s <- random_shuffle(m, axis = 1, seed = 1)
  expect_equal(s[order(s[, 1]), ], m)
  d <- random_dropout(matrix(1, 100, 100), rate = 0.5, seed = 1)
  expect_setequal(unique(as.vector(d)), c(0, 2))
  expect_equal(mean(random_gamma(c(20000), alpha = 2, seed = 1)), 2,
               tolerance = 0.05)
  expect_equal(mean(random_beta(c(20000), 2, 3, seed = 1)), 0.4,
               tolerance = 0.05)
  expect_equal(mean(random_binomial(c(20000), 10, 0.3, seed = 1)), 3,
               tolerance = 0.05)
})

test_that("constraint_*() (needs seqcore.constraints)", {
  if (!reticulate::py_module_available("seqcore.constraints")) {
    expect_error(constraint_nonneg(), "seqcore has no module seqcore.constraints")
    skip("seqcore.constraints is not in this seqcore yet")
  }
  w <- matrix(c(3, 4, -1, 0.5, 6, -8), 2)
  # axis = 1: the norm of each column (the weights into one unit)
  expected <- sweep(w, 2, pmin(1, 2 / sqrt(colSums(w^2))), `*`)
  expect_equal(constraint_maxnorm(2, axis = 1)(w), expected, tolerance = 1e-5,
               ignore_attr = TRUE)
  expect_equal(constraint_nonneg()(w), pmax(w, 0), ignore_attr = TRUE)
  expect_equal(colSums(constraint_unitnorm(axis = 1)(w)^2), rep(1, 3),
               tolerance = 1e-5)
  expect_equal(constraint_maxnorm(axis = 2)$get_config()$axis, 1L)
  layer <- layer_dense(units = 2, kernel_constraint = constraint_nonneg())
  expect_true(!is.null(layer$kernel_constraint))
})

test_that("constraint_*() pass Keras's arguments (0-based axis)", {
  # a stand-in seqcore.constraints recording what each class receives, so
  # that the R side is checked whether or not seqcore has the module yet
  main <- reticulate::py_run_string(paste(
    "def _seqcore_r_fake_constraints():",
    "    import types",
    "    mod = types.ModuleType('fake_constraints')",
    "    for name in ('MaxNorm', 'MinMaxNorm', 'NonNeg', 'UnitNorm'):",
    "        def init(self, **kwargs): self.kwargs = kwargs",
    "        setattr(mod, name, type(name, (), {'__init__': init}))",
    "    return mod", sep = "\n"), local = TRUE, convert = FALSE)
  fake <- main[["_seqcore_r_fake_constraints"]]()
  sc <- reticulate::import("seqcore", convert = FALSE)
  real <- if (reticulate::py_has_attr(sc, "constraints")) sc$constraints
  reticulate::py_set_attr(sc, "constraints", fake)
  on.exit(if (is.null(real)) reticulate::py_del_attr(sc, "constraints") else
    reticulate::py_set_attr(sc, "constraints", real))
  kwargs <- function(c) {
    k <- c$kwargs
    if (inherits(k, "python.builtin.object")) reticulate::py_to_r(k) else k
  }
  expect_equal(kwargs(constraint_maxnorm(3, axis = 2)),
               list(max_value = 3, axis = 1L))
  expect_equal(kwargs(constraint_maxnorm()), list(max_value = 2, axis = 0L))
  expect_equal(kwargs(constraint_minmaxnorm(0.5, 2, rate = 0.5,
                                            axis = c(1, 2))),
               list(min_value = 0.5, max_value = 2, rate = 0.5,
                    axis = list(0L, 1L)))
  expect_equal(kwargs(constraint_unitnorm(axis = -1)), list(axis = -1L))
  expect_equal(kwargs(constraint_nonneg()), setNames(list(), character()))
})

test_that("applications: preprocessing and decoding", {
  x <- array(c(0, 255, 10, 20, 30, 40), c(1, 1, 2, 3))
  # vgg16 / resnet ("caffe"): RGB -> BGR, minus the ImageNet means
  expected <- x[, , , 3:1, drop = FALSE]
  expected <- sweep(expected, 4, c(103.939, 116.779, 123.68))
  expect_equal(application_preprocess_inputs("vgg16", x), expected,
               tolerance = 1e-4)
  # mobilenet_v2 ("tf"): to [-1, 1]
  expect_equal(application_preprocess_inputs("mobilenet_v2", x),
               x / 127.5 - 1, tolerance = 1e-5)
  # the module follows the model's name
  expect_equal(application_module(list(name = "resnet50v2")), "resnet_v2")
  expect_equal(application_module(list(name = "mobilenetv2_1.00_224")),
               "mobilenet_v2")
  expect_equal(application_module(list(name = "efficientnetb3")),
               "efficientnet")
  # decoding reads imagenet_class_index.json from KERAS_HOME/models
  home <- tempfile()
  dir.create(file.path(home, "models"), recursive = TRUE)
  index <- paste0("{", paste0('"', 0:999, '": ["n', 0:999, '", "class', 0:999,
                              '"]', collapse = ", "), "}")
  writeLines(index, file.path(home, "models", "imagenet_class_index.json"))
  os <- reticulate::import("os", convert = FALSE)
  old <- reticulate::py_to_r(os$environ$get("KERAS_HOME"))
  os$environ$`__setitem__`("KERAS_HOME", home)
  on.exit(if (is.null(old)) os$environ$pop("KERAS_HOME") else
    os$environ$`__setitem__`("KERAS_HOME", old))
  preds <- matrix(0, 2, 1000)
  preds[1, c(8, 3)] <- c(0.7, 0.2)
  preds[2, 1000] <- 1
  decoded <- application_decode_predictions("resnet", preds, top = 2)
  expect_equal(decoded[[1]]$class_name, c("n7", "n2"))
  expect_equal(decoded[[1]]$class_description, c("class7", "class2"))
  expect_equal(decoded[[1]]$score, c(0.7, 0.2), tolerance = 1e-6)
  expect_equal(decoded[[2]]$class_name[1], "n999")
})

test_that("the added metrics and losses against base R", {
  y_true <- matrix(c(1, 0, 1, 1, 0, 1), ncol = 1)
  y_pred <- matrix(c(0.9, 0.6, 0.4, 0.8, 0.2, 0.7), ncol = 1)
  tp <- metric_true_positives()
  tp$update_state(y_true, y_pred)
  expect_equal(as.numeric(tp$result()), 3)
  fp <- metric_false_positives()
  fp$update_state(y_true, y_pred)
  expect_equal(as.numeric(fp$result()), 1)
  r2 <- metric_r2_score()
  yt <- c(1, 2, 3, 4)
  yp <- c(1.1, 1.9, 3.2, 3.7)
  r2$update_state(matrix(yt), matrix(yp))
  expect_equal(as.numeric(r2$result()),
               1 - sum((yt - yp)^2) / sum((yt - mean(yt))^2), tolerance = 1e-5)
  f1 <- metric_f1_score(threshold = 0.5)
  f1$update_state(cbind(y_true, 1 - y_true), cbind(y_pred, 1 - y_pred))
  precision <- 3 / 4
  recall <- 3 / 4
  expect_equal(as.vector(f1$result())[1],
               2 * precision * recall / (precision + recall), tolerance = 1e-5)
  p <- matrix(c(0.5, 0.5), 1)
  q <- matrix(c(0.4, 0.6), 1)
  expect_equal(as.vector(metric_kl_divergence(p, q)),
               sum(p * log(p / q)), tolerance = 1e-5)
  expect_equal(as.vector(loss_kl_divergence(p, q)), sum(p * log(p / q)),
               tolerance = 1e-5)
  a <- matrix(c(1, 0, 1, 0), 2)
  b <- matrix(c(0.9, 0.1, 0.8, 0.2), 2)
  # Keras's dice with axis = NULL: one ratio over the whole batch
  expect_equal(loss_dice(a, b), 1 - 2 * sum(a * b) / (sum(a) + sum(b)),
               tolerance = 1e-5)
  expect_equal(loss_tversky(alpha = 0.3)$get_config()$alpha, 0.3)
  expect_equal(metric_log_cosh(matrix(0.5), matrix(0)), log(cosh(0.5)),
               tolerance = 1e-6, ignore_attr = TRUE)
})

test_that("callbacks, optimizers, timeseries_dataset_from_array, clone_model", {
  expect_s3_class(callback_terminate_on_nan(),
                  "seqcore.callbacks.terminate_on_nan.TerminateOnNaN")
  expect_equal(optimizer_adam_w(learning_rate = 0.01,
                                weight_decay = 0.1)$weight_decay, 0.1,
               tolerance = 1e-7)
  data <- matrix(1:20 + 0, 10)
  ds <- timeseries_dataset_from_array(data, targets = 1:10 * 10,
                                      sequence_length = 3, batch_size = 4)
  batch <- reticulate::iter_next(reticulate::as_iterator(ds))
  expect_equal(dim(batch[[1]]), c(4, 3, 2))
  expect_equal(batch[[1]][2, , ], data[2:4, ])
  expect_equal(as.vector(batch[[2]]), c(10, 20, 30, 40))
  later <- timeseries_dataset_from_array(data, NULL, sequence_length = 3,
                                         start_index = 5, batch_size = 4)
  first <- reticulate::iter_next(reticulate::as_iterator(later))
  expect_equal(first[1, , ], data[5:7, ])
  model <- keras_model_sequential(input_shape = c(3)) %>%
    layer_dense(4) %>% layer_dense(1)
  clone <- clone_model(model)
  expect_equal(count_params(clone), count_params(model))
  expect_equal(length(clone$layers), 2)
  set_weights(clone, get_weights(model))
  x <- random_matrix(5, 3)
  expect_equal(predict(clone, x, verbose = 0), predict(model, x, verbose = 0))
})

test_that("optimizer_muon, _schedule_free_adamw, _loss_scale, _multi train", {
  x <- matrix(seq(-1, 1, length.out = 32), 16)
  y <- matrix(rowSums(x), 16)
  fit_with <- function(optimizer) {
    model <- keras_model_sequential(input_shape = c(2)) %>%
      layer_dense(3, name = "hidden") %>% layer_dense(1, name = "out")
    model %>% compile(optimizer = optimizer, loss = "mse")
    before <- evaluate(model, x, y, verbose = 0)
    model %>% fit(x, y, epochs = 20, batch_size = 16, verbose = 0)
    list(model = model, before = before,
         after = evaluate(model, x, y, verbose = 0))
  }
  for (optimizer in list(optimizer_muon(learning_rate = 0.02),
                         optimizer_schedule_free_adamw(learning_rate = 0.05),
                         optimizer_loss_scale(optimizer_adam(0.05),
                                              initial_scale = 8))) {
    run <- fit_with(optimizer)
    expect_lt(run$after, run$before)
  }
  lso <- optimizer_loss_scale(optimizer_sgd(0.1), initial_scale = 8,
                              dynamic_growth_steps = 2L)
  expect_equal(lso$scale_loss(1.5), 12)
  adam <- optimizer_adam(0.05)
  sgd <- optimizer_sgd(0.05)
  # paths as Keras's: the Sequential's name first (sequential/hidden/kernel)
  multi <- optimizer_multi(optimizer_map(sgd, list(".*/hidden/.*" = adam)))
  run <- fit_with(multi)
  expect_lt(run$after, run$before)
  expect_equal(adam$iterations, 20)
  expect_equal(sgd$iterations, 20)
  expect_equal(optimizer_muon(ns_steps = 3L)$get_config()$ns_steps, 3)
})

test_that("op_jvp gives the directional derivative", {
  out <- op_jvp(function(x) op_sin(x), list(0.1), list(0.2))
  expect_equal(as.numeric(out[[1]]), sin(0.1), tolerance = 1e-6)
  expect_equal(as.numeric(out[[2]]), cos(0.1) * 0.2, tolerance = 1e-6)
})
