# Times fit() of the R guide's softmax MLP called from R (one line per fit:
# "r <seconds>"). Run by compare.sh, interleaved with mlp_fit.py.
suppressMessages(library(seqcore))
repeats <- as.integer(Sys.getenv("REPEATS", "5"))
x_train <- matrix(runif(1000 * 20), nrow = 1000, ncol = 20)
y_train <- runif(1000, min = 0, max = 9) %>% round() %>%
  matrix(nrow = 1000, ncol = 1) %>% to_categorical(num_classes = 10)
for (i in seq_len(repeats)) {
  model <- keras_model_sequential()
  model %>%
    layer_dense(units = 64, activation = "relu", input_shape = c(20)) %>%
    layer_dropout(rate = 0.5) %>%
    layer_dense(units = 64, activation = "relu") %>%
    layer_dropout(rate = 0.5) %>%
    layer_dense(units = 10, activation = "softmax") %>%
    compile(loss = "categorical_crossentropy",
            optimizer = optimizer_sgd(lr = 0.01, decay = 1e-6, momentum = 0.9,
                                      nesterov = TRUE),
            metrics = c("accuracy"))
  start <- proc.time()[["elapsed"]]
  model %>% fit(x_train, y_train, epochs = 20, batch_size = 128, verbose = 0)
  cat(sprintf("r %.4f\n", proc.time()[["elapsed"]] - start))
}
