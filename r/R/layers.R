# Layers: one line per layer, R keras's name -> seqcore.layers class.
#
# `layer_wrapper(class, positional)` makes the R function: its first argument
# is the object to compose with (a Sequential model to add the layer to, a
# tensor or list of tensors to call it on, or missing for the bare layer),
# then the positional arguments R keras has (`units` of layer_dense, ...),
# then `...` for every other argument of the Python class, passed by name.
# Counts become integers and shapes tuples (see as_py_args()).

# The R function for the Python layer class `class_name`. `first` names the
# first argument ("object", or "inputs" for merge layers); `rename` maps R
# argument names to Python ones.
# `first = NULL` makes a function without it (RNN cells, which are only
# created, as in R keras: layer_lstm_cell(units)).
layer_wrapper <- function(class_name, positional = character(),
                          first = "object", rename = character()) {
  formals_list <- c(if (!is.null(first)) stats::setNames(alist(x = ), first),
                    stats::setNames(rep(list(NULL), length(positional)),
                                    positional),
                    alist(... = ))
  first_value <- if (is.null(first)) NULL else
    bquote(if (missing(.(as.name(first)))) NULL else .(as.name(first)))
  body <- bquote({
    object <- .(first_value)
    args <- c(mget(.(positional)), list(...))
    make_layer(.(class_name), object, args, rename = .(rename))
  })
  f <- function() NULL
  formals(f) <- formals_list
  body(f) <- body
  environment(f) <- topenv()
  attr(f, "seqcore_layer_class") <- class_name
  f
}

# The Python layer class, or a clear error when this seqcore lacks it.
layer_class <- function(class_name) {
  layers <- py_seqcore()$layers
  if (!reticulate::py_has_attr(layers, class_name))
    stop("seqcore.layers has no ", class_name, " in this version of seqcore (",
         py_seqcore()$`__version__`, ")", call. = FALSE)
  layers[[class_name]]
}

# Make the layer, then compose it with `object` when there is one.
make_layer <- function(class_name, object, args, rename = character()) {
  args <- as_py_args(args, rename = rename)
  layer <- do.call(layer_class(class_name), args)
  if (is.null(object)) layer else compose_layer(object, layer)
}

#' Layers
#'
#' Each `layer_*()` function creates the seqcore (Keras) layer of the same
#' name. With a Sequential model as first argument the layer is added to it
#' and the model returned (`model %>% layer_dense(32)`); with a tensor (or a
#' list of tensors for merge layers) the layer is called on it and the output
#' returned; with R arrays the layer is called on them and R arrays returned;
#' without it the layer itself is returned.
#'
#' Arguments are Keras's, by name; counts (`units`, `filters`, ...) may be
#' doubles, tuples are R vectors (`kernel_size = c(3, 3)`), shapes
#' (`input_shape = c(784)`, `batch_input_shape = c(32, 8, 16)`) may contain
#' `NA` for unknown sizes. `NULL` arguments are left to their defaults.
#'
#' @param object What to compose the layer with (see Details).
#' @param inputs For merge layers: the list of tensors to merge.
#' @param units,activation,input_dim,output_dim,output_shape,mask_value,equation
#'   Arguments of the Keras layer (Dense, Activation, Embedding, Masking,
#'   EinsumDense, ...), which may also be given by position.
#' @param f The function of `layer_lambda()` (Keras's `function`).
#' @param filters,kernel_size,pool_size,strides,padding,cropping,size
#'   Arguments of the convolution, pooling, padding, cropping and upsampling
#'   layers.
#' @param layer,merge_mode The wrapped layer of `layer_bidirectional()` and
#'   `layer_time_distributed()`, and how directions are merged.
#' @param rate,noise_shape,seed,stddev Arguments of the dropout and noise
#'   layers.
#' @param target_shape,dims,n Arguments of `layer_reshape()`,
#'   `layer_permute()` (1-based, as in Keras) and `layer_repeat_vector()`.
#' @param axes,num_heads,key_dim Arguments of `layer_dot()` and
#'   `layer_multi_head_attention()`.
#' @param scale,offset,height,width,num_tokens,mode,factor,height_factor
#'   Arguments of the preprocessing layers.
#' @param head_dim,num_query_heads,num_key_value_heads Arguments of
#'   `layer_group_query_attention()`.
#' @param cell,cells,return_sequences The cell(s) of `layer_rnn()` and
#'   `layer_stacked_rnn_cells()`; whether to return the whole sequence.
#' @param power_iterations Of `layer_spectral_normalization()`.
#' @param bin_boundaries,num_bins,salt,output_mode,max_tokens,num_oov_indices,mask_token,oov_token,vocabulary,standardize,split,ngrams,output_sequence_length
#'   Arguments of the discretization, hashing, lookup and text layers.
#' @param value_range,width_factor,x_factor,addition_factor,alpha,layers,axis,fft_length,output_size
#'   Arguments of the image augmentation, pipeline, normalization, audio
#'   and adaptive pooling layers.
#' @param ... The layer's other arguments, by name (`name`, `input_shape`,
#'   `batch_input_shape`, `return_sequences`, `stateful`, ...).
#' @name layers
#' @return A model, a tensor, R arrays or a layer (see Details).
NULL

# ---- core
#' @rdname layers
#' @export
layer_dense <- layer_wrapper("Dense", c("units", "activation"))
#' @rdname layers
#' @export
layer_activation <- layer_wrapper("Activation", "activation")
#' @rdname layers
#' @export
layer_embedding <- layer_wrapper("Embedding", c("input_dim", "output_dim"))
#' @rdname layers
#' @export
layer_identity <- layer_wrapper("Identity")
#' @rdname layers
#' @export
layer_lambda <- layer_wrapper("Lambda", c("f", "output_shape"),
                              rename = c(f = "function"))
#' @rdname layers
#' @export
layer_masking <- layer_wrapper("Masking", "mask_value")
#' @rdname layers
#' @export
layer_einsum_dense <- layer_wrapper("EinsumDense",
                                    c("equation", "output_shape"))

# ---- activations
#' @rdname layers
#' @export
layer_activation_relu <- layer_wrapper("ReLU")
#' @rdname layers
#' @export
layer_activation_leaky_relu <- layer_wrapper("LeakyReLU")
#' @rdname layers
#' @export
layer_activation_parametric_relu <- layer_wrapper("PReLU")
#' @rdname layers
#' @export
layer_activation_elu <- layer_wrapper("ELU")
#' @rdname layers
#' @export
layer_activation_softmax <- layer_wrapper("Softmax")

# ---- convolutional
#' @rdname layers
#' @export
layer_conv_1d <- layer_wrapper("Conv1D", c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_conv_2d <- layer_wrapper("Conv2D", c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_conv_3d <- layer_wrapper("Conv3D", c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_conv_1d_transpose <- layer_wrapper("Conv1DTranspose",
                                         c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_conv_2d_transpose <- layer_wrapper("Conv2DTranspose",
                                         c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_separable_conv_1d <- layer_wrapper("SeparableConv1D",
                                         c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_separable_conv_2d <- layer_wrapper("SeparableConv2D",
                                         c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_depthwise_conv_1d <- layer_wrapper("DepthwiseConv1D", "kernel_size")
#' @rdname layers
#' @export
layer_depthwise_conv_2d <- layer_wrapper("DepthwiseConv2D", "kernel_size")

# ---- pooling
#' @rdname layers
#' @export
layer_max_pooling_1d <- layer_wrapper("MaxPooling1D",
                                      c("pool_size", "strides", "padding"))
#' @rdname layers
#' @export
layer_max_pooling_2d <- layer_wrapper("MaxPooling2D",
                                      c("pool_size", "strides", "padding"))
#' @rdname layers
#' @export
layer_max_pooling_3d <- layer_wrapper("MaxPooling3D",
                                      c("pool_size", "strides", "padding"))
#' @rdname layers
#' @export
layer_average_pooling_1d <- layer_wrapper("AveragePooling1D",
                                          c("pool_size", "strides", "padding"))
#' @rdname layers
#' @export
layer_average_pooling_2d <- layer_wrapper("AveragePooling2D",
                                          c("pool_size", "strides", "padding"))
#' @rdname layers
#' @export
layer_average_pooling_3d <- layer_wrapper("AveragePooling3D",
                                          c("pool_size", "strides", "padding"))
#' @rdname layers
#' @export
layer_global_max_pooling_1d <- layer_wrapper("GlobalMaxPooling1D")
#' @rdname layers
#' @export
layer_global_max_pooling_2d <- layer_wrapper("GlobalMaxPooling2D")
#' @rdname layers
#' @export
layer_global_max_pooling_3d <- layer_wrapper("GlobalMaxPooling3D")
#' @rdname layers
#' @export
layer_global_average_pooling_1d <- layer_wrapper("GlobalAveragePooling1D")
#' @rdname layers
#' @export
layer_global_average_pooling_2d <- layer_wrapper("GlobalAveragePooling2D")
#' @rdname layers
#' @export
layer_global_average_pooling_3d <- layer_wrapper("GlobalAveragePooling3D")

# ---- recurrent
#' @rdname layers
#' @export
layer_lstm <- layer_wrapper("LSTM", "units")
#' @rdname layers
#' @export
layer_gru <- layer_wrapper("GRU", "units")
#' @rdname layers
#' @export
layer_simple_rnn <- layer_wrapper("SimpleRNN", "units")
#' @rdname layers
#' @export
layer_conv_lstm_2d <- layer_wrapper("ConvLSTM2D", c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_bidirectional <- layer_wrapper("Bidirectional", c("layer", "merge_mode"))
#' @rdname layers
#' @export
layer_time_distributed <- layer_wrapper("TimeDistributed", "layer")

# ---- normalization
#' @rdname layers
#' @export
layer_batch_normalization <- layer_wrapper("BatchNormalization")
#' @rdname layers
#' @export
layer_layer_normalization <- layer_wrapper("LayerNormalization")
#' @rdname layers
#' @export
layer_group_normalization <- layer_wrapper("GroupNormalization")
#' @rdname layers
#' @export
layer_unit_normalization <- layer_wrapper("UnitNormalization")

# ---- regularization
#' @rdname layers
#' @export
layer_dropout <- layer_wrapper("Dropout", c("rate", "noise_shape", "seed"))
#' @rdname layers
#' @export
layer_spatial_dropout_1d <- layer_wrapper("SpatialDropout1D", "rate")
#' @rdname layers
#' @export
layer_spatial_dropout_2d <- layer_wrapper("SpatialDropout2D", "rate")
#' @rdname layers
#' @export
layer_gaussian_noise <- layer_wrapper("GaussianNoise", "stddev")
#' @rdname layers
#' @export
layer_gaussian_dropout <- layer_wrapper("GaussianDropout", "rate")
#' @rdname layers
#' @export
layer_alpha_dropout <- layer_wrapper("AlphaDropout", "rate")
#' @rdname layers
#' @export
layer_activity_regularization <- layer_wrapper("ActivityRegularization")

# ---- reshaping
#' @rdname layers
#' @export
layer_flatten <- layer_wrapper("Flatten")
#' @rdname layers
#' @export
layer_reshape <- layer_wrapper("Reshape", "target_shape")
#' @rdname layers
#' @export
layer_permute <- layer_wrapper("Permute", "dims")
#' @rdname layers
#' @export
layer_repeat_vector <- layer_wrapper("RepeatVector", "n")
#' @rdname layers
#' @export
layer_zero_padding_1d <- layer_wrapper("ZeroPadding1D", "padding")
#' @rdname layers
#' @export
layer_zero_padding_2d <- layer_wrapper("ZeroPadding2D", "padding")
#' @rdname layers
#' @export
layer_cropping_1d <- layer_wrapper("Cropping1D", "cropping")
#' @rdname layers
#' @export
layer_cropping_2d <- layer_wrapper("Cropping2D", "cropping")
#' @rdname layers
#' @export
layer_upsampling_1d <- layer_wrapper("UpSampling1D", "size")
#' @rdname layers
#' @export
layer_upsampling_2d <- layer_wrapper("UpSampling2D", "size")

# ---- merging
#' @rdname layers
#' @export
layer_add <- layer_wrapper("Add", first = "inputs")
#' @rdname layers
#' @export
layer_subtract <- layer_wrapper("Subtract", first = "inputs")
#' @rdname layers
#' @export
layer_multiply <- layer_wrapper("Multiply", first = "inputs")
#' @rdname layers
#' @export
layer_average <- layer_wrapper("Average", first = "inputs")
#' @rdname layers
#' @export
layer_maximum <- layer_wrapper("Maximum", first = "inputs")
#' @rdname layers
#' @export
layer_minimum <- layer_wrapper("Minimum", first = "inputs")
#' @rdname layers
#' @export
layer_concatenate <- layer_wrapper("Concatenate", first = "inputs")
#' @rdname layers
#' @export
layer_dot <- layer_wrapper("Dot", "axes", first = "inputs")

# ---- attention
#' @rdname layers
#' @export
layer_attention <- layer_wrapper("Attention", first = "inputs")
#' @rdname layers
#' @export
layer_additive_attention <- layer_wrapper("AdditiveAttention", first = "inputs")
#' @rdname layers
#' @export
layer_multi_head_attention <- layer_wrapper("MultiHeadAttention",
                                            c("num_heads", "key_dim"),
                                            first = "inputs")

# ---- preprocessing
#' @rdname layers
#' @export
layer_rescaling <- layer_wrapper("Rescaling", c("scale", "offset"))
#' @rdname layers
#' @export
layer_normalization <- layer_wrapper("Normalization")
#' @rdname layers
#' @export
layer_resizing <- layer_wrapper("Resizing", c("height", "width"))
#' @rdname layers
#' @export
layer_center_crop <- layer_wrapper("CenterCrop", c("height", "width"))
#' @rdname layers
#' @export
layer_category_encoding <- layer_wrapper("CategoryEncoding", "num_tokens")
#' @rdname layers
#' @export
layer_random_flip <- layer_wrapper("RandomFlip", "mode")
#' @rdname layers
#' @export
layer_random_rotation <- layer_wrapper("RandomRotation", "factor")
#' @rdname layers
#' @export
layer_random_zoom <- layer_wrapper("RandomZoom", "height_factor")

# ---- added for issue 17: the rest of seqcore.layers, and layers other
# helpers are adding (a function whose class seqcore lacks stops with a clear
# error; seqcore_layer_functions() says which are available)
#' @rdname layers
#' @export
layer_conv_3d_transpose <- layer_wrapper(
  "Conv3DTranspose", c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_conv_lstm_1d <- layer_wrapper("ConvLSTM1D", c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_conv_lstm_3d <- layer_wrapper("ConvLSTM3D", c("filters", "kernel_size"))
#' @rdname layers
#' @export
layer_cropping_3d <- layer_wrapper("Cropping3D", "cropping")
#' @rdname layers
#' @export
layer_zero_padding_3d <- layer_wrapper("ZeroPadding3D", "padding")
#' @rdname layers
#' @export
layer_upsampling_3d <- layer_wrapper("UpSampling3D", "size")
#' @rdname layers
#' @export
layer_spatial_dropout_3d <- layer_wrapper("SpatialDropout3D", "rate")
#' @rdname layers
#' @export
layer_spectral_normalization <- layer_wrapper(
  "SpectralNormalization", c("layer", "power_iterations"))
#' @rdname layers
#' @export
layer_group_query_attention <- layer_wrapper(
  "GroupedQueryAttention",
  c("head_dim", "num_query_heads", "num_key_value_heads"), first = "inputs")
#' @rdname layers
#' @export
layer_rnn <- layer_wrapper("RNN", c("cell", "return_sequences"))
#' @rdname layers
#' @export
layer_simple_rnn_cell <- layer_wrapper("SimpleRNNCell", "units", first = NULL)
#' @rdname layers
#' @export
layer_gru_cell <- layer_wrapper("GRUCell", "units", first = NULL)
#' @rdname layers
#' @export
layer_lstm_cell <- layer_wrapper("LSTMCell", "units", first = NULL)
#' @rdname layers
#' @export
layer_stacked_rnn_cells <- layer_wrapper(
  "StackedRNNCells", "cells", first = NULL)
#' @rdname layers
#' @export
rnn_cell_simple <- layer_simple_rnn_cell
#' @rdname layers
#' @export
rnn_cell_gru <- layer_gru_cell
#' @rdname layers
#' @export
rnn_cell_lstm <- layer_lstm_cell
#' @rdname layers
#' @export
rnn_cells_stack <- layer_stacked_rnn_cells
#' @rdname layers
#' @export
layer_discretization <- layer_wrapper(
  "Discretization", c("bin_boundaries", "num_bins"))
#' @rdname layers
#' @export
layer_hashing <- layer_wrapper(
  "Hashing", c("num_bins", "mask_value", "salt", "output_mode"))
#' @rdname layers
#' @export
layer_integer_lookup <- layer_wrapper(
  "IntegerLookup", c("max_tokens", "num_oov_indices", "mask_token", "oov_token", "vocabulary"))
#' @rdname layers
#' @export
layer_string_lookup <- layer_wrapper(
  "StringLookup", c("max_tokens", "num_oov_indices", "mask_token", "oov_token", "vocabulary"))
#' @rdname layers
#' @export
layer_text_vectorization <- layer_wrapper(
  "TextVectorization", c("max_tokens", "standardize", "split", "ngrams", "output_mode", "output_sequence_length"))
#' @rdname layers
#' @export
layer_hashed_crossing <- layer_wrapper(
  "HashedCrossing", c("num_bins", "output_mode"))
#' @rdname layers
#' @export
layer_random_brightness <- layer_wrapper(
  "RandomBrightness", c("factor", "value_range", "seed"))
#' @rdname layers
#' @export
layer_random_contrast <- layer_wrapper("RandomContrast", c("factor", "seed"))
#' @rdname layers
#' @export
layer_random_crop <- layer_wrapper("RandomCrop", c("height", "width", "seed"))
#' @rdname layers
#' @export
layer_random_translation <- layer_wrapper(
  "RandomTranslation", c("height_factor", "width_factor"))
#' @rdname layers
#' @export
layer_random_grayscale <- layer_wrapper("RandomGrayscale", "factor")
#' @rdname layers
#' @export
layer_random_hue <- layer_wrapper("RandomHue", c("factor", "value_range"))
#' @rdname layers
#' @export
layer_random_saturation <- layer_wrapper(
  "RandomSaturation", c("factor", "value_range"))
#' @rdname layers
#' @export
layer_random_sharpness <- layer_wrapper(
  "RandomSharpness", c("factor", "value_range"))
#' @rdname layers
#' @export
layer_random_shear <- layer_wrapper("RandomShear", "x_factor")
#' @rdname layers
#' @export
layer_random_color_jitter <- layer_wrapper("RandomColorJitter", "value_range")
#' @rdname layers
#' @export
layer_random_color_degeneration <- layer_wrapper(
  "RandomColorDegeneration", "factor")
#' @rdname layers
#' @export
layer_random_elastic_transform <- layer_wrapper(
  "RandomElasticTransform", "factor")
#' @rdname layers
#' @export
layer_random_erasing <- layer_wrapper("RandomErasing", "factor")
#' @rdname layers
#' @export
layer_random_gaussian_blur <- layer_wrapper("RandomGaussianBlur", "factor")
#' @rdname layers
#' @export
layer_random_invert <- layer_wrapper("RandomInvert", "factor")
#' @rdname layers
#' @export
layer_random_perspective <- layer_wrapper("RandomPerspective", "factor")
#' @rdname layers
#' @export
layer_random_posterization <- layer_wrapper("RandomPosterization", "factor")
#' @rdname layers
#' @export
layer_auto_contrast <- layer_wrapper("AutoContrast", "value_range")
#' @rdname layers
#' @export
layer_equalization <- layer_wrapper("Equalization", "value_range")
#' @rdname layers
#' @export
layer_contrast_limited_adaptive_histogram_equalization <- layer_wrapper(
  "ContrastLimitedAdaptiveHistogramEqualization", "value_range")
#' @rdname layers
#' @export
layer_solarization <- layer_wrapper("Solarization", "addition_factor")
#' @rdname layers
#' @export
layer_mix_up <- layer_wrapper("MixUp", "alpha")
#' @rdname layers
#' @export
layer_cut_mix <- layer_wrapper("CutMix", "factor")
#' @rdname layers
#' @export
layer_aug_mix <- layer_wrapper("AugMix", "value_range")
#' @rdname layers
#' @export
layer_rand_augment <- layer_wrapper("RandAugment", "value_range")
#' @rdname layers
#' @export
layer_pipeline <- layer_wrapper("Pipeline", "layers")
#' @rdname layers
#' @export
layer_max_num_bounding_boxes <- layer_wrapper(
  "MaxNumBoundingBoxes", c("max_number", "fill_value"))
#' @rdname layers
#' @export
layer_rms_normalization <- layer_wrapper("RMSNormalization", "axis")
#' @rdname layers
#' @export
layer_reversible_embedding <- layer_wrapper(
  "ReversibleEmbedding", c("input_dim", "output_dim"))
#' @rdname layers
#' @export
layer_stft_spectrogram <- layer_wrapper("STFTSpectrogram", "mode")
#' @rdname layers
#' @export
layer_mel_spectrogram <- layer_wrapper("MelSpectrogram", "fft_length")
#' @rdname layers
#' @export
layer_adaptive_average_pooling_1d <- layer_wrapper(
  "AdaptiveAveragePooling1D", "output_size")
#' @rdname layers
#' @export
layer_adaptive_average_pooling_2d <- layer_wrapper(
  "AdaptiveAveragePooling2D", "output_size")
#' @rdname layers
#' @export
layer_adaptive_average_pooling_3d <- layer_wrapper(
  "AdaptiveAveragePooling3D", "output_size")
#' @rdname layers
#' @export
layer_adaptive_max_pooling_1d <- layer_wrapper(
  "AdaptiveMaxPooling1D", "output_size")
#' @rdname layers
#' @export
layer_adaptive_max_pooling_2d <- layer_wrapper(
  "AdaptiveMaxPooling2D", "output_size")
#' @rdname layers
#' @export
layer_adaptive_max_pooling_3d <- layer_wrapper(
  "AdaptiveMaxPooling3D", "output_size")

#' R layer functions and the seqcore classes they create
#'
#' @param available_only Only those whose class exists in the seqcore Python
#'   package in use.
#' @return A data frame with columns `r_function`, `python_class` and
#'   `available`.
#' @export
seqcore_layer_functions <- function(available_only = FALSE) {
  ns <- asNamespace("seqcore")
  names <- sort(grep("^layer_", getNamespaceExports(ns), value = TRUE))
  classes <- vapply(names, function(n) {
    cls <- attr(get(n, envir = ns), "seqcore_layer_class")
    if (is.null(cls)) NA_character_ else cls
  }, "")
  keep <- !is.na(classes)
  layers <- py_seqcore()$layers
  table <- data.frame(
    r_function = names[keep], python_class = unname(classes[keep]),
    available = vapply(classes[keep], function(cls)
      reticulate::py_has_attr(layers, cls), TRUE, USE.NAMES = FALSE),
    stringsAsFactors = FALSE)
  if (available_only) table <- table[table$available, , drop = FALSE]
  rownames(table) <- NULL
  table
}
