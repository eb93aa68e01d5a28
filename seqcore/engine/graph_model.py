"""What Sequential and Functional models share: running their graph through
one Plan (engine/plan.py) forward and backward, and the lean inference
path."""
import numpy as np

from seqcore.engine.array_cache import uses_array_cache
from seqcore.engine.model import Model
from seqcore.engine.plan import Plan


class GraphModel(Model):
    """A model defined by a graph of layer calls. Subclasses give the graph
    with `_graph()` -> (input tensors, output tensors, nodes in order) and
    drop `_plan` whenever it changes."""

    _plan = None

    def _graph(self):
        raise NotImplementedError

    def _get_plan(self):
        """The model's Plan, made on its first run (so that fusion rules
        see the model as it is run, not as it was being assembled)."""
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self._plan = Plan(*self._graph())
        return plan

    def _run_graph(self, input_values, input_masks, training):
        """Outputs (a list) of one run; keeps the output masks and, for a
        training run, the run's record as this model's call record."""
        outputs, masks, record = self._get_plan().forward(
            input_values, input_masks, training)
        self._output_mask = masks if len(masks) > 1 else masks[0]
        if training:
            self._saved = record
        return outputs

    _consumes_mask = True

    def compute_mask(self, inputs, mask=None):
        """The mask(s) of the outputs of the last call (None: no mask)."""
        return getattr(self, "_output_mask", None)

    def backward(self, dy, need_input_grad=True, dy_is_dz=None):
        """Input gradient(s) of the last training call given the outputs'.

        Args:
            dy: d loss / d output, a list for several outputs (None for an
                output without loss).
            need_input_grad: False when nothing uses the inputs' gradients
                (then None is returned and less work is done).
            dy_is_dz: per output (or one bool), whether its gradient is
                taken before the activation of the layer that makes it
                (see Plan.output_layers).
        """
        record = self.__dict__.get("_saved")
        if record is None:
            raise RuntimeError(f"Model '{self.name}': backward() needs a "
                               f"training call first (training=True)")
        plan = self._get_plan()
        dys = dy if len(plan.outputs) > 1 else [dy]
        if isinstance(dy_is_dz, bool):
            dy_is_dz = [dy_is_dz] * len(plan.outputs)
        dxs = plan.backward(record, dys, need_input_grad, dy_is_dz)
        if not need_input_grad:
            return None
        return dxs[0] if len(plan.inputs) == 1 else dxs

    def _output_layers(self):
        return self._get_plan().output_layers()

    @uses_array_cache
    def __call__(self, inputs, *args, **kwargs):
        # Inference on the exact input shape and dtype of the last checked
        # call runs the plan's lean chain: the same kernels, without the
        # per-layer checks (a few microseconds per layer, which dominate
        # batch-1 calls).
        plan = self.__dict__.get("_plan")
        lean = plan.inference if plan is not None else None
        if lean is not None and not args and \
                (not kwargs or kwargs == {"training": False}) and \
                type(inputs) is np.ndarray and inputs.shape == lean[0] and \
                inputs.dtype == lean[1] and inputs.flags.c_contiguous:
            for forward in lean[2]:
                inputs = forward(inputs)
            return inputs
        outputs = super().__call__(inputs, *args, **kwargs)
        plan = self.__dict__.get("_plan")
        if plan is not None and not args and not kwargs.get("training") \
                and type(inputs) is np.ndarray:
            plan.inference = plan.lean_chain(
                inputs, getattr(self, "_output_mask", None))
        return outputs
