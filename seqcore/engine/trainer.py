"""compile / fit / evaluate / predict and the one-batch methods, mixed into
Model.

A training step: forward with training=True (layers keep what backward
needs), the compiled loss and its gradient for each output, backward
through the layers (gradients land in the optimizer's arena), the weight
regularizers' gradients, then one optimizer call for every weight."""
import math
import warnings

import numpy as np

from seqcore import config
from seqcore import losses as losses_module
from seqcore import metrics as metrics_module
from seqcore import optimizers
from seqcore.callbacks import CallbackList
from seqcore.distribution import state as distribution_state
from seqcore.engine import backprop
from seqcore.engine import buffers
from seqcore.engine import data as data_utils
from seqcore.engine import data_adapters
from seqcore.engine import masking
from seqcore.engine import state_tree
from seqcore.engine.array_cache import uses_array_cache
from seqcore.engine.compile_metrics import CompileMetrics
from seqcore.engine.compute_loss import (call_compute_loss,
                                         default_compute_loss,
                                         override_loss,
                                         overrides_compute_loss)
from seqcore.engine.progbar import Progbar
from seqcore.engine.tape import plain as tape_plain


def _accuracy_for(identifier, y_true, y_pred):
    """Keras's choice for 'accuracy'/'acc' from the label and output
    shapes."""
    name = str(identifier)
    if y_pred.shape[-1] == 1:
        return metrics_module.BinaryAccuracy(name=name)
    if y_true.ndim < y_pred.ndim or (y_true.shape[-1] == 1 and
                                     y_pred.shape[-1] > 1):
        return metrics_module.SparseCategoricalAccuracy(name=name)
    return metrics_module.CategoricalAccuracy(name=name)


def _make_metric(identifier, y_true, y_pred):
    if str(identifier).lower() in ("accuracy", "acc"):
        return _accuracy_for(identifier, y_true, y_pred)
    metric = metrics_module.get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


class _Compiled:
    """The compiled losses and metrics of a model with `count` outputs."""

    def __init__(self, loss, loss_weights, metrics, output_names,
                 weighted_metrics=None):
        count = len(output_names)
        self.output_names = output_names
        self.losses = self._per_output(loss, output_names, "loss")
        self.losses = [None if l is None else losses_module.as_loss(l)
                       for l in self.losses]
        if loss_weights is None:
            self.loss_weights = [1.0] * count
        elif isinstance(loss_weights, dict):
            self.loss_weights = [float(loss_weights.get(n, 1.0))
                                 for n in output_names]
        else:
            weights = list(loss_weights) if isinstance(
                loss_weights, (list, tuple)) else [loss_weights]
            if len(weights) != count:
                raise ValueError(f"loss_weights must have one entry per "
                                 f"output ({count}), received {loss_weights}")
            self.loss_weights = [float(w) for w in weights]
        self.metric_specs = self._metric_specs(metrics, output_names)
        # Keras passes sample_weight to `weighted_metrics` only; both kinds
        # see the output's mask.
        self.weighted_specs = self._metric_specs(weighted_metrics,
                                                 output_names)
        self.metrics = None   # built on the first batch (needs shapes)
        # what `model.metrics` lists (engine/compile_metrics.py)
        self.loss_tracker = metrics_module.Mean(name="loss")
        self.compile_metrics = CompileMetrics(self)
        # With several losses Keras also logs each output's unweighted loss
        # as `<output name>_loss`: [sum of value * batch size, samples].
        named = [n for n, l in zip(output_names, self.losses) if l is not None]
        self.loss_trackers = {n: [0.0, 0] for n in named} \
            if len(named) > 1 else {}

    @staticmethod
    def _metric_specs(metrics, output_names):
        """One list of metric identifiers per output."""
        count = len(output_names)
        if metrics is None:
            return [[] for _ in range(count)]
        if isinstance(metrics, dict):
            return [list(_as_list(metrics.get(n, []))) for n in output_names]
        if count > 1 and isinstance(metrics, (list, tuple)) and \
                len(metrics) == count and all(
                    isinstance(m, (list, tuple)) for m in metrics):
            return [list(m) for m in metrics]
        return [list(_as_list(metrics))] * count

    def track_loss(self, name, value, batch):
        tracker = self.loss_trackers.get(name)
        if tracker is not None:
            tracker[0] += float(value) * batch
            tracker[1] += batch

    @staticmethod
    def _per_output(spec, names, what):
        if isinstance(spec, dict):
            unknown = set(spec) - set(names)
            if unknown:
                raise ValueError(f"The {what} dict names unknown outputs "
                                 f"{sorted(unknown)}; the model's outputs "
                                 f"are {names}")
            return [spec.get(n) for n in names]
        if isinstance(spec, (list, tuple)):
            if len(spec) != len(names):
                raise ValueError(f"The {what} list has {len(spec)} entries "
                                 f"but the model has {len(names)} outputs")
            return list(spec)
        return [spec] * len(names)

    def align_targets(self, ys, count):
        """ys with one entry per output: as Keras, fewer targets than
        outputs go, in order, to the outputs that have a loss (a model
        returning [logits, features] compiled with loss=[fn, None] takes
        one target)."""
        if ys is None or len(ys) == count:
            return ys
        with_loss = [i for i, loss in enumerate(self.losses)
                     if loss is not None]
        if len(ys) != len(with_loss):
            raise ValueError(
                f"The model has {count} outputs, {len(with_loss)} of them "
                f"with a loss; expected {count} or {len(with_loss)} "
                f"target(s) in `y`, received {len(ys)}")
        aligned = [None] * count
        for i, y in zip(with_loss, ys):
            aligned[i] = y
        return aligned

    def build_metrics(self, ys, outputs):
        prefix = len(self.output_names) > 1
        if ys is None:      # fit(x) alone, for a compute_loss override
            ys = [None] * len(outputs)
        self.metrics = []
        self._metric_outputs, self._metric_weighted = [], []
        for weighted, all_specs in ((False, self.metric_specs),
                                    (True, self.weighted_specs)):
            for k, (name, specs, y, out) in enumerate(zip(
                    self.output_names, all_specs, ys, outputs)):
                for spec in specs:
                    metric = _make_metric(spec, y, out)
                    if prefix:
                        metric.name = f"{name}_{metric.name}"
                    self.metrics.append((len(self.metrics), metric))
                    self._metric_outputs.append(k)
                    self._metric_weighted.append(weighted)
        self._unique_metric_names(prefix)

    def _unique_metric_names(self, prefix):
        """Keras's log names: a repeated metric name gets `_1`, `_2`...;
        a weighted metric whose name is taken becomes `weighted_<name>`."""
        taken = {}
        for (_, metric), k, weighted in zip(
                self.metrics, self._metric_outputs, self._metric_weighted):
            name = metric.name
            if name in taken and weighted:
                base = name[len(self.output_names[k]) + 1:] if prefix \
                    else name
                name = f"weighted_{base}"
                if prefix:
                    name = f"{self.output_names[k]}_{name}"
            if name in taken:
                taken[name] += 1
                name = f"{name}_{taken[name] - 1}"
            else:
                taken[name] = 1
            metric.name = name

    def update_metrics(self, ys, outputs, sample_weight, masks=None):
        masks = masks or [None] * len(outputs)
        for (_, metric), k, weighted in zip(
                self.metrics, self._metric_outputs, self._metric_weighted):
            weights = data_utils.output_weight(sample_weight, k) \
                if weighted else None
            if hasattr(metric, "_update_masked"):
                metric._update_masked(ys[k], outputs[k], weights, masks[k])
            else:
                metric.update_state(ys[k], outputs[k], weights)

    def reset_metrics(self):
        self.loss_tracker.reset_state()
        for _, metric in self.metrics or []:
            metric.reset_state()
        for tracker in self.loss_trackers.values():
            tracker[:] = [0.0, 0]

    def metric_results(self):
        results = {metric.name: _log_value(metric.result())
                   for _, metric in self.metrics or []}
        for name, (total, count) in self.loss_trackers.items():
            results[f"{name}_loss"] = total / count if count else 0.0
        return results


def _log_value(value):
    """A metric result as logs hold it: a float, or a numpy array for a
    metric with one value per class (F1Score(average=None)...)."""
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value.astype(np.float32)


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class Trainer:
    """The Keras training API of a Model."""

    _compiled = None
    optimizer = None
    stop_training = False
    _initial_epoch = None
    compiled = False
    loss = None
    # Keras's execution options: accepted and recorded; seqcore runs every
    # step eagerly in its kernels.
    run_eagerly = False
    jit_compile = False
    steps_per_execution = 1

    # ---- compile ------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None,
                metrics=None, weighted_metrics=None, run_eagerly=None,
                steps_per_execution=1, jit_compile="auto",
                auto_scale_loss=True):
        """Configure training: optimizer, loss(es), metrics."""
        # everything is checked before the model changes
        optimizer = optimizers.get(optimizer)
        compiled = _Compiled(loss, loss_weights, metrics,
                             self._output_names(), weighted_metrics)
        self.optimizer = optimizer
        self.loss = loss
        self._compiled = compiled
        self.run_eagerly = bool(run_eagerly)
        self.jit_compile = jit_compile not in (False, None)
        self.steps_per_execution = steps_per_execution
        self._weighted_metrics = weighted_metrics
        self.compiled = True
        self.stop_training = False
        self._train_variables = None

    def _output_names(self):
        given = self.__dict__.get("_given_output_names")
        if given is not None:
            return list(given)
        outputs = getattr(self, "_outputs", None)
        if outputs is None:
            return [self._layers[-1].name] if self._layers else ["output"]
        if isinstance(getattr(self, "_outputs_struct", None), dict):
            return list(self._outputs_struct)
        return [t._keras_history[0].name for t in outputs]

    def _refuse_step_override(self, step, what):
        """A subclass's own train_step/test_step cannot run: it takes its
        gradients from a backend (tf.GradientTape, jax.grad, torch's
        backward) that seqcore does not have, and ignoring it would train
        something else. Say so, and what works instead."""
        if getattr(type(self), step, None) is None:
            return
        for cls in type(self).__mro__:
            if cls.__module__.startswith("seqcore."):
                return
            if step in cls.__dict__:
                raise NotImplementedError(
                    f"{type(self).__name__} overrides {step}(): seqcore "
                    f"runs {what}() with its own step and has no backend "
                    f"autodiff (tf.GradientTape, jax.grad, torch backward) "
                    f"for a custom step. Override compute_loss(x, y, "
                    f"y_pred, sample_weight) with keras.ops instead (it is "
                    f"differentiated), or train sub-models with "
                    f"train_on_batch.")

    def _require_compiled(self, what):
        if self._compiled is None:
            raise RuntimeError(f"You must call `compile()` before calling "
                               f"`{what}()`.")

    @property
    def metrics(self):
        """Keras 3's list: once compiled, the loss tracker (a Mean named
        "loss") and the compiled metrics as one CompileMetrics; a model
        class may define its own `metrics` property instead."""
        if self._compiled is None:
            return []
        return [self._compiled.loss_tracker, self._compiled.compile_metrics]

    @property
    def metrics_names(self):
        """[m.name for m in model.metrics], as Keras 3 (so "loss",
        "compile_metrics" once compiled)."""
        return [m.name for m in self.metrics]

    @property
    def metrics_variables(self):
        return [v for m in self.metrics for v in m.variables]

    def get_state_tree(self, value_format="backend_tensor"):
        """Every variable (trainable, non-trainable, optimizer, metrics) as
        nested dicts keyed by the parts of its path (Keras 3;
        engine/state_tree.py)."""
        return state_tree.get_state_tree(self, value_format)

    def set_state_tree(self, state_tree_values):
        """Assign the values of a get_state_tree() tree (Keras 3)."""
        state_tree.set_state_tree(self, state_tree_values)

    def _log_names(self):
        """The names of evaluate's list after the loss, in order."""
        names = []
        if self._compiled is not None:
            names += [f"{n}_loss" for n in self._compiled.loss_trackers]
        if self._compiled is not None and self._compiled.metrics:
            names += [m.name for _, m in self._compiled.metrics]
        return names

    def get_metrics_result(self):
        """The current results of the metrics (a dict, as the logs)."""
        return self._logs(self._compiled.loss_tracker.result()) \
            if self._compiled is not None else {}

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with one batch and return
        get_metrics_result() (Keras's hook)."""
        self._compiled.compile_metrics.update_state(
            self._output_list(y) if y is not None else None,
            self._output_list(y_pred), sample_weight)
        return self.get_metrics_result()

    # ---- data ---------------------------------------------------------------

    def _prepare(self, x, y, sample_weight, what):
        if x is None:
            raise ValueError(f"`{what}` needs input data `x`")
        xs = data_utils.as_array_list(self._order(x, "x"), "x")
        ys = None if y is None else data_utils.as_array_list(
            self._order(y, "y"), "y")
        sw = self._sample_weights(sample_weight)
        data_utils.cardinality(xs, ys, sw)
        expected = len(getattr(self, "_inputs", None) or [None])
        if len(xs) != expected:
            raise ValueError(f"Model '{self.name}' expects {expected} "
                             f"input(s), received {len(xs)}")
        return xs, ys, sw

    def _sample_weights(self, sample_weight):
        """One float32 array for every output, or, given as a list or a
        dict keyed by output name (Keras's per-output sample weights), one
        per output."""
        if sample_weight is None:
            return None
        if isinstance(sample_weight, (list, tuple, dict)):
            outputs = len(self._output_names())
            if isinstance(sample_weight, dict):
                names = self._output_names()
                unknown = [k for k in sample_weight if k not in names]
                if unknown:
                    raise ValueError(
                        f"sample_weight has keys {unknown} that are not "
                        f"outputs of model '{self.name}' (its outputs: "
                        f"{names})")
                sample_weight = [sample_weight.get(k) for k in names]
            if len(sample_weight) != outputs:
                raise ValueError(
                    f"sample_weight: model '{self.name}' has {outputs} "
                    f"output(s), received {len(sample_weight)} arrays of "
                    f"sample weights")
            if outputs > 1:
                return data_utils.PerOutputWeights(
                    None if w is None else np.asarray(w, np.float32)
                    for w in sample_weight)
            sample_weight = sample_weight[0]
            if sample_weight is None:
                return None
        return np.asarray(sample_weight, np.float32)

    def _with_class_weight(self, ys, sw, class_weight):
        """sw times the class weights of the (first) targets."""
        if isinstance(sw, data_utils.PerOutputWeights):
            raise ValueError("`class_weight` is only supported for Models "
                             "with a single output.")
        cw = data_utils.class_weights_to_sample_weights(ys[0], class_weight)
        return cw if sw is None else sw * cw

    def _input_names(self):
        if isinstance(getattr(self, "_inputs_struct", None), dict):
            return list(self._inputs_struct)
        inputs = getattr(self, "_inputs", None) or []
        return [t._keras_history[0].name for t in inputs]

    def _order(self, data, what):
        """Data given as a dict keyed by input (x) or output (y) names, as
        a list in the model's order."""
        if not isinstance(data, dict):
            return data
        names = self._input_names() if what == "x" else self._output_names()
        missing = [n for n in names if n not in data]
        unknown = sorted(set(data) - set(names))
        if missing or unknown:
            raise ValueError(
                f"`{what}` as a dict must have one entry per model "
                f"{'input' if what == 'x' else 'output'}, keyed by name: "
                f"expected keys {names}, received {sorted(data)}")
        return [data[n] for n in names]

    def _model_input(self, xs):
        return xs[0] if len(xs) == 1 else xs

    def _output_list(self, outputs):
        if isinstance(outputs, dict):
            return [outputs[n] for n in self._output_names()]
        if isinstance(outputs, (list, tuple)) and \
                getattr(self, "_outputs", None) is None:
            # A subclassed model whose call returns several arrays.
            self._subclass_outputs = type(outputs)
            return list(outputs)
        return list(outputs) if isinstance(outputs, (list, tuple)) and \
            len(self._output_names()) > 1 else [outputs]

    def _output_struct(self, outputs):
        """predict's result: one array, a list, or a dict by output name
        (as the model's outputs were given)."""
        if isinstance(getattr(self, "_outputs_struct", None), dict):
            return dict(zip(self._output_names(), outputs))
        kind = self.__dict__.get("_subclass_outputs")
        if kind is not None and getattr(self, "_outputs", None) is None:
            return kind(outputs)
        return outputs[0] if len(outputs) == 1 else outputs

    # ---- one training step -------------------------------------------------------

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        """The loss to minimise (Keras 3's hook): the compiled loss(es),
        weighted per output, plus `self.losses`. Override it to train on
        another loss written with seqcore.ops; `fit` differentiates the
        override."""
        return default_compute_loss(self, y, y_pred, sample_weight)

    def _prepare_variables(self):
        """Give the optimizer the current trainable weights (a change of
        `trainable` takes effect here) and drop gradient buffers of the
        others."""
        trainable = self.trainable_weights
        key = [id(v) for v in trainable]
        if self._train_variables != key or self._weights_moved(trainable):
            for v in self.weights:
                v.grad = None
            # Rebuilt from the variables' current values; slots carry over.
            self.optimizer._variables = None
            self.optimizer.build(trainable)
            self._train_variables = key
        return self.optimizer._variables

    def _weights_moved(self, trainable):
        """Whether another model's optimizer took over some of these
        weights since this one's last step (two compiled models sharing
        layers, as a GAN's discriminator and the combined model): their
        values or gradients no longer live in this optimizer's arrays."""
        optimizer = self.optimizer
        if getattr(optimizer, "_params", None) is None:
            return False
        offsets = optimizer._offsets
        return any(v.grad is None or
                   v.__dict__.get("_arena") is not optimizer or
                   id(v) not in offsets
                   for v in trainable)

    def _flat_layers(self):
        found, stack = [], list(self._layers)
        while stack:
            layer = stack.pop()
            found.append(layer)
            stack.extend(getattr(layer, "_layers", []))
        return found

    def _output_layers(self):
        """Per output, the layer whose activation the loss gradient may
        skip; graph models decide it in their plan (engine/plan.py)."""
        return []

    def _loss_and_gradients(self, ys, outputs, sample_weight, with_grad,
                            output_layers=None, masks=None, dy_is_dz=None):
        """(total loss, d loss / d output per output). `masks`: each
        output's mask or None; masked steps weigh as Keras weighs them
        (seqcore/engine/masking.py). `dy_is_dz`: a list, set True for each
        output whose gradient the loss gave before its layer's activation
        (softmax/sigmoid fused with the cross-entropy)."""
        total, grads = 0.0, []
        output_layers = output_layers or [None] * len(outputs)
        masks = masks or [None] * len(outputs)
        for i, (name, loss, weight, y, out, layer, mask) in enumerate(zip(
                self._compiled.output_names, self._compiled.losses,
                self._compiled.loss_weights, ys, outputs, output_layers,
                masks)):
            if loss is None:
                grads.append(None)
                continue
            fused = None
            if with_grad and dy_is_dz is not None and getattr(
                    layer, "_takes_preactivation_grad", False):
                fused = losses_module.fused_output_gradient(
                    loss, getattr(layer.activation, "__name__", None), y,
                    out, data_utils.output_weight(sample_weight, i), mask)
            if fused is not None:
                value, g = fused
                dy_is_dz[i] = True   # its backward skips the activation
            else:
                weights = data_utils.output_weight(sample_weight, i)
                value = float(loss._masked_value(y, out, weights, mask))
                g = None if not with_grad else \
                    np.asarray(loss.gradient(y, out, weights, mask=mask),
                               np.float32)
            self._compiled.track_loss(name, value, out.shape[0])
            total += weight * value
            if with_grad:
                grads.append(g * np.float32(weight) if weight != 1.0 else g)
        return total, grads

    def _regularization_loss(self, variables, with_grad):
        total = 0.0
        for v in variables:
            reg = v.regularizer
            if reg is None:
                continue
            total += float(reg(v.value))
            if with_grad and v.grad is not None:
                v.grad += reg.gradient(v.value).astype(np.float32)
        return total

    def _activity_losses_total(self, layers):
        return sum(layer._activity_loss() for layer in layers)

    def _has_added_losses(self):
        return any(layer.__dict__.get("_losses")
                   for layer in self._flat_layers() + [self])

    def _start_step(self, layers):
        """Forget the previous step's per-call state: activity outputs,
        add_loss values, call counts (which key reused buffers)."""
        for layer in layers + [self]:
            layer._activity_output = None
            layer._step_calls = 0
            layer.__dict__["_losses"] = []

    def _train_batch(self, xs, ys, sw):
        """One step; returns the batch's total loss."""
        variables = self._prepare_variables()
        layers = self._flat_layers()
        self._start_step(layers)
        with backprop.without_input_grad():
            outputs = self._output_list(self(self._model_input(xs),
                                             training=True))
        ys = self._compiled.align_targets(ys, len(outputs))
        if self._compiled.metrics is None:
            self._compiled.build_metrics(ys, outputs)
        masks = masking.output_masks(self, len(outputs))
        overridden = overrides_compute_loss(self)
        if overridden:
            output_layers = []
            loss, loss_backward = override_loss(self, xs, ys, outputs, sw)
        else:
            output_layers = self._output_layers() or [None] * len(outputs)
            dy_is_dz = [False] * len(outputs)
            loss, grads = self._loss_and_gradients(ys, outputs, sw, True,
                                                   output_layers, masks,
                                                   dy_is_dz)
            loss += self._added_losses_total()
            loss += self._activity_losses_total(layers)
        for v in variables:
            v._grad_fresh = True
        if not output_layers:
            grads = loss_backward()
        if not any(g is not None for g in grads) and \
                self._has_added_losses():
            # Only add_loss terms to train on: backward still runs, seeded
            # with them (the outputs' own gradient is zero).
            grads = [np.zeros_like(o) for o in outputs]
        if grads and any(g is not None for g in grads):
            options = {"dy_is_dz": dy_is_dz} if output_layers and \
                any(dy_is_dz) else {}
            self.backward(grads[0] if len(grads) == 1 else grads,
                          need_input_grad=False, **options)
        for v in variables:
            if v._grad_fresh:          # no path from the loss: no change
                v.grad[...] = 0.0
        regularization = self._regularization_loss(variables, True)
        if not overridden:
            # An override's value is the loss as it stands (Keras's default
            # compute_loss, if it calls it, already holds model.losses)
            loss += regularization
        if not math.isfinite(loss):
            self._nan_batches = getattr(self, "_nan_batches", 0) + 1
        self.optimizer.step(applied=distribution_state.hooks()
                            .reduce_gradients(self, xs[0].shape[0]))
        self._compiled.update_metrics(ys, outputs, sw, masks)
        self._compiled.loss_tracker.update_state(loss,
                                                 sample_weight=xs[0].shape[0])
        return loss

    def _test_batch(self, xs, ys, sw):
        layers = self._flat_layers()
        self._start_step(layers)
        outputs = self._output_list(self(self._model_input(xs),
                                         training=False))
        ys = self._compiled.align_targets(ys, len(outputs))
        if self._compiled.metrics is None:
            self._compiled.build_metrics(ys, outputs)
        masks = masking.output_masks(self, len(outputs))
        if overrides_compute_loss(self):
            y = ys[0] if len(ys) == 1 else ys
            loss = float(np.sum(tape_plain(call_compute_loss(
                self, self._model_input(xs), y, self._output_struct(outputs),
                sw, training=False))))
        else:
            loss, _ = self._loss_and_gradients(ys, outputs, sw, False,
                                               masks=masks)
            loss += self._added_losses_total()
            loss += self._activity_losses_total(layers)
            loss += self._regularization_loss(self.trainable_weights, False)
        self._compiled.update_metrics(ys, outputs, sw, masks)
        self._compiled.loss_tracker.update_state(loss,
                                                 sample_weight=xs[0].shape[0])
        return loss

    def _user_metrics(self):
        """The metrics of a `metrics` property a user's model class defines
        (Keras 3 then logs exactly those, without `loss`), else None."""
        for klass in type(self).__mro__:
            if "metrics" in klass.__dict__:
                if klass.__module__.startswith("seqcore."):
                    return None
                value = self.metrics
                return list(value) if isinstance(value, (list, tuple)) \
                    else None
        return None

    def _reset_all_metrics(self):
        """Keras's reset_metrics at each epoch: the compiled metrics and
        those of a user's `metrics` property."""
        self._compiled.reset_metrics()
        for metric in self._user_metrics() or []:
            metric.reset_state()

    def _logs(self, loss_value):
        user = self._user_metrics()
        if user is not None:
            return {m.name: _log_value(m.result()) for m in user}
        logs = dict(self._compiled.metric_results())
        logs["loss"] = float(loss_value)
        return dict(sorted(logs.items()))

    # ---- fit -------------------------------------------------------------------

    def _check_stateful_batches(self, n, batch_size):
        stateful = [l for l in self._flat_layers() if getattr(l, "stateful",
                                                              False)]
        if stateful and n % batch_size:
            raise ValueError(
                f"Layer '{stateful[0].name}' is stateful: every batch must "
                f"hold exactly batch_size={batch_size} samples, but {n} "
                f"samples leave a last batch of {n % batch_size}. Use a "
                f"number of samples divisible by the batch size.")

    @uses_array_cache
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto",
            callbacks=None, validation_split=0.0, validation_data=None,
            shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for `epochs` epochs; returns a History.

        x: arrays (a list/tuple or dict of them for several inputs), a
        `keras.utils.PyDataset` (or seqcore's ArrayDataset), or a Python
        generator/iterator of batches `(x, y)` / `(x, y, sample_weight)`
        (seqcore/engine/data_adapters.py). `validation_data` takes any of
        these (arrays as a tuple `(x, y)` or `(x, y, sample_weight)`)."""
        self._require_compiled("fit")
        self._refuse_step_override("train_step", "fit")
        cap = config.max_epochs()
        if cap and cap < epochs:
            warnings.warn(f"Limiting epochs to {cap}", stacklevel=2)
            epochs = cap
        train = self._train_iterator(x, y, sample_weight, batch_size,
                                     shuffle, steps_per_epoch, class_weight,
                                     validation_split, validation_data)
        epoch_iterator, val_source, batch_size = train
        val_iterator = None
        if val_source is not None:
            val_iterator = self._eval_iterator(
                *val_source, validation_batch_size or batch_size,
                validation_steps, "validation_data")
        verbose = 1 if verbose == "auto" else int(verbose)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(
                callbacks, add_history=True, add_progbar=verbose != 0,
                model=self, verbose=verbose, epochs=epochs,
                steps=epoch_iterator.num_batches)
        self.stop_training = False
        self._initial_epoch = None
        callbacks.on_train_begin()
        # A callback (BackupAndRestore) may set where training resumes.
        initial_epoch = self._initial_epoch or initial_epoch
        training_logs = {}
        try:
            training_logs = self._fit_epochs(
                callbacks, epoch_iterator, val_iterator, validation_freq,
                initial_epoch, epochs)
        finally:
            self._initial_epoch = None
            if epochs > 0:      # use_ema: the weights take their averages
                self.optimizer.finalize_variable_values(self.trainable_weights)
        callbacks.on_train_end(training_logs)
        return callbacks._history or getattr(self, "history", None)

    def _train_iterator(self, x, y, sample_weight, batch_size, shuffle,
                        steps_per_epoch, class_weight, validation_split,
                        validation_data):
        """(EpochIterator of the training batches, the validation data as
        (x, y, sample_weight) or None, batch size)."""
        adapter = data_adapters.get_adapter(x, y, sample_weight, batch_size,
                                            shuffle, steps_per_epoch, "fit")
        if batch_size is None and steps_per_epoch and adapter is None and \
                x is not None and not isinstance(x, dict):
            # Keras: with steps but no batch size, the data fills the steps.
            n = len(x[0] if isinstance(x, (list, tuple)) else x)
            batch_size = -(-n // int(steps_per_epoch))
        batch_size = 32 if batch_size is None else batch_size
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or \
                int(batch_size) <= 0:
            raise ValueError(f"batch_size must be a positive integer, "
                             f"received {batch_size}")
        batch_size = int(batch_size)
        val = None
        if validation_data is not None:
            val = data_adapters.unpack_validation(validation_data)
        if adapter is not None:
            if validation_split and validation_data is None:
                raise ValueError(
                    f"`validation_split` is only supported for Tensors or "
                    f"NumPy arrays, found following types in the input: "
                    f"[{type(x)}]. Pass `validation_data` instead.")
            adapter.class_weight = class_weight
            if not self.built:
                self._build_from_batch(adapter.peek(), "fit")
            return data_adapters.EpochIterator(adapter, steps_per_epoch), \
                val, batch_size
        if y is None and not overrides_compute_loss(self):
            raise ValueError("fit() needs targets `y` for the compiled loss")
        xs, ys, sw = self._prepare(x, y, sample_weight, "fit")
        data_utils.check_finite(xs, "x")
        if ys is not None:      # a compute_loss override may take none
            data_utils.check_finite(ys, "y")
        if class_weight is not None:
            sw = self._with_class_weight(ys, sw, class_weight)
        if validation_data is None and validation_split:
            (xs, ys), (vx, vy) = data_utils.split_validation(
                [xs, ys], validation_split)
            n_train = xs[0].shape[0]
            vsw = None if sw is None else sw[n_train:]
            sw = None if sw is None else sw[:n_train]
            val = (data_adapters.PREPARED, (vx, vy, vsw), None)
        n = xs[0].shape[0]
        if n == 0:
            raise ValueError("fit() received no samples (x has length 0)")
        self._check_stateful_batches(n, batch_size)
        if not self.built:
            self._build_from_data(xs)
        adapter = data_adapters.ArrayAdapter(xs, ys, sw, batch_size, shuffle,
                                             steps_per_epoch)
        return data_adapters.EpochIterator(adapter), val, batch_size

    def _eval_iterator(self, x, y, sample_weight, batch_size, steps, what):
        """An EpochIterator over evaluation data (not shuffled)."""
        if x is data_adapters.PREPARED:          # validation_split's arrays
            xs, ys, sw = y
            adapter = data_adapters.ArrayAdapter(xs, ys, sw, batch_size)
            return data_adapters.EpochIterator(adapter, steps)
        adapter = data_adapters.get_adapter(x, y, sample_weight, batch_size,
                                            False, steps, what)
        if adapter is not None:
            if not self.built:
                self._build_from_batch(adapter.peek(), what)
            return data_adapters.EpochIterator(adapter, steps)
        if y is None:
            raise ValueError(f"{what} needs targets `y` for the loss")
        xs, ys, sw = self._prepare(x, y, sample_weight, what)
        if not self.built:
            self._build_from_data(xs)
        adapter = data_adapters.ArrayAdapter(xs, ys, sw, batch_size or 32)
        return data_adapters.EpochIterator(adapter, steps)

    def _batch_arrays(self, batch, adapter, what, targets=True):
        """(xs, ys, sw) of a batch from a dataset or generator, checked as
        fit's arrays are; class_weight applied."""
        if adapter.prepared:
            return batch
        x, y, sw = data_adapters.unpack_batch(batch, adapter.kind)
        if targets and y is None:
            raise ValueError(
                f"{what} needs targets: the batches of {adapter.kind} must "
                f"be (x, y) or (x, y, sample_weight); received a batch "
                f"without targets")
        xs, ys, sw = self._prepare(x, y if targets else None, sw, what)
        class_weight = getattr(adapter, "class_weight", None)
        if class_weight is not None and targets:
            if sw is not None:
                raise ValueError("You cannot specify `class_weight` and "
                                 "`sample_weight` at the same time.")
            sw = data_utils.class_weights_to_sample_weights(ys[0],
                                                            class_weight)
        return xs, ys, sw

    def _build_from_batch(self, batch, what):
        x, _, _ = data_adapters.unpack_batch(batch)
        xs = data_utils.as_array_list(self._order(x, "x"), "x")
        self._build_from_data(xs)

    def _fit_epochs(self, callbacks, epoch_iterator, val_iterator,
                    validation_freq, initial_epoch, epochs):
        """The epoch loop; returns the last epoch's logs."""
        adapter = epoch_iterator.adapter
        epoch_logs = {}
        dist = distribution_state.hooks()
        dist.begin(self, epoch_iterator, "fit")
        for epoch in range(initial_epoch, epochs):
            self._reset_all_metrics()
            callbacks.on_epoch_begin(epoch)
            loss_total, rows, logs, steps = 0.0, 0, {}, 0
            # Logs (on several ranks: sums over ranks) at each batch only
            # when a callback on some rank reads them; else once, after
            # the last.
            batch_logs = dist.agree(callbacks._uses_batch_logs("train"))
            adapter.on_epoch_begin()
            for step, batch in epoch_iterator.epoch():
                callbacks.on_train_batch_begin(step)
                bx, by, bw = dist.shard(self._batch_arrays(batch, adapter,
                                                           "fit"))
                with buffers.reused():
                    loss = dist.train_step(self, bx, by, bw)
                loss_total += loss * bx[0].shape[0]
                rows += bx[0].shape[0]
                steps += 1
                if batch_logs:
                    logs = dist.logs(self, loss_total, rows)
                callbacks.on_train_batch_end(step, logs)
                if batch_logs:
                    self.stop_training = dist.agree(self.stop_training)
                if self.stop_training:
                    break
            adapter.on_epoch_end()
            if steps == 0:
                raise ValueError(data_adapters.no_batches_message(
                    adapter, epoch))
            if not batch_logs:
                logs = dist.logs(self, loss_total, rows)
            epoch_logs = dict(logs)
            if val_iterator is not None and \
                    self._should_validate(epoch, validation_freq):
                val_logs = self._test_epoch(val_iterator, callbacks, 0,
                                            "validation_data")
                epoch_logs.update({f"val_{k}": v
                                   for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            self.stop_training = dist.agree(self.stop_training)
            if self.stop_training:
                break
        return epoch_logs

    @staticmethod
    def _should_validate(epoch, validation_freq):
        if isinstance(validation_freq, int):
            return (epoch + 1) % validation_freq == 0
        if isinstance(validation_freq, (list, tuple, set)):
            return epoch + 1 in validation_freq
        raise ValueError(f"Expected `validation_freq` to be a list or int. "
                         f"Received: validation_freq={validation_freq} of "
                         f"the type {type(validation_freq)}.")

    def _build_from_data(self, xs):
        if self._uses_tape():
            # A subclassed model: its call creates the weights (Keras
            # builds it on its first batch, as here on one sample).
            self(self._model_input([x[:1] for x in xs]))
            self._clear_losses()
            return
        shape = (None,) + xs[0].shape[1:]
        self.build(shape)

    # ---- evaluate / predict ------------------------------------------------------

    def _test_epoch(self, epoch_iterator, callbacks, verbose, what):
        """One pass of evaluation: on_test_begin, the batches,
        on_test_end; returns the logs."""
        adapter = epoch_iterator.adapter
        dist = distribution_state.hooks()
        self._reset_all_metrics()
        callbacks.on_test_begin()
        loss_total, rows, steps = 0.0, 0, 0
        target = epoch_iterator.num_batches
        bar = Progbar(target or 0, verbose=verbose) if verbose else None
        logs = {}
        batch_logs = dist.agree(verbose == 1 or
                                callbacks._uses_batch_logs("test"))
        adapter.on_epoch_begin()
        for step, batch in epoch_iterator.epoch():
            callbacks.on_test_batch_begin(step)
            bx, by, bw = dist.shard(self._batch_arrays(batch, adapter, what))
            loss = dist.test_step(self, bx, by, bw)
            loss_total += loss * bx[0].shape[0]
            rows += bx[0].shape[0]
            steps += 1
            if batch_logs:
                logs = dist.logs(self, loss_total, rows)
            callbacks.on_test_batch_end(step, logs)
            if bar is not None:
                bar.update(step + 1, logs, finalize=False)
        adapter.on_epoch_end()
        if not steps:
            raise ValueError(data_adapters.no_batches_message(adapter, None))
        if not batch_logs:
            logs = dist.logs(self, loss_total, rows)
        if bar is not None:
            bar.target = bar.target or steps
            bar.update(bar.target, logs, finalize=True)
        callbacks.on_test_end(logs)
        return logs

    @uses_array_cache
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto",
                 sample_weight=None, steps=None, callbacks=None,
                 return_dict=False):
        """The loss and metrics on (x, y): a float when there are no
        metrics, else [loss, *metrics] (or a dict with return_dict). x may
        be arrays, a PyDataset or a generator (as fit's)."""
        self._require_compiled("evaluate")
        self._refuse_step_override("test_step", "evaluate")
        if x is None:
            raise ValueError("`evaluate` needs input data `x`")
        epoch_iterator = self._eval_iterator(x, y, sample_weight,
                                             batch_size or 32, steps,
                                             "evaluate")
        verbose = 1 if verbose == "auto" else int(verbose)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, model=self, verbose=verbose,
                                     epochs=1,
                                     steps=epoch_iterator.num_batches)
        distribution_state.hooks().begin(self, epoch_iterator, "evaluate")
        logs = self._test_epoch(epoch_iterator, callbacks, verbose,
                                "evaluate")
        return self._format_results(logs, return_dict)

    def _format_results(self, logs, return_dict):
        if return_dict:
            return logs
        values = [logs["loss"]] + [logs[name] for name in
                                   self._log_names()]
        return values[0] if len(values) == 1 else values

    @uses_array_cache
    def predict(self, x, batch_size=None, verbose="auto", steps=None,
                callbacks=None):
        """The model's outputs on x, batch by batch, concatenated. x may be
        arrays, a PyDataset or a generator (targets in its batches are
        ignored)."""
        batch_size = batch_size or 32
        adapter = data_adapters.get_adapter(x, None, None, batch_size, False,
                                            steps, "predict")
        if adapter is None:
            xs = data_utils.as_array_list(self._order(x, "x"), "x")
            data_utils.cardinality(xs)
            if not self.built:
                self._build_from_data(xs)
            adapter = data_adapters.ArrayAdapter(xs, None, None, batch_size)
        elif not self.built:
            self._build_from_batch(adapter.peek(), "predict")
        epoch_iterator = data_adapters.EpochIterator(adapter, steps)
        verbose = 1 if verbose == "auto" else int(verbose)
        target = epoch_iterator.num_batches
        bar = Progbar(target or 0, verbose=verbose) if verbose else None
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, model=self, verbose=verbose,
                                     epochs=1, steps=target)
        dist = distribution_state.hooks()
        dist.begin(self, epoch_iterator, "predict")
        callbacks.on_predict_begin()
        chunks = []
        adapter.on_epoch_begin()
        for step, batch in epoch_iterator.epoch():
            callbacks.on_predict_batch_begin(step)
            bx = dist.shard((self._batch_arrays(batch, adapter, "predict",
                                                targets=False)[0], None,
                             None))[0]
            out = dist.predict_step(self, bx)
            chunks.append([np.array(o, copy=True) for o in
                           self._output_list(out)])
            callbacks.on_predict_batch_end(step, {"outputs": out})
            if bar is not None:
                bar.update(step + 1, finalize=False)
        adapter.on_epoch_end()
        if bar is not None:
            bar.target = bar.target or len(chunks)
            bar.update(bar.target, finalize=True)
        callbacks.on_predict_end()
        if not chunks:
            raise ValueError("predict() received no samples (x has length "
                             "0)")
        outputs = dist.gather([np.concatenate(parts)
                               for parts in zip(*chunks)])
        return self._output_struct(outputs)

    # ---- one batch ---------------------------------------------------------------

    @uses_array_cache
    def train_on_batch(self, x, y=None, sample_weight=None,
                       class_weight=None, return_dict=False):
        self._require_compiled("train_on_batch")
        xs, ys, sw = self._prepare(x, y, sample_weight, "train_on_batch")
        if class_weight is not None:
            sw = self._with_class_weight(ys, sw, class_weight)
        if not self.built:
            self._build_from_data(xs)
        self._compiled.reset_metrics()
        loss = self._train_batch(xs, ys, sw)
        return self._format_results(self._logs(loss), return_dict)


    # ---- Keras's step hooks (the steps fit/evaluate/predict run) --------------

    def _step_data(self, data, what):
        from seqcore.engine.data_adapters import unpack_batch
        x, y, sample_weight = unpack_batch(data)
        xs, ys, sw = self._prepare(x, y, sample_weight, what)
        if not self.built:
            self._build_from_data(xs)
        return xs, ys, sw

    def train_step(self, data):
        """One training step on `data` ((x, y), (x, y, sample_weight) or
        x); the metrics' results so far. Overriding it is refused: see
        fit."""
        self._require_compiled("train_step")
        self._train_batch(*self._step_data(data, "train_step"))
        return self.get_metrics_result()

    def test_step(self, data):
        """One evaluation step on `data`; the metrics' results so far."""
        self._require_compiled("test_step")
        self._test_batch(*self._step_data(data, "test_step"))
        return self.get_metrics_result()

    def predict_step(self, data):
        """The model's output on the x of `data`."""
        xs, _, _ = self._step_data(data if isinstance(data, tuple)
                                   else (data,), "predict_step")
        return self(self._model_input(xs), training=False)

    # ---- compile and build configs (Keras's hooks) ------------------------------

    def get_compile_config(self):
        """The compile settings as `.keras` files save them, or None."""
        from seqcore.saving.files import _compile_config
        return _compile_config(self)

    def compile_from_config(self, config):
        """compile() with what get_compile_config() gave."""
        from seqcore.saving.files import _compile_in_scope
        if not _compile_in_scope(self, config, None):
            raise ValueError(f"Could not compile model '{self.name}' from "
                             f"config {config!r}")

    @uses_array_cache
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._require_compiled("test_on_batch")
        xs, ys, sw = self._prepare(x, y, sample_weight, "test_on_batch")
        if not self.built:
            self._build_from_data(xs)
        self._compiled.reset_metrics()
        loss = self._test_batch(xs, ys, sw)
        return self._format_results(self._logs(loss), return_dict)

    @uses_array_cache
    def predict_on_batch(self, x):
        xs = data_utils.as_array_list(self._order(x, "x"), "x")
        if not self.built:
            self._build_from_data(xs)
        out = self(self._model_input(xs), training=False)
        outputs = [np.array(o, copy=True) for o in self._output_list(out)]
        return self._output_struct(outputs)

    def reset_metrics(self):
        if self._compiled is not None:
            self._compiled.reset_metrics()
