# Classes written in R: layers, models, callbacks, metrics, losses and
# constraints as Python subclasses of seqcore's classes whose methods are R
# functions (R keras's new_*_class(), Layer(), Callback(), ..., %py_class%,
# and the R6 classes KerasLayer and KerasCallback of earlier R keras).

# ---- Python classes from R functions ----------------------------------------

`%||%` <- function(x, y) if (is.null(x)) y else x

# The Python class `classname` deriving from `inherit`, with `members`: R
# functions become methods (`initialize` is `__init__`), other values class
# attributes. As in R keras, a method takes no `self`: `self` (the Python
# object) and `super` are found in its environment when it runs. A method
# whose first argument is named `self` receives it as that argument.
new_py_class <- function(classname, members, inherit) {
  if (!is.character(classname) || length(classname) != 1 || !nzchar(classname))
    stop("classname must be one string; received ",
         paste(deparse(classname), collapse = " "), call. = FALSE)
  members <- members[!vapply(members, is.null, logical(1))]
  if (length(members) && (is.null(names(members)) ||
                          any(!nzchar(names(members)))))
    stop("every member of class ", classname, " must be named", call. = FALSE)
  if (inherits(inherit, "python.builtin.object")) inherit <- list(inherit)
  inherit <- lapply(as.list(inherit), function(parent)
    attr(parent, "py_class") %||% parent)   # a layer function's class
  holder <- new.env(parent = emptyenv())
  attributes <- methods <- list()
  for (name in names(members)) {
    value <- members[[name]]
    py_name <- if (name == "initialize") "__init__" else name
    if (is.function(value) && !inherits(value, "python.builtin.object"))
      methods[[py_name]] <- list(
        reticulate::r_to_py(as_py_method(value, holder, py_name),
                            convert = TRUE),
        as.list(method_parameters(value)))
    else
      attributes[[py_name]] <- value
  }
  holder$class <- py_class_maker()(classname, inherit, attributes, methods)
  holder$class
}

# The parameters Python sees for an R method (after self): each as
# c(name, kind), kind "required", "default" or "dots" (R's `...`), so
# that seqcore (and Keras) find `training` and `mask` in call's signature.
method_parameters <- function(fn) {
  params <- formals(fn)
  params <- params[names(params) != "self"]
  lapply(names(params), function(name) {
    kind <- if (name == "...") "dots" else if (identical(params[[name]],
                                                         quote(expr = )))
      "required" else "default"
    c(name, kind)
  })
}

# The Python function that makes a class from R methods, defined once.
py_class_maker <- function() {
  if (is.null(.globals$class_maker)) {
    py_seqcore()
    main <- reticulate::py_run_string(paste(
      "def _seqcore_r_class(name, bases, attributes, methods):",
      "    import inspect",
      "    P = inspect.Parameter",
      "    def as_method(fn, params):",
      "        def method(self, *args, **kwargs):",
      "            return fn(self, *args, **kwargs)",
      "        signature, seen_default = [P('self', P.POSITIONAL_OR_KEYWORD)], False",
      "        for param_name, kind in params:",
      "            if kind == 'dots':",
      "                signature.append(P('kwargs', P.VAR_KEYWORD))",
      "                continue",
      "            seen_default = seen_default or kind == 'default'",
      "            signature.append(P(param_name, P.POSITIONAL_OR_KEYWORD,",
      "                               default=None if seen_default else P.empty))",
      "        signature.sort(key=lambda p: p.kind == P.VAR_KEYWORD)",
      "        method.__signature__ = inspect.Signature(signature)",
      "        return method",
      "    namespace = dict(attributes or {})",
      "    namespace.setdefault('__module__', 'R')",
      "    for method_name, (fn, params) in dict(methods or {}).items():",
      "        namespace[method_name] = as_method(fn, params)",
      "    return type(name, tuple(bases or ()), namespace)",
      sep = "\n"), local = TRUE, convert = TRUE)
    .globals$class_maker <- main[["_seqcore_r_class"]]
  }
  .globals$class_maker
}

# An R function as a method: (self, ...), with `self` and `super` bound in
# the function's environment.
as_py_method <- function(fn, holder, py_name) {
  force(fn)
  force(py_name)
  takes_self <- identical(names(formals(fn))[1], "self")
  function(self, ...) {
    env <- new.env(parent = environment(fn))
    env$self <- self
    env$super <- super_of(holder, self)
    environment(fn) <- env
    value <- if (takes_self) fn(self, ...) else fn(...)
    if (py_name == "__init__") invisible(NULL) else value
  }
}

# `super` inside a method: `super$initialize(...)`, `super$call(x)` and
# `super()$method(...)` reach the parent class's methods.
super_of <- function(holder, self) {
  getter <- function() getter
  class(getter) <- "seqcore_super"
  getter
}

#' @export
`$.seqcore_super` <- function(x, name) {
  env <- environment(x)
  builtins <- reticulate::import_builtins(convert = TRUE)
  parent <- builtins$super(env$holder$class, env$self)
  do.call(`$`, list(parent, if (name == "initialize") "__init__" else name))
}

#' @export
`[[.seqcore_super` <- function(x, name) `$.seqcore_super`(x, name)

# The members of a class definition: those named in the call, then `public`.
class_members <- function(named, public = NULL) {
  c(named[!vapply(named, is.null, logical(1))], as.list(public))
}

# ---- layers -------------------------------------------------------------------

#' Layers, models and other classes written in R
#'
#' `new_layer_class()` (or `Layer()`) makes a layer class from R functions
#' and returns its layer function, used like the `layer_*()` functions: its
#' first argument is the object to compose with, then the arguments of
#' `initialize`. `new_model_class()` (`Model()`), `new_callback_class()`
#' (`Callback()`), `new_metric_class()` (`Metric()`), `new_loss_class()`
#' (`Loss()`) and `Constraint()` return the class, to be called with the
#' arguments of `initialize`. Methods take no `self`: `self` is the Python
#' object, `super$initialize(...)` (or `super()$initialize(...)`) calls the
#' parent class's method. `initialize` is Python's `__init__`.
#'
#' @param classname The class name.
#' @param initialize,build,call,get_config,compute_output_shape,on_epoch_end,update_state,result,reset_state R functions, the methods of the same name (NULL: the parent's).
#' @param ... Other methods (R functions) and class attributes, by name.
#' @param public A named list of further members.
#' @param inherit The parent class (a seqcore class, or a class made by
#'   these functions); the matching seqcore base class by default.
#' @return A layer function (`new_layer_class()`, `Layer()`) or a class.
#' @name new_layer_class
NULL

#' @rdname new_layer_class
#' @export
new_layer_class <- function(classname, ..., inherit = NULL) {
  members <- list(...)
  py_class <- new_py_class(classname, members,
                           inherit %||% seqcore_attr("layers", "Layer"))
  layer_constructor(py_class, members$initialize)
}

#' @rdname new_layer_class
#' @export
Layer <- function(classname, initialize = NULL, build = NULL, call = NULL,
                  get_config = NULL, ..., public = list(), inherit = NULL) {
  members <- class_members(list(initialize = initialize, build = build,
                                call = call, get_config = get_config,
                                ...), public)
  do.call(new_layer_class, c(list(classname), members,
                             list(inherit = inherit)))
}

# The layer function of a Python layer class: (object, <initialize's
# arguments>, ...). Without `object` it returns the layer; with a model,
# tensor or array it composes, as the layer_*() functions do.
layer_constructor <- function(py_class, initialize = NULL) {
  params <- if (is.function(initialize)) formals(initialize) else NULL
  params <- params[setdiff(names(params), c("self", "..."))]
  f <- function() NULL
  formals(f) <- c(alist(object = ), params, alist(... = ))
  body(f) <- bquote({
    args <- list()
    for (name in .(names(params)))
      if (!eval(call("missing", as.name(name))))
        args[name] <- list(get(name))
    layer <- do.call(.(py_class), c(args, list(...)))
    if (missing(object) || is.null(object)) layer else
      compose_layer(object, layer)
  })
  environment(f) <- topenv()
  attr(f, "py_class") <- py_class
  f
}

#' Create a layer from a class
#'
#' The layer of `layer_class` made with `args`, composed with `object` as
#' the `layer_*()` functions compose (added to a Sequential model, called on
#' a tensor or array), or returned when `object` is missing.
#'
#' @param layer_class An R6 class inheriting [KerasLayer], a Python layer
#'   class, or the name of a seqcore layer class ("Dense").
#' @param object What to compose the layer with.
#' @param args A named list of the arguments of the layer.
#' @return The layer, or the result of composing it.
#' @export
create_layer <- function(layer_class, object, args = list()) {
  if (missing(object)) object <- NULL
  if (is.character(layer_class)) return(make_layer(layer_class, object, args))
  layer <- if (inherits(layer_class, "R6ClassGenerator"))
    r6_layer(layer_class, args) else do.call(layer_class, as_py_args(args))
  if (is.null(object)) layer else compose_layer(object, layer)
}

#' Wrap a layer class as a layer function
#'
#' @param Layer A Python layer class (or one made by [new_layer_class()]).
#' @param modifiers Ignored (R keras's argument conversions; seqcore converts
#'   counts and shapes itself).
#' @param convert Ignored.
#' @return A function `(object, ...)` like the `layer_*()` functions.
#' @export
create_layer_wrapper <- function(Layer, modifiers = NULL, convert = TRUE) {
  py_class <- attr(Layer, "py_class") %||% Layer
  force(py_class)
  function(object, ...) {
    layer <- do.call(py_class, as_py_args(list(...)))
    if (missing(object) || is.null(object)) layer else
      compose_layer(object, layer)
  }
}

# ---- models, callbacks, metrics, losses, constraints ------------------------

#' @rdname new_layer_class
#' @export
new_model_class <- function(classname, ..., inherit = NULL) {
  new_py_class(classname, list(...), inherit %||% py_seqcore()$Model)
}

#' @rdname new_layer_class
#' @export
Model <- function(classname, initialize = NULL, call = NULL, ...,
                  public = list(), inherit = NULL) {
  members <- class_members(list(initialize = initialize, call = call, ...),
                           public)
  new_py_class(classname, members, inherit %||% py_seqcore()$Model)
}

#' @rdname new_layer_class
#' @export
new_callback_class <- function(classname, ..., inherit = NULL) {
  new_py_class(classname, list(...),
               inherit %||% seqcore_attr("callbacks", "Callback"))
}

#' @rdname new_layer_class
#' @export
Callback <- function(classname, ..., public = list(), inherit = NULL) {
  new_py_class(classname, class_members(list(...), public),
               inherit %||% seqcore_attr("callbacks", "Callback"))
}

#' @rdname new_layer_class
#' @export
new_metric_class <- function(classname, ..., inherit = NULL) {
  new_py_class(classname, list(...),
               inherit %||% seqcore_attr("metrics", "Metric"))
}

#' @rdname new_layer_class
#' @export
Metric <- function(classname, initialize = NULL, update_state = NULL,
                   result = NULL, ..., public = list(), inherit = NULL) {
  members <- class_members(list(initialize = initialize,
                                update_state = update_state,
                                result = result, ...), public)
  new_py_class(classname, members,
               inherit %||% seqcore_attr("metrics", "Metric"))
}

#' @rdname new_layer_class
#' @export
new_loss_class <- function(classname, ..., inherit = NULL) {
  new_py_class(classname, list(...),
               inherit %||% seqcore_attr("losses", "Loss"))
}

#' @rdname new_layer_class
#' @export
Loss <- function(classname, call = NULL, ..., public = list(),
                 inherit = NULL) {
  new_py_class(classname, class_members(list(call = call, ...), public),
               inherit %||% seqcore_attr("losses", "Loss"))
}

#' @rdname new_layer_class
#' @export
Constraint <- function(classname, call = NULL, get_config = NULL, ...,
                       public = list(), inherit = NULL) {
  members <- class_members(list(call = call, get_config = get_config, ...),
                           public)
  new_py_class(classname, members,
               inherit %||% seqcore_attr("constraints", "Constraint"))
}

#' Define a Python class with R syntax
#'
#' `MyLayer(keras$layers$Layer) %py_class%` followed by a body in braces
#' makes the class `MyLayer` in the calling environment: the functions
#' assigned in the body (`initialize <- function(...) ...`,
#' `call <- function(x) ...`) are its methods, as for [new_layer_class()]
#' (no `self` argument; `self` and `super` are bound).
#'
#' @param spec `ClassName(Parent)` or `ClassName`.
#' @param body The class body in braces.
#' @return The class, invisibly (also assigned to `ClassName`).
#' @export
`%py_class%` <- function(spec, body) {
  spec <- substitute(spec)
  body <- substitute(body)
  caller <- parent.frame()
  if (is.name(spec)) {
    classname <- as.character(spec)
    inherit <- NULL
  } else if (is.call(spec) && is.name(spec[[1]])) {
    classname <- as.character(spec[[1]])
    inherit <- lapply(as.list(spec)[-1], eval, envir = caller)
  } else {
    classname <- ""
  }
  if (!nzchar(classname) || make.names(classname) != classname) {
    stop("%py_class% expects ClassName(Parent) { ... } on its left; received ",
         paste(deparse(spec), collapse = " "), call. = FALSE)
  }
  env <- new.env(parent = caller)
  eval(body, env)
  members <- as.list(env, all.names = TRUE, sorted = TRUE)
  py_class <- new_py_class(classname, members, inherit)
  assign(classname, py_class, envir = caller)
  invisible(py_class)
}

# ---- R6 classes of earlier R keras ----------------------------------------

#' Base classes for R6 custom layers and callbacks
#'
#' Earlier R keras's way to write a layer or callback: an R6 class
#' inheriting `KerasLayer` (methods `build(input_shape)`, `call(x, mask)`,
#' `compute_output_shape(input_shape)`, with `self$add_weight()`; made with
#' [create_layer()]) or `KerasCallback` (fields `params` and `model`, hooks
#' `on_epoch_end(epoch, logs)`, ...; passed to [fit()] in `callbacks`).
#' @format R6 class generators.
#' @export
KerasLayer <- R6::R6Class("KerasLayer", public = list(
    initialize = function() NULL,
    build = function(input_shape) NULL,
    call = function(inputs, mask = NULL) inputs,
    compute_output_shape = function(input_shape) input_shape,
    add_weight = function(name = NULL, shape = NULL, dtype = NULL,
                          initializer = NULL, regularizer = NULL,
                          trainable = TRUE, constraint = NULL, ...) {
      args <- as_py_args(list(name = name, shape = shape, dtype = dtype,
                              initializer = initializer,
                              regularizer = regularizer,
                              trainable = trainable, constraint = constraint,
                              ...))
      do.call(private$py_layer$add_weight, args)
    },
    set_wrapper = function(py_layer) {
      private$py_layer <- py_layer
      invisible(self)
    },
    python_layer = function() private$py_layer),
    private = list(py_layer = NULL))

#' @rdname KerasLayer
#' @export
KerasCallback <- R6::R6Class("KerasCallback", public = list(
    params = NULL, model = NULL,
    set_context = function(params = NULL, model = NULL) {
      self$params <- params
      self$model <- model
    },
    on_epoch_begin = function(epoch, logs = NULL) NULL,
    on_epoch_end = function(epoch, logs = NULL) NULL,
    on_batch_begin = function(batch, logs = NULL) NULL,
    on_batch_end = function(batch, logs = NULL) NULL,
    on_train_begin = function(logs = NULL) NULL,
    on_train_end = function(logs = NULL) NULL,
    on_train_batch_begin = function(batch, logs = NULL) NULL,
    on_train_batch_end = function(batch, logs = NULL) NULL,
    on_test_begin = function(logs = NULL) NULL,
    on_test_end = function(logs = NULL) NULL,
    on_test_batch_begin = function(batch, logs = NULL) NULL,
    on_test_batch_end = function(batch, logs = NULL) NULL,
    on_predict_begin = function(logs = NULL) NULL,
    on_predict_end = function(logs = NULL) NULL,
    on_predict_batch_begin = function(batch, logs = NULL) NULL,
    on_predict_batch_end = function(batch, logs = NULL) NULL))

# The methods of an R6 object that differ from the R keras base class's
# (`base`, the R6 generator): those its class defines.
r6_overridden <- function(r6, base, names) {
  Filter(function(name) is.function(r6[[name]]) &&
           !identical(body(r6[[name]]), body(base$public_methods[[name]])),
         names)
}

# A seqcore layer whose build / call / compute_output_shape run the R6
# object's methods; the R6 object reaches the layer through add_weight().
r6_layer <- function(generator, args) {
  layer_args <- c("name", "trainable", "dtype", "input_shape",
                  "batch_input_shape", "batch_size")
  init_args <- args[setdiff(names(args), layer_args)]
  r6 <- do.call(generator$new, init_args)
  members <- list(
    build = function(input_shape) {
      r6$build(input_shape)
      super$build(input_shape)
    },
    call = function(inputs, mask = NULL)
      if ("mask" %in% names(formals(r6$call))) r6$call(inputs, mask)
      else r6$call(inputs))
  if (length(r6_overridden(r6, KerasLayer, "compute_output_shape")))
    members$compute_output_shape <- function(input_shape)
      as_shape(r6$compute_output_shape(input_shape))
  py_class <- new_py_class(generator$classname, members,
                           seqcore_attr("layers", "Layer"))
  layer <- do.call(py_class, as_py_args(args[intersect(names(args),
                                                      layer_args)]))
  r6$set_wrapper(layer)
  layer
}

# A seqcore callback calling the hooks an R6 KerasCallback defines (only
# those, so that fit computes per-batch logs only when a hook reads them);
# set_context(params, model) runs when training begins.
r6_callback <- function(r6) {
  own <- r6_overridden(r6, KerasCallback, callback_hooks)
  members <- list(on_train_begin = function(logs = NULL) {
    r6$set_context(params = self$params, model = self$model)
    if ("on_train_begin" %in% own) r6$on_train_begin(logs)
  })
  for (hook in setdiff(own, "on_train_begin"))
    members[[hook]] <- r6_hook(r6, hook)
  py_class <- new_py_class(class(r6)[1], members,
                           seqcore_attr("callbacks", "Callback"))
  py_class()
}

# The hook `name` of an R6 callback: (epoch or batch, logs) or (logs).
r6_hook <- function(r6, name) {
  force(name)
  if (grepl("^on_(train|test|predict)_(begin|end)$", name))
    function(logs = NULL) r6[[name]](logs)
  else function(index, logs = NULL) r6[[name]](index, logs)
}

callback_hooks <- c(
  "on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end",
  "on_train_begin", "on_train_end", "on_train_batch_begin",
  "on_train_batch_end", "on_test_begin", "on_test_end",
  "on_test_batch_begin", "on_test_batch_end", "on_predict_begin",
  "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end")
