# Applications (pre-built models): each application_*() creates
# seqcore.applications.<Class>(...); those seqcore does not have (yet) stop
# with an error naming the class.

#' Applications
#'
#' @param ... Arguments of the Keras application (`include_top`, `weights`,
#'   `input_shape`, `pooling`, `classes`, ...), by name.
#' @return A model.
#' @name applications
NULL

#' @rdname applications
#' @export
application_xception <- object_wrapper("applications", "Xception")
#' @rdname applications
#' @export
application_vgg16 <- object_wrapper("applications", "VGG16")
#' @rdname applications
#' @export
application_vgg19 <- object_wrapper("applications", "VGG19")
#' @rdname applications
#' @export
application_resnet50 <- object_wrapper("applications", "ResNet50")
#' @rdname applications
#' @export
application_inception_v3 <- object_wrapper("applications", "InceptionV3")
#' @rdname applications
#' @export
application_mobilenet <- object_wrapper("applications", "MobileNet")
#' @rdname applications
#' @export
application_mobilenet_v2 <- object_wrapper("applications", "MobileNetV2")
#' @rdname applications
#' @export
application_densenet121 <- object_wrapper("applications", "DenseNet121")
#' @rdname applications
#' @export
application_efficientnet_b0 <- object_wrapper("applications", "EfficientNetB0")
#' @rdname applications
#' @export
application_resnet50_v2 <- object_wrapper("applications", "ResNet50V2")
#' @rdname applications
#' @export
application_resnet101 <- object_wrapper("applications", "ResNet101")
#' @rdname applications
#' @export
application_resnet101_v2 <- object_wrapper("applications", "ResNet101V2")
#' @rdname applications
#' @export
application_resnet152 <- object_wrapper("applications", "ResNet152")
#' @rdname applications
#' @export
application_resnet152_v2 <- object_wrapper("applications", "ResNet152V2")
#' @rdname applications
#' @export
application_densenet169 <- object_wrapper("applications", "DenseNet169")
#' @rdname applications
#' @export
application_densenet201 <- object_wrapper("applications", "DenseNet201")
#' @rdname applications
#' @export
application_efficientnet_b1 <- object_wrapper("applications", "EfficientNetB1")
#' @rdname applications
#' @export
application_efficientnet_b2 <- object_wrapper("applications", "EfficientNetB2")
#' @rdname applications
#' @export
application_efficientnet_b3 <- object_wrapper("applications", "EfficientNetB3")
#' @rdname applications
#' @export
application_efficientnet_b4 <- object_wrapper("applications", "EfficientNetB4")
#' @rdname applications
#' @export
application_efficientnet_b5 <- object_wrapper("applications", "EfficientNetB5")
#' @rdname applications
#' @export
application_efficientnet_b6 <- object_wrapper("applications", "EfficientNetB6")
#' @rdname applications
#' @export
application_efficientnet_b7 <- object_wrapper("applications", "EfficientNetB7")
#' @rdname applications
#' @export
application_convnext_tiny <- object_wrapper("applications", "ConvNeXtTiny")
#' @rdname applications
#' @export
application_convnext_small <- object_wrapper("applications", "ConvNeXtSmall")
#' @rdname applications
#' @export
application_convnext_base <- object_wrapper("applications", "ConvNeXtBase")
#' @rdname applications
#' @export
application_convnext_large <- object_wrapper("applications", "ConvNeXtLarge")
#' @rdname applications
#' @export
application_convnext_xlarge <- object_wrapper("applications", "ConvNeXtXLarge")
#' @rdname applications
#' @export
application_mobilenet_v3_small <- object_wrapper("applications",
  "MobileNetV3Small")
#' @rdname applications
#' @export
application_mobilenet_v3_large <- object_wrapper("applications",
  "MobileNetV3Large")
#' @rdname applications
#' @export
application_efficientnet_v2b0 <- object_wrapper("applications",
  "EfficientNetV2B0")
#' @rdname applications
#' @export
application_efficientnet_v2b1 <- object_wrapper("applications",
  "EfficientNetV2B1")
#' @rdname applications
#' @export
application_efficientnet_v2b2 <- object_wrapper("applications",
  "EfficientNetV2B2")
#' @rdname applications
#' @export
application_efficientnet_v2b3 <- object_wrapper("applications",
  "EfficientNetV2B3")
#' @rdname applications
#' @export
application_efficientnet_v2s <- object_wrapper("applications",
  "EfficientNetV2S")
#' @rdname applications
#' @export
application_efficientnet_v2m <- object_wrapper("applications",
  "EfficientNetV2M")
#' @rdname applications
#' @export
application_efficientnet_v2l <- object_wrapper("applications",
  "EfficientNetV2L")
#' @rdname applications
#' @export
application_inception_resnet_v2 <- object_wrapper("applications",
  "InceptionResNetV2")
#' @rdname applications
#' @export
application_nasnetmobile <- object_wrapper("applications", "NASNetMobile")
#' @rdname applications
#' @export
application_nasnetlarge <- object_wrapper("applications", "NASNetLarge")

# The seqcore.applications module whose preprocess_input and
# decode_predictions go with a model, from the model's Keras name.
application_module <- function(model) {
  if (is.character(model)) return(model)
  name <- tolower(model$name)
  patterns <- c("^resnet[0-9]+v2" = "resnet_v2", "^resnet" = "resnet",
                "^vgg16" = "vgg16", "^vgg19" = "vgg19",
                "^xception" = "xception", "^inception_v3" = "inception_v3",
                "^densenet" = "densenet", "^mobilenetv3" = "mobilenet_v3",
                "^mobilenetv2" = "mobilenet_v2", "^mobilenet" = "mobilenet",
                "^efficientnet" = "efficientnet", "^convnext" = "convnext")
  for (pattern in names(patterns))
    if (grepl(pattern, name)) return(patterns[[pattern]])
  stop("No application module for a model named '", model$name, "'; pass ",
       "the module name instead (\"resnet\", \"vgg16\", ...)", call. = FALSE)
}

#' Preprocess inputs and decode predictions of an application
#'
#' `application_preprocess_inputs()` applies the preprocessing the model was
#' trained with (scaling, channel order, mean subtraction) to a batch of
#' images; `application_decode_predictions()` turns ImageNet predictions
#' into the top classes.
#'
#' @param model A model made by an `application_*()` function, or the name
#'   of its `keras.applications` module (`"resnet"`, `"vgg16"`,
#'   `"mobilenet_v2"`, ...).
#' @param x A batch of images (an R array, `(batch, height, width,
#'   channels)`, values 0-255).
#' @param preds A matrix of predictions, one row of 1000 class scores per
#'   image.
#' @param top How many classes per image.
#' @param data_format `"channels_last"` or `"channels_first"` (default: the
#'   configured one).
#' @param ... Unused.
#' @return `application_preprocess_inputs()`: an R array like `x`.
#'   `application_decode_predictions()`: a list with a data frame per image
#'   (`class_name`, `class_description`, `score`).
#' @export
application_preprocess_inputs <- function(model, x, ..., data_format = NULL) {
  module <- application_module(model)
  seqcore_attr(paste0("applications.", module), "preprocess_input")(
    as_py_array(x), data_format = data_format)
}

#' @rdname application_preprocess_inputs
#' @export
application_decode_predictions <- function(model, preds, top = 5, ...) {
  module <- application_module(model)
  decoded <- seqcore_attr(paste0("applications.", module),
                          "decode_predictions")(as_py_array(preds),
                                                top = as_count(top))
  lapply(decoded, function(rows) data.frame(
    class_name = vapply(rows, function(r) as.character(r[[1]]), ""),
    class_description = vapply(rows, function(r) as.character(r[[2]]), ""),
    score = vapply(rows, function(r) as.numeric(r[[3]]), 0),
    stringsAsFactors = FALSE))
}
