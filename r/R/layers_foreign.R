# Keras's layers that run another framework's code. seqcore refuses them at
# construction (Python raises NotImplementedError naming the framework and
# what to do instead); the functions exist under R keras3's names.

#' Layers running TensorFlow, JAX, Flax or PyTorch code
#'
#' `layer_tfsm()`, `layer_jax_model_wrapper()`, `layer_flax_module_wrapper()`
#' and `layer_torch_module_wrapper()` have R keras3's names; seqcore cannot
#' run another framework's code, so they raise an error saying so.
#' @param object A model or layer to compose with, as for any layer.
#' @param ... Arguments of the Keras layer.
#' @name layers_foreign
NULL

#' @rdname layers_foreign
#' @export
layer_tfsm <- layer_wrapper("TFSMLayer", c("filepath", "call_endpoint"))
#' @rdname layers_foreign
#' @export
layer_jax_model_wrapper <- layer_wrapper("JaxLayer", c("call_fn", "init_fn"))
#' @rdname layers_foreign
#' @export
layer_flax_module_wrapper <- layer_wrapper("FlaxLayer", c("module", "method"))
#' @rdname layers_foreign
#' @export
layer_torch_module_wrapper <- layer_wrapper("TorchModuleWrapper", c("module"))
