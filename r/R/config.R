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
#' @rdname config
#' @export
config_enable_flash_attention <- function() {
  invisible(config_fn("enable_flash_attention")())
}
#' @rdname config
#' @export
config_disable_flash_attention <- function() {
  invisible(config_fn("disable_flash_attention")())
}
#' @rdname config
#' @export
config_is_flash_attention_enabled <- function() {
  config_fn("is_flash_attention_enabled")()
}
#' @rdname config
#' @export
config_is_nnx_enabled <- function() config_fn("is_nnx_enabled")()
#' @rdname config
#' @param max_epochs,max_steps_per_epoch A cap on the epochs (steps per
#'   epoch) of every `fit()`, or `NULL` for none.
#' @export
config_max_epochs <- function() config_fn("max_epochs")()
#' @rdname config
#' @export
config_set_max_epochs <- function(max_epochs) {
  invisible(config_fn("set_max_epochs")(
    if (is.null(max_epochs)) NULL else as_count(max_epochs)))
}
#' @rdname config
#' @export
config_max_steps_per_epoch <- function() config_fn("max_steps_per_epoch")()
#' @rdname config
#' @export
config_set_max_steps_per_epoch <- function(max_steps_per_epoch) {
  invisible(config_fn("set_max_steps_per_epoch")(
    if (is.null(max_steps_per_epoch)) NULL else as_count(max_steps_per_epoch)))
}
#' @rdname config
#' @param backend The backend's name: seqcore has one, `"seqcore"`
#'   (Keras's names are refused with an error saying so).
#' @export
config_set_backend <- function(backend) {
  invisible(config_fn("set_backend")(backend))
}
