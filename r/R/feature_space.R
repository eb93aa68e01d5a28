# keras3's structured-data and audio utilities: layer_feature_space() with
# its feature_*() types, and audio_dataset_from_directory().

#' One-stop preprocessing of structured data (keras.utils.FeatureSpace)
#'
#' Declare each column's type, [adapt()] the feature space on a named list
#' of columns (or a dataset of such batches), then call it on a named list
#' of columns to get one encoded matrix (`output_mode = "concat"`) or a
#' named list of encoded columns (`"dict"`). `feature_space$get_inputs()`
#' and `feature_space$get_encoded_features()` give the symbolic inputs and
#' encoding to build a model, as in Keras.
#'
#' @param object Unused (keras3's first argument); must be missing or NULL.
#' @param features A named list: column name -> a type name
#'   (`"float"`, `"float_rescaled"`, `"float_normalized"`,
#'   `"float_discretized"`, `"integer_categorical"`, `"string_categorical"`,
#'   `"integer_hashed"`, `"string_hashed"`) or a `feature_*()` object.
#' @param output_mode `"concat"` or `"dict"`.
#' @param crosses A list of character vectors of column names to hash
#'   together, or `feature_cross()` objects.
#' @param crossing_dim,hashing_dim,num_discretization_bins Default sizes of
#'   crosses, hashed features and discretized features.
#' @param name The layer's name.
#' @param feature_names Unused (keras3 accepts it).
#' @return A FeatureSpace.
#' @export
layer_feature_space <- function(object, features, output_mode = "concat",
                                crosses = NULL, crossing_dim = 32L,
                                hashing_dim = 32L,
                                num_discretization_bins = 32L, name = NULL,
                                feature_names = NULL) {
  if (!missing(object) && !is.null(object))
    stop("layer_feature_space: `object` is not used; pass the columns with ",
         "`features =`", call. = FALSE)
  if (!is.list(features) || is.null(names(features)))
    stop("layer_feature_space: `features` must be a named list (column name ",
         "-> type); received an object of class ", class(features)[1],
         call. = FALSE)
  if (!is.null(crosses))
    crosses <- lapply(crosses, function(cross)
      if (is.character(cross)) do.call(reticulate::tuple, as.list(cross))
      else cross)
  py_seqcore()$utils$FeatureSpace(
    features = features, output_mode = output_mode, crosses = crosses,
    crossing_dim = as_count(crossing_dim), hashing_dim = as_count(hashing_dim),
    num_discretization_bins = as_count(num_discretization_bins), name = name)
}

feature_space_class <- function() py_seqcore()$utils$FeatureSpace

#' Feature types of [layer_feature_space()]
#'
#' @param name The feature's name (used to name its preprocessing layer).
#' @param scale,offset `feature_float_rescaled()`: `x * scale + offset`.
#' @param num_bins Number of bins (discretized and hashed features).
#' @param bin_boundaries Explicit boundaries instead of adapting them.
#' @param output_mode `"one_hot"` (default) or `"int"` (categorical,
#'   hashed, discretized features, crosses); `feature_custom()` also
#'   `"float"`.
#' @param max_tokens,num_oov_indices Vocabulary size and OOV buckets of the
#'   categorical features.
#' @param feature_names,crossing_dim `feature_cross()`: the columns crossed
#'   and the number of hash bins.
#' @param dtype,preprocessor `feature_custom()`: the input dtype
#'   (`"float32"`, `"int32"`, `"string"`) and a preprocessing layer.
#' @return A feature specification for `layer_feature_space(features = )`.
#' @name feature_types
NULL

#' @rdname feature_types
#' @export
feature_float <- function(name = NULL) feature_space_class()$float(name = name)

#' @rdname feature_types
#' @export
feature_float_rescaled <- function(scale = 1, offset = 0, name = NULL)
  feature_space_class()$float_rescaled(scale = scale, offset = offset,
                                       name = name)

#' @rdname feature_types
#' @export
feature_float_normalized <- function(name = NULL)
  feature_space_class()$float_normalized(name = name)

#' @rdname feature_types
#' @export
feature_float_discretized <- function(num_bins, bin_boundaries = NULL,
                                      output_mode = "one_hot", name = NULL)
  feature_space_class()$float_discretized(
    num_bins = as_count(num_bins), bin_boundaries = bin_boundaries,
    output_mode = output_mode, name = name)

#' @rdname feature_types
#' @export
feature_integer_categorical <- function(max_tokens = NULL, num_oov_indices = 1,
                                        output_mode = "one_hot", name = NULL)
  feature_space_class()$integer_categorical(
    max_tokens = as_count(max_tokens),
    num_oov_indices = as_count(num_oov_indices), output_mode = output_mode,
    name = name)

#' @rdname feature_types
#' @export
feature_string_categorical <- function(max_tokens = NULL, num_oov_indices = 1,
                                       output_mode = "one_hot", name = NULL)
  feature_space_class()$string_categorical(
    max_tokens = as_count(max_tokens),
    num_oov_indices = as_count(num_oov_indices), output_mode = output_mode,
    name = name)

#' @rdname feature_types
#' @export
feature_string_hashed <- function(num_bins, output_mode = "one_hot",
                                  name = NULL)
  feature_space_class()$string_hashed(num_bins = as_count(num_bins),
                                      output_mode = output_mode, name = name)

#' @rdname feature_types
#' @export
feature_integer_hashed <- function(num_bins, output_mode = "one_hot",
                                   name = NULL)
  feature_space_class()$integer_hashed(num_bins = as_count(num_bins),
                                       output_mode = output_mode, name = name)

#' @rdname feature_types
#' @export
feature_cross <- function(feature_names, crossing_dim, output_mode = "one_hot")
  feature_space_class()$cross(
    feature_names = do.call(reticulate::tuple, as.list(feature_names)),
    crossing_dim = as_count(crossing_dim), output_mode = output_mode)

#' @rdname feature_types
#' @export
feature_custom <- function(dtype, preprocessor, output_mode)
  feature_space_class()$feature(dtype = dtype, preprocessor = preprocessor,
                                output_mode = output_mode)

#' A dataset of the WAV files of a directory (one class per subfolder)
#'
#' `keras.utils.audio_dataset_from_directory()`: batches of float32 audio
#' `(batch, samples, channels)` (values in \[-1, 1)) and labels, for [fit()],
#' [evaluate()] and [predict()].
#'
#' @param directory The folder.
#' @param labels `"inferred"`, `NULL`, or integer labels in the sorted order
#'   of the file paths.
#' @param label_mode `"int"`, `"categorical"`, `"binary"` or `NULL`.
#' @param class_names The subfolders to use, in label order.
#' @param batch_size Clips per batch (`NULL`: single clips).
#' @param sampling_rate The expected sampling rate (files at another rate
#'   are an error: seqcore does not resample).
#' @param output_sequence_length Cut or zero-pad clips to this many samples
#'   (`NULL`: pad each batch to its longest clip).
#' @param ragged Must be `FALSE`.
#' @param shuffle,seed Shuffle the files, in a seeded order.
#' @param validation_split,subset Hold out a fraction: `"training"`,
#'   `"validation"` or `"both"` (a list of two datasets).
#' @param follow_links,verbose As in Keras.
#' @return A dataset (or a list of two).
#' @export
audio_dataset_from_directory <- function(directory, labels = "inferred",
                                         label_mode = "int",
                                         class_names = NULL, batch_size = 32L,
                                         sampling_rate = NULL,
                                         output_sequence_length = NULL,
                                         ragged = FALSE, shuffle = TRUE,
                                         seed = NULL, validation_split = NULL,
                                         subset = NULL, follow_links = FALSE,
                                         verbose = TRUE) {
  if (is.numeric(labels)) labels <- as.list(as.integer(labels))
  if (!is.null(class_names)) class_names <- as.list(class_names)
  py_seqcore()$utils$audio_dataset_from_directory(
    directory = path.expand(directory), labels = labels,
    label_mode = label_mode, class_names = class_names,
    batch_size = as_count(batch_size), sampling_rate = as_count(sampling_rate),
    output_sequence_length = as_count(output_sequence_length),
    ragged = ragged, shuffle = shuffle, seed = as_count(seed),
    validation_split = validation_split, subset = subset,
    follow_links = follow_links, verbose = verbose)
}
