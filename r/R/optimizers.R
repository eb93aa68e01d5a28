# Optimizers and learning-rate schedules.
#
# Arguments are Keras's (learning_rate, momentum, ...); the R guides' legacy
# `lr =` is accepted as learning_rate, and `decay =` is Keras 2's time-based
# decay, lr / (1 + decay * iterations), which seqcore implements.

#' Optimizers
#'
#' @param learning_rate The learning rate (or a `learning_rate_schedule_*()`).
#' @param ... Other arguments of the Keras optimizer, by name (`momentum`,
#'   `nesterov`, `rho`, `epsilon`, `clipnorm`, `weight_decay`, ...), and the
#'   legacy `lr` and `decay`.
#' @return An optimizer for [compile()].
#' @name optimizers
NULL

optimizer_wrapper <- function(class_name) {
  object_wrapper("optimizers", class_name, "learning_rate",
                 rename = c(lr = "learning_rate"))
}

#' @rdname optimizers
#' @export
optimizer_sgd <- optimizer_wrapper("SGD")
#' @rdname optimizers
#' @export
optimizer_rmsprop <- optimizer_wrapper("RMSprop")
#' @rdname optimizers
#' @export
optimizer_adagrad <- optimizer_wrapper("Adagrad")
#' @rdname optimizers
#' @export
optimizer_adadelta <- optimizer_wrapper("Adadelta")
#' @rdname optimizers
#' @export
optimizer_adam <- optimizer_wrapper("Adam")
#' @rdname optimizers
#' @export
optimizer_adamw <- optimizer_wrapper("AdamW")
#' @rdname optimizers
#' @export
optimizer_adam_w <- optimizer_adamw
#' @rdname optimizers
#' @export
optimizer_adamax <- optimizer_wrapper("Adamax")
#' @rdname optimizers
#' @export
optimizer_nadam <- optimizer_wrapper("Nadam")
#' @rdname optimizers
#' @export
optimizer_ftrl <- optimizer_wrapper("Ftrl")
#' @rdname optimizers
#' @export
optimizer_lion <- optimizer_wrapper("Lion")
#' @rdname optimizers
#' @export
optimizer_lamb <- optimizer_wrapper("Lamb")
#' @rdname optimizers
#' @export
optimizer_adafactor <- optimizer_wrapper("Adafactor")

#' Learning-rate schedules
#'
#' @param initial_learning_rate,decay_steps,decay_rate,boundaries,values
#'   As in `keras.optimizers.schedules`.
#' @param ... Other arguments of the schedule, by name.
#' @return A schedule, to pass as an optimizer's `learning_rate`.
#' @name learning_rate_schedules
NULL

#' @rdname learning_rate_schedules
#' @export
learning_rate_schedule_exponential_decay <- object_wrapper(
  "optimizers.schedules", "ExponentialDecay",
  c("initial_learning_rate", "decay_steps", "decay_rate"))
#' @rdname learning_rate_schedules
#' @export
learning_rate_schedule_inverse_time_decay <- object_wrapper(
  "optimizers.schedules", "InverseTimeDecay",
  c("initial_learning_rate", "decay_steps", "decay_rate"))
#' @rdname learning_rate_schedules
#' @export
learning_rate_schedule_cosine_decay <- object_wrapper(
  "optimizers.schedules", "CosineDecay",
  c("initial_learning_rate", "decay_steps"))
#' @rdname learning_rate_schedules
#' @export
learning_rate_schedule_piecewise_constant_decay <- object_wrapper(
  "optimizers.schedules", "PiecewiseConstantDecay", c("boundaries", "values"))
#' @rdname learning_rate_schedules
#' @export
learning_rate_schedule_cosine_decay_restarts <- object_wrapper(
  "optimizers.schedules", "CosineDecayRestarts",
  c("initial_learning_rate", "first_decay_steps"))
#' @rdname learning_rate_schedules
#' @export
learning_rate_schedule_polynomial_decay <- object_wrapper(
  "optimizers.schedules", "PolynomialDecay",
  c("initial_learning_rate", "decay_steps"))
