# Shared by the tests: small random data and summary text.

random_matrix <- function(rows, cols) matrix(runif(rows * cols), rows, cols)

one_hot_labels <- function(n, classes) {
  runif(n, min = 0, max = classes - 1) %>% round() %>%
    matrix(nrow = n, ncol = 1) %>% to_categorical(num_classes = classes)
}

summary_text <- function(model) paste(capture.output(summary(model)),
                                      collapse = "\n")

# The "Total params: N" count of a summary, as a number.
total_params <- function(model) {
  text <- summary_text(model)
  count <- regmatches(text, regexpr("Total params: [0-9,]+", text))
  as.numeric(gsub("[^0-9]", "", count))
}

# The value at a 0-based numpy index of a Python array, read in Python.
py_item <- function(array, ...) {
  index <- do.call(reticulate::tuple, lapply(list(...), as.integer))
  reticulate::py_to_r(array$item(index))
}
