# Applications (pre-built models), once seqcore.applications exists: each
# application_*() creates seqcore.applications.<Class>(...).

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
