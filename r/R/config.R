# config_*(): keras.config (floatx, epsilon, image data format, logging, ...).

config_fn <- function(name) seqcore_attr("config", name)

#' Global configuration (keras.config)
#'
#' Getters return the current value; setters change it and return `NULL`
#' invisibly, as in R keras.
#'
#' @param value The new float type (`"float32"`, `"float64"`, ...) or fuzz
#'   factor.
#' @param data_format `"channels_last"` or `"channels_first"`.
#' @param policy A dtype policy name (`"mixed_float16"`, ...) or object.
#' @return The setting (getters), or `NULL` invisibly (setters).
#' @name config
NULL

#' @rdname config
#' @export
config_floatx <- function() config_fn("floatx")()
#' @rdname config
#' @export
config_set_floatx <- function(value) invisible(config_fn("set_floatx")(value))
#' @rdname config
#' @export
config_epsilon <- function() config_fn("epsilon")()
#' @rdname config
#' @export
config_set_epsilon <- function(value) {
  invisible(config_fn("set_epsilon")(as.numeric(value)))
}
#' @rdname config
#' @export
config_image_data_format <- function() config_fn("image_data_format")()
#' @rdname config
#' @export
config_set_image_data_format <- function(data_format) {
  invisible(config_fn("set_image_data_format")(data_format))
}
#' @rdname config
#' @export
config_backend <- function() config_fn("backend")()
#' @rdname config
#' @export
config_dtype_policy <- function() config_fn("dtype_policy")()
#' @rdname config
#' @export
config_set_dtype_policy <- function(policy) {
  invisible(config_fn("set_dtype_policy")(policy))
}
#' @rdname config
#' @export
config_enable_interactive_logging <- function() {
  invisible(config_fn("enable_interactive_logging")())
}
#' @rdname config
#' @export
config_disable_interactive_logging <- function() {
  invisible(config_fn("disable_interactive_logging")())
}
#' @rdname config
#' @export
config_is_interactive_logging_enabled <- function() {
  config_fn("is_interactive_logging_enabled")()
}
#' @rdname config
#' @export
config_enable_traceback_filtering <- function() {
  invisible(config_fn("enable_traceback_filtering")())
}
#' @rdname config
#' @export
config_disable_traceback_filtering <- function() {
  invisible(config_fn("disable_traceback_filtering")())
}
#' @rdname config
#' @export
config_is_traceback_filtering_enabled <- function() {
  config_fn("is_traceback_filtering_enabled")()
}
#' @rdname config
#' @export
config_enable_unsafe_deserialization <- function() {
  invisible(config_fn("enable_unsafe_deserialization")())
}
