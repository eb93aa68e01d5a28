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
#' @rdname optimizers
#' @export
optimizer_muon <- optimizer_wrapper("Muon")
#' @rdname optimizers
#' @export
optimizer_schedule_free_adamw <- optimizer_wrapper("ScheduleFreeAdamW")
#' @rdname optimizers
#' @export
optimizer_schedule_free_adam_w <- optimizer_schedule_free_adamw

#' Optimizer wrappers: loss scaling, one optimizer per group of variables
#'
#' `optimizer_loss_scale()` is `keras.optimizers.LossScaleOptimizer` (dynamic
#' loss scaling around `inner_optimizer`); `optimizer_multi()` is
#' `keras.optimizers.MultiOptimizer`, which updates each variable with the
#' optimizer `optimizer_map` gives it: an `optimizer_map()` (variable paths or
#' regexes to optimizers, `default_optimizer` for the others) or an R
#' function of the variable.
#'
#' @param inner_optimizer The optimizer that updates the weights.
#' @param initial_scale,dynamic_growth_steps As in Keras.
#' @param optimizer_map An `optimizer_map()` or a function(variable).
#'   For `optimizer_map()`: a named list, variable path (or regex) ->
#'   optimizer.
#' @param default_optimizer The optimizer of variables no key matches.
#' @param ... Other arguments, by name (`name`).
#' @return An optimizer for [compile()] (an `OptimizerMap` for
#'   `optimizer_map()`).
#' @name optimizer_wrappers
NULL

#' @rdname optimizer_wrappers
#' @export
optimizer_loss_scale <- object_wrapper(
  "optimizers", "LossScaleOptimizer",
  c("inner_optimizer", "initial_scale", "dynamic_growth_steps"))
#' @rdname optimizer_wrappers
#' @export
optimizer_multi <- object_wrapper("optimizers", "MultiOptimizer",
                                  "optimizer_map")
#' @rdname optimizer_wrappers
#' @export
optimizer_map <- object_wrapper("optimizers", "OptimizerMap",
                                c("default_optimizer", "optimizer_map"))

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
