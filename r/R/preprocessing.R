# adapt(), get_vocabulary() and set_vocabulary() for the preprocessing layers
# (Normalization, Discretization, StringLookup, IntegerLookup,
# TextVectorization, ...), as in R keras.

#' Fit the state of a preprocessing layer to data
#'
#' Computes what the layer needs from the data (the mean and variance of
#' `layer_normalization()`, the bins of `layer_discretization()`, the
#' vocabulary of the lookup and text layers).
#'
#' @param object A preprocessing layer.
#' @param data An R array, matrix, vector (character vectors for string
#'   layers) or a Python dataset.
#' @param ... Passed to the layer's `adapt()` by name.
#' @param batch_size,steps As in Keras (only those layers that take them).
#' @return The layer, invisibly (adapted in place).
#' @export
adapt <- function(object, data, ..., batch_size = NULL, steps = NULL) {
  args <- as_py_args(list(..., batch_size = batch_size, steps = steps))
  do.call(object$adapt, c(list(as_py_array(data)), args))
  invisible(object)
}

#' The vocabulary of a lookup or text layer
#'
#' @param object A `layer_string_lookup()`, `layer_integer_lookup()` or
#'   `layer_text_vectorization()`.
#' @param include_special_tokens Include the mask and OOV tokens.
#' @param vocabulary A character (or integer) vector.
#' @param idf_weights For `output_mode = "tf_idf"`: one weight per term.
#' @param ... Unused.
#' @return `get_vocabulary()`: a vector (character or integer).
#'   `set_vocabulary()`: the layer, invisibly.
#' @export
get_vocabulary <- function(object, include_special_tokens = TRUE) {
  unlist(object$get_vocabulary(include_special_tokens = include_special_tokens))
}

#' @rdname get_vocabulary
#' @export
set_vocabulary <- function(object, vocabulary, idf_weights = NULL, ...) {
  args <- as_py_args(list(vocabulary = vocabulary))
  object$set_vocabulary(args$vocabulary,
                        idf_weights = if (is.null(idf_weights)) NULL else
                          as_py_array(idf_weights))
  invisible(object)
}

#' Images: files and arrays
#'
#' `image_load()` reads an image file (Keras's `load_img`; a PIL image),
#' `image_to_array()` gives its array (height, width, channels),
#' `image_from_array()` makes an image of an array, `image_array_save()`
#' writes an array as an image file, `image_smart_resize()` resizes an array
#' of images keeping the aspect ratio (cropping the centre).
#'
#' @param path,img,x,size The file path, image, array and target size.
#' @param ... The other arguments of the Keras function, by name.
#' @return An image, an R array, or `path` (invisibly) for
#'   `image_array_save()`.
#' @name image_utils
NULL

#' @rdname image_utils
#' @export
image_load <- function(path, ...) {
  do.call(py_seqcore()$utils$load_img,
          c(list(path.expand(path)), as_py_args(list(...))))
}

#' @rdname image_utils
#' @export
image_to_array <- function(img, ...) {
  do.call(py_seqcore()$utils$img_to_array, c(list(img), as_py_args(list(...))))
}

#' @rdname image_utils
#' @export
image_from_array <- function(x, ...) {
  do.call(py_seqcore()$utils$array_to_img,
          c(list(as_py_array(x)), as_py_args(list(...))))
}

#' @rdname image_utils
#' @export
image_array_save <- function(x, path, ...) {
  do.call(py_seqcore()$utils$save_img,
          c(list(path.expand(path), as_py_array(x)), as_py_args(list(...))))
  invisible(path)
}

#' @rdname image_utils
#' @export
image_smart_resize <- function(x, size, ...) {
  do.call(py_seqcore()$preprocessing$image$smart_resize,
          c(list(as_py_array(x), as_count(size)), as_py_args(list(...))))
}

#' Datasets of files in class folders
#'
#' Keras's `image_dataset_from_directory()` and
#' `text_dataset_from_directory()`: one sub-folder per class. The result is
#' seqcore's dataset, which `fit()`, `evaluate()` and `predict()` take.
#'
#' @param directory The folder.
#' @param ... The other arguments of the Keras function, by name
#'   (`batch_size`, `image_size = c(256, 256)`, `validation_split`,
#'   `subset`, `seed`, ...).
#' @return A dataset (a list of two for `subset = "both"`).
#' @name dataset_from_directory
NULL

#' @rdname dataset_from_directory
#' @export
image_dataset_from_directory <- function(directory, ...) {
  do.call(py_seqcore()$utils$image_dataset_from_directory,
          c(list(path.expand(directory)), as_py_args(list(...))))
}

#' @rdname dataset_from_directory
#' @export
text_dataset_from_directory <- function(directory, ...) {
  do.call(py_seqcore()$utils$text_dataset_from_directory,
          c(list(path.expand(directory)), as_py_args(list(...))))
}

#' Text tokenization (R keras 2's text_tokenizer)
#'
#' `text_tokenizer()` makes Keras 2's `Tokenizer`; `fit_text_tokenizer()`
#' ranks the words of texts by frequency (index 1 the most frequent, or the
#' `oov_token`); `texts_to_sequences()` turns texts into integer vectors of
#' word indices; `texts_to_matrix()` and `sequences_to_matrix()` give one
#' row per text (`mode`: "binary", "count", "tfidf" or "freq");
#' `sequences_to_texts()` turns indices back into words;
#' `save_text_tokenizer()` / `load_text_tokenizer()` keep a fitted tokenizer
#' in a JSON file. `tokenizer$word_index` is the vocabulary.
#'
#' @param num_words Keep only the `num_words - 1` most frequent words when
#'   converting.
#' @param filters,lower,split,char_level,oov_token As Keras's `Tokenizer`.
#' @param object,tokenizer A tokenizer.
#' @param x,texts A character vector of texts.
#' @param sequences A list of integer vectors.
#' @param mode The matrix's values.
#' @param filename The JSON file.
#' @return A tokenizer, a list of integer vectors, a matrix or texts.
#' @name text_tokenizer
NULL

tokenizer_module <- function() {
  py_seqcore()
  reticulate::import("seqcore.legacy._text_tokenizer")
}

#' @rdname text_tokenizer
#' @export
text_tokenizer <- function(num_words = NULL,
                           filters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n",
                           lower = TRUE, split = " ", char_level = FALSE,
                           oov_token = NULL) {
  tokenizer_module()$Tokenizer(
    num_words = as_count(num_words), filters = filters, lower = lower,
    split = split, char_level = char_level, oov_token = oov_token)
}

#' @rdname text_tokenizer
#' @export
fit_text_tokenizer <- function(object, x) {
  object$fit_on_texts(as.list(as.character(x)))
  invisible(object)
}

#' @rdname text_tokenizer
#' @export
texts_to_sequences <- function(tokenizer, texts) {
  lapply(tokenizer$texts_to_sequences(as.list(as.character(texts))),
         function(s) as.integer(unlist(s)))
}

#' @rdname text_tokenizer
#' @export
texts_to_matrix <- function(tokenizer, texts,
                            mode = c("binary", "count", "tfidf", "freq")) {
  tokenizer$texts_to_matrix(as.list(as.character(texts)),
                            mode = match.arg(mode))
}

#' @rdname text_tokenizer
#' @export
sequences_to_matrix <- function(tokenizer, sequences,
                                mode = c("binary", "count", "tfidf", "freq")) {
  tokenizer$sequences_to_matrix(as_py_sequences(sequences),
                                mode = match.arg(mode))
}

#' @rdname text_tokenizer
#' @export
sequences_to_texts <- function(tokenizer, sequences) {
  unlist(tokenizer$sequences_to_texts(as_py_sequences(sequences)))
}

#' @rdname text_tokenizer
#' @export
save_text_tokenizer <- function(object, filename) {
  writeLines(object$to_json(), path.expand(filename), useBytes = TRUE)
  invisible(object)
}

#' @rdname text_tokenizer
#' @export
load_text_tokenizer <- function(filename) {
  json <- paste(readLines(path.expand(filename), warn = FALSE,
                          encoding = "UTF-8"), collapse = "\n")
  tokenizer_module()$tokenizer_from_json(json)
}

# A list of integer vectors as Python lists of ints (a vector of one
# element stays a list).
as_py_sequences <- function(sequences) {
  lapply(as.list(sequences), function(s) as.list(as.integer(s)))
}
