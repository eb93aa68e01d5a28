"""Optimizer: Keras 3's arguments, gradient clipping and weight decay, over
one flat float32 arena of weights.

On its first step for a set of trainable variables, the optimizer moves
their values into one contiguous array (each Variable keeps a view into it)
and gives each a gradient view into a second array, so that one C call
updates every weight: layers' backward passes write gradients straight
into the arena. Variables excluded from weight decay are placed last, so the
decayed ones are a prefix.
"""
import math
import re
import warnings

import numpy as np

from seqcore import _kernels, scopes
from seqcore.optimizers import schedules


class Optimizer:
    """Base optimizer. Subclasses set `rule` (the C kernel), `slot_names`
    and implement `_hyper(step)` (the rule's scalars)."""

    rule = None
    slot_names = ()

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        legacy_lr = kwargs.pop("lr", None)
        legacy_decay = kwargs.pop("decay", None)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword "
                            f"arguments {sorted(kwargs)}")
        if legacy_lr is not None:
            warnings.warn("The `lr` argument is deprecated, use "
                          "`learning_rate` instead.", DeprecationWarning,
                          stacklevel=3)
            learning_rate = legacy_lr
        self.decay = 0.0
        if legacy_decay:
            warnings.warn("The `decay` argument is Keras 2's time-based "
                          "learning-rate decay, lr / (1 + decay * step); use "
                          "a LearningRateSchedule instead.",
                          DeprecationWarning, stacklevel=3)
            self.decay = float(legacy_decay)
        if sum(c is not None for c in (clipnorm, clipvalue,
                                       global_clipnorm)) > 1:
            raise ValueError(
                f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` "
                f"can be set. Received: clipnorm={clipnorm}, "
                f"clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        if loss_scale_factor is not None and (
                isinstance(loss_scale_factor, bool) or
                not isinstance(loss_scale_factor, (int, float)) or
                not math.isfinite(loss_scale_factor) or
                loss_scale_factor <= 0):
            raise ValueError(f"{type(self).__name__}: loss_scale_factor must "
                             f"be a positive float or None, received "
                             f"loss_scale_factor={loss_scale_factor!r}")
        if gradient_accumulation_steps is not None and (
                isinstance(gradient_accumulation_steps, bool) or
                int(gradient_accumulation_steps) !=
                gradient_accumulation_steps or
                gradient_accumulation_steps < 2):
            raise ValueError(f"`gradient_accumulation_steps` must be an "
                             f"integer >= 2. Received: "
                             f"gradient_accumulation_steps="
                             f"{gradient_accumulation_steps}")
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"`ema_momentum` must be in the range [0, 1]. "
                             f"Received: ema_momentum={ema_momentum}")
        self.name = name or _snake(type(self).__name__)
        # The name scopes around the optimizer when made (its iteration
        # and learning rate) and when built (its slots): Keras's paths.
        self._made_in = self._built_in = scopes.current_path()
        self._learning_rate = self._checked_learning_rate(learning_rate)
        self.weight_decay = None if weight_decay is None else \
            float(weight_decay)
        self.clipnorm, self.clipvalue = clipnorm, clipvalue
        self.global_clipnorm = global_clipnorm
        self._iterations = 0       # steps taken, accumulation steps too
        self._variables = None     # the variables the arena holds, in order
        self._slots = {}           # slot name -> flat array
        self._exclude_ids, self._exclude_pattern = set(), None
        # Built by apply/apply_gradients (inside Keras's name scope of the
        # optimizer) rather than by `build` called from outside (fit)
        self._built_by_apply = False
        # Set while data-parallel ranks share this arena's weights and
        # slots (distribution/node_reduce.py): gives this rank its own
        # copy again, before an update that is not split over the ranks.
        self._shared_release = None
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        # Keras's static loss scale: scale_loss() multiplies a loss by it
        # and apply() divides the gradients it is given by it (fit computes
        # unscaled gradients, so it changes nothing there)
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = None if \
            gradient_accumulation_steps is None else \
            int(gradient_accumulation_steps)

    @property
    def iterations(self):
        """Updates applied so far (steps // gradient_accumulation_steps when
        gradients are accumulated), as Keras counts them."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations = int(value)

    # ---- learning rate -------------------------------------------------------

    def _checked_learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule) or callable(value):
            return value
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{type(self).__name__}: learning_rate must be a "
                             f"float or a LearningRateSchedule, received "
                             f"{value!r}") from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{type(self).__name__}: learning_rate must be a "
                             f"finite non-negative float, received {value}")
        return value

    @property
    def learning_rate(self):
        """The rate the next step uses (a schedule evaluated at the step),
        as a float that can also be assigned, as Keras's variable can:
        `optimizer.learning_rate.assign(1e-4)` or
        `keras.backend.set_value(optimizer.learning_rate, 1e-4)`."""
        return LearningRateValue(self._current_learning_rate(), self)

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._learning_rate, schedules.LearningRateSchedule) \
                and not isinstance(value, schedules.LearningRateSchedule):
            raise TypeError("This optimizer was created with a "
                            "`LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its "
                            "learning rate is not settable.")
        self._learning_rate = self._checked_learning_rate(value)

    lr = learning_rate

    def _current_learning_rate(self):
        """As Keras: a schedule is evaluated at the count of apply calls
        (accumulation steps included, not `iterations`); any other callable
        is called without arguments."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = lr(self._iterations)
        elif callable(lr):
            lr = lr()
        lr = float(np.float32(lr))
        if self.decay:
            lr = lr / (1.0 + self.decay * self.iterations)
        return lr

    # ---- weight decay ------------------------------------------------------

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude variables (objects, or names matched as regexes) from
        weight decay; must be called before the first step."""
        if self._variables is not None:
            raise ValueError("`exclude_from_weight_decay()` can only be "
                             "configured before the optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or []}
        self._exclude_pattern = re.compile("|".join(var_names)) \
            if var_names else None

    def _decays(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        return not (self._exclude_pattern is not None and
                    self._exclude_pattern.search(variable.name))

    # ---- the arena ---------------------------------------------------------------

    def build(self, variables):
        """Lay out `variables` (and this optimizer's state for them) in flat
        arrays. Slot values of variables seen before are carried over."""
        variables = list(variables)
        if self._variables is not None and \
                [id(v) for v in variables] == [id(v) for v in self._requested]:
            return
        if self._variables is None:
            self._built_in = scopes.current_path()
        order = [v for v in variables if self._decays(v)]
        self._n_decay = sum(v.size for v in order)
        order += [v for v in variables if not self._decays(v)]
        total = sum(v.size for v in order)
        params = _kernels.aligned_empty((total,))
        grads = np.zeros(total, np.float32)
        old_slots, old_offsets = self._slots, getattr(self, "_offsets", {})
        slots = {name: np.full(total, self._slot_initial(name), np.float32)
                 for name in self._base_slots() + tuple(self._active_slots())}
        offsets, offset = {}, 0
        for v in order:
            end = offset + v.size
            params[offset:end] = v.value.reshape(-1)
            v._value = params[offset:end].reshape(v.shape)
            v.grad = grads[offset:end].reshape(v.shape)
            v._arena = self     # whose arrays hold its value and gradient
            if id(v) in old_offsets:
                start = old_offsets[id(v)]
                for name, values in slots.items():
                    if name in old_slots:
                        values[offset:end] = old_slots[name][start:start + v.size]
            offsets[id(v)] = offset
            offset = end
        self._params, self._grads, self._slots = params, grads, slots
        self._offsets, self._variables = offsets, order
        self._shared_release = None
        self._requested = variables
        self._bounds = np.array([0] + list(np.cumsum(
            [v.size for v in order], dtype=np.int64)), np.int64)

    def _move_gradients(self, buffer):
        """Keep the gradients in `buffer` (float32, the arena's size) from
        now on: the current values are copied there and every variable's
        `grad` becomes a view of it. Data-parallel ranks on one machine keep
        their gradients where the other ranks can read them."""
        if buffer.dtype != np.float32 or buffer.shape != self._grads.shape:
            raise ValueError(f"optimizer: a gradient arena must be float32 "
                             f"of shape {self._grads.shape}, received "
                             f"{buffer.dtype} {buffer.shape}")
        buffer[...] = self._grads
        for v in self._variables:
            start = self._offsets[id(v)]
            v.grad = buffer[start:start + v.size].reshape(v.shape)
        self._grads = buffer

    def _move_state(self, params, slots):
        """Keep the weights in `params` and the slots in `slots` (name ->
        array, as `_slots`), float32 arrays of the arena's size that already
        hold their values: every variable's value becomes a view of `params`.
        Data-parallel ranks on one machine keep one copy of them that each
        rank updates a share of (distribution/node_reduce.py)."""
        if params.dtype != np.float32 or params.shape != self._params.shape \
                or sorted(slots) != sorted(self._slots) or any(
                    a.dtype != np.float32 or a.shape != params.shape
                    for a in slots.values()):
            raise ValueError(f"optimizer: weights and slots must be float32 "
                             f"arrays of shape {self._params.shape} with "
                             f"slots {sorted(self._slots)}")
        for v in self._variables:
            start = self._offsets[id(v)]
            v._value = params[start:start + v.size].reshape(v.shape)
        self._params, self._slots = params, dict(slots)

    def _active_slots(self):
        return self.slot_names

    def _base_slots(self):
        """The state every optimizer may keep besides its rule's: the
        weights' moving average (use_ema) and the gradient accumulator."""
        return (("average",) if self.use_ema else ()) + \
            (("gradient_accumulator",) if self.gradient_accumulation_steps
             else ())

    def _slot_initial(self, name):
        return 0.0

    @property
    def built(self):
        return self._variables is not None

    @property
    def variables(self):
        """The optimizer's state as Variables holding copies of its values
        (assigning them changes nothing), in Keras 3's order (see
        state_values) and with its paths: `adam/iteration`,
        `adam/learning_rate`, then `adam/<model variable's path, '/' as
        '_'>_<slot>` (`adam/sequential_dense_kernel_momentum`)."""
        if not self.built:
            return []
        from seqcore.engine.variables import Variable
        values = self.state_values()
        paths = self._state_paths()
        if paths is None or len(paths) != len(values):
            paths = [f"{self.name}/variable_{i}" for i in range(len(values))]
        return [Variable(np.asarray(value), path.rsplit("/", 1)[-1],
                         path=path, trainable=False)
                for value, path in zip(values, paths)]

    def _state_paths(self):
        """Keras's paths of state_values(), or None where this optimizer
        lays its state out its own way."""
        cls = type(self)
        if (cls._rule_state_views is not Optimizer._rule_state_views and
                cls._rule_state_paths is Optimizer._rule_state_paths) or \
                cls.state_values is not Optimizer.state_values:
            return None
        under = self._under
        paths = [under(self._made_in, "iteration")]
        if not callable(self._learning_rate):
            paths.append(under(self._made_in, "learning_rate"))
        refs = [v.path.replace("/", "_") for v in self._requested]
        for name in self._base_slots():
            paths += [under(self._built_in, f"{ref}_{name}") for ref in refs]
        return paths + self._rule_state_paths() + self._extra_state_paths()

    def _under(self, prefix, name):
        """The path of an optimizer variable `name` made in Keras's name
        scope of this optimizer, itself opened under `prefix`."""
        return f"{prefix}/{self.name}/{name}" if prefix else \
            f"{self.name}/{name}"

    def _rule_state_paths(self):
        """Keras's paths of `_rule_state_views()`, in its order."""
        refs = [v.path.replace("/", "_") for v in self._requested]
        return [self._under(self._built_in, f"{ref}_{name}")
                for group in self._slot_groups()
                for ref in refs for name in group]

    def _extra_state_paths(self):
        return []

    # ---- state, in Keras 3's variable order -------------------------------------

    # Groups of slots created together: Keras interleaves a group's slots per
    # model variable (m0, v0, m1, v1, ...), one group after the other.
    def _slot_groups(self):
        return [tuple(self._active_slots())] if self._active_slots() else []

    def _extra_state(self):
        return []

    def _set_extra_state(self, values):
        pass

    def _rule_state_views(self):
        """Views of this rule's state arrays in Keras's variable order."""
        views = []
        for group in self._slot_groups():
            for v in self._requested:
                start = self._offsets[id(v)]
                views += [self._slots[name][start:start + v.size]
                          .reshape(v.shape) for name in group]
        return views

    def _state_views(self):
        """Views of every state array in Keras's order: the moving averages
        and gradient accumulators (created by Keras's base optimizer first),
        then the rule's."""
        views = []
        for name in self._base_slots():
            for v in self._requested:
                start = self._offsets[id(v)]
                views.append(self._slots[name][start:start + v.size]
                             .reshape(v.shape))
        return views + self._rule_state_views()

    def state_values(self):
        """[iterations, learning_rate (unless a schedule), state..., extra]
        as Keras 3 saves an optimizer's variables."""
        out = [np.array(self._iterations, np.int64)]
        if not callable(self._learning_rate):
            out.append(np.array(self._learning_rate, np.float32))
        return out + [view.copy() for view in self._state_views()] + \
            self._extra_state()

    def load_state_values(self, values):
        """Restore what state_values() gave (the optimizer must be built for
        the same variables); a mismatch raises ValueError."""
        expected = self.state_values()
        if len(values) != len(expected):
            raise ValueError(
                f"Optimizer '{self.name}': the file holds {len(values)} "
                f"optimizer variables, this {type(self).__name__} on this "
                f"model has {len(expected)}")
        for i, (got, want) in enumerate(zip(values, expected)):
            if np.shape(got) != np.shape(want):
                raise ValueError(f"Optimizer '{self.name}': variable {i} has "
                                 f"shape {np.shape(want)}, the file has "
                                 f"{np.shape(got)}")
        values = list(values)
        self._iterations = int(values.pop(0))
        if not callable(self._learning_rate):
            self._learning_rate = float(values.pop(0))
        for view in self._state_views():
            view[...] = np.asarray(values.pop(0), np.float32)
        self._set_extra_state(values)

    # ---- a step --------------------------------------------------------------

    def _clip(self):
        grads = self._grads
        if self.clipnorm and self.clipnorm > 0:
            for v in self._variables:
                g = v.grad.reshape(-1)
                norm = math.sqrt(float(np.dot(g, g)))
                if norm > self.clipnorm:
                    g *= np.float32(self.clipnorm / norm)
        elif self.global_clipnorm and self.global_clipnorm > 0:
            norm = math.sqrt(float(np.dot(grads, grads)))
            if not math.isfinite(norm):
                grads[...] = np.nan
            elif norm > self.global_clipnorm:
                grads *= np.float32(self.global_clipnorm / norm)
        elif self.clipvalue and self.clipvalue > 0:
            np.clip(grads, -self.clipvalue, self.clipvalue, out=grads)

    def step(self, applied=False):
        """Apply the gradients the arena holds to the weights (one C call),
        then the moving average, and count the step. With gradient
        accumulation, only every n-th step updates the weights, with the
        mean of the n gradients; the others add to the accumulator. Each
        variable's constraint is then applied to it, at every step.

        Args:
            applied: the update was already made, by ranks that each
                applied `_update_range` to their share of one shared arena;
                only the count remains.
        """
        if applied:
            self._iterations += 1
            return
        if self._shared_release is not None:
            self._shared_release()
        steps = self.gradient_accumulation_steps
        update = True
        if steps:
            update = (self._iterations + 1) % steps == 0
            _kernels.accumulate_gradients(self._slots["gradient_accumulator"],
                                          self._grads, steps, update)
        if update:
            self._clip()
            self._update(self._current_learning_rate())
        if self.use_ema:
            momentum = self.ema_momentum if self.iterations != 0 else 0.0
            _kernels.ema_update(self._slots["average"], self._params,
                                momentum)
            frequency = self.ema_overwrite_frequency
            if frequency and (self.iterations + 1) % frequency == 0:
                self._params[...] = self._slots["average"]
        self._apply_constraints()
        self._iterations += 1

    def _apply_constraints(self):
        """Project every variable that has a constraint, after the update
        (and the moving average), as Keras does on each apply."""
        for v in self._variables:
            if getattr(v, "constraint", None) is not None:
                v.assign(v.constraint(v))

    def _update(self, lr):
        """The rule's update of every weight at learning rate `lr`."""
        slots = [self._slots.get(name) for name in self.slot_names]
        _kernels.optimizer_update(
            self.rule, self._params, self._grads, slots, self._n_decay, lr,
            self.weight_decay or 0.0, self._hyper(self.iterations + 1))

    def _updates_elementwise(self):
        """Whether this step's update of each weight reads only that
        weight's gradient and state, so that ranks sharing one arena can
        each update a range of it (`_update_range`): the base rule's one C
        call, with no moving average, accumulation, norm clipping or
        constraint, which read or write across elements."""
        cls = type(self)
        return (cls._update is Optimizer._update and
                cls.step is Optimizer.step and cls._clip is Optimizer._clip
                and self.built and not self.use_ema and
                not self.gradient_accumulation_steps and
                not (self.clipnorm and self.clipnorm > 0) and
                not (self.global_clipnorm and self.global_clipnorm > 0) and
                not any(getattr(v, "constraint", None) is not None
                        for v in self._variables))

    def _update_range(self, lo, hi):
        """This step's update of arena elements [lo, hi), with clipvalue:
        the bits `step()` gives them (each element is updated on its own).
        Only for an optimizer whose `_updates_elementwise()` is true."""
        grads = self._grads[lo:hi]
        if self.clipvalue and self.clipvalue > 0:
            np.clip(grads, -self.clipvalue, self.clipvalue, out=grads)
        slots = [None if self._slots.get(name) is None
                 else self._slots[name][lo:hi] for name in self.slot_names]
        _kernels.optimizer_update(
            self.rule, self._params[lo:hi], grads, slots,
            min(max(self._n_decay - lo, 0), hi - lo),
            self._current_learning_rate(), self.weight_decay or 0.0,
            self._hyper(self.iterations + 1))

    def finalize_variable_values(self, var_list=None):
        """At the end of `fit`: with use_ema, the weights take their moving
        average, as in Keras."""
        if self.use_ema and self.built:
            self._params[...] = self._slots["average"]

    def apply_gradients(self, grads_and_vars):
        """Keras's `apply_gradients([(grad, variable), ...])`."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not self.built:     # built inside the optimizer's name scope
            self._built_by_apply = True
        self.build([v for _, v in pairs])
        for g, v in pairs:
            v.grad[...] = np.asarray(g, np.float32).reshape(v.shape)
            if self.loss_scale_factor is not None:
                v.grad /= np.float32(self.loss_scale_factor)
        self.step()

    def scale_loss(self, loss):
        """Keras's `scale_loss`: `loss` times `loss_scale_factor`, if set."""
        if self.loss_scale_factor is None:
            return loss
        return loss * self.loss_scale_factor

    def apply(self, grads, trainable_variables=None):
        """Keras's `apply(grads, trainable_variables)`; without variables,
        the gradients go to the variables the optimizer was built on."""
        grads = list(grads)
        if trainable_variables is None:
            self._require_built_for_grads()
            if len(grads) != len(self._requested):
                raise ValueError(
                    f"When passing `grads` as a list of gradient tensors, "
                    f"the gradients must match the optimizer's trainable "
                    f"variables one-to-one. Received {len(grads)} gradients, "
                    f"expected {len(self._requested)}.")
            trainable_variables = self._requested
        self.apply_gradients(zip(grads, trainable_variables))

    def _require_built_for_grads(self):
        """Keras's error for apply(grads) before the optimizer is built."""
        if not self.built:
            raise ValueError(
                "When passing `grads` without `variables`, the optimizer "
                "must already be built on a list of variables. Call "
                "`optimizer.build(trainable_variables)` first.")

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """One update from the given values, the optimizer and its
        variables unchanged (Keras 3): returns (the trainable variables'
        new values, optimizer_variables' new values), both in the built
        order (`optimizer.variables`).

        Args:
            optimizer_variables: values of `optimizer.variables`.
            grads: one gradient per variable the optimizer was built for.
            trainable_variables: their values.
        """
        if not self.built:
            raise ValueError(
                f"To call `stateless_apply`, {type(self).__name__} must be "
                f"built (i.e. its variables must have been created). You can "
                f"build it via `optimizer.build(trainable_variables)`.")
        variables = list(self._variables)
        for what, given in (("trainable_variables", trainable_variables),
                            ("grads", grads)):
            if len(given) != len(variables):
                raise ValueError(
                    f"stateless_apply: expected {len(variables)} "
                    f"{what} (the variables the optimizer was built for), "
                    f"received {len(given)}")
        saved_values = [v.numpy() for v in variables]
        saved_state = self.state_values()
        try:
            for variable, value in zip(variables, trainable_variables):
                variable.assign(value)
            self.load_state_values(list(optimizer_variables))
            self.apply_gradients(zip(grads, variables))
            new_values = [v.numpy() for v in variables]
            new_state = self.state_values()
        finally:
            for variable, value in zip(variables, saved_values):
                variable.assign(value)
            self.load_state_values(saved_state)
        return new_values, new_state

    def _hyper(self, step):
        raise NotImplementedError

    # ---- config ------------------------------------------------------------

    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif not callable(lr):    # Keras reads its float32 variable
            lr = float(np.float32(lr))
        return {"name": self.name, "learning_rate": lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps":
                    self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules.deserialize(lr)
        return cls(**config)


def _snake(name):
    """Keras's default optimizer name: 'SGD' -> 'sgd', 'RMSprop' ->
    'rm_sprop' (the layers' snake case)."""
    from seqcore.engine.naming import to_snake_case
    return to_snake_case(name)


class LearningRateValue(float):
    """An optimizer's current learning rate: a float (arithmetic, format,
    comparisons) with `assign` and `numpy`, as Keras's learning-rate
    variable has, so scripts that set it through the value keep working."""

    def __new__(cls, value, optimizer):
        self = super().__new__(cls, value)
        self._optimizer = optimizer
        return self

    def assign(self, value):
        self._optimizer.learning_rate = float(value)

    def numpy(self):
        return np.float32(self)

