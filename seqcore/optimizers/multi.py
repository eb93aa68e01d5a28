"""MultiOptimizer and OptimizerMap (Keras 3.15): different optimizers for
different groups of variables.

Each sub-optimizer keeps its own flat arena for its variables, so a
training step is one update call per sub-optimizer.
"""
import re
from collections.abc import MutableMapping

import numpy as np

from seqcore.optimizers.base import Optimizer
from seqcore.optimizers.loss_scale import LossScaleOptimizer


class OptimizerMap(MutableMapping):
    """Variable paths (exact, else `re.fullmatch` patterns) to optimizers.

    Args:
        default_optimizer: the `Optimizer` of variables no key matches.
        optimizer_map: optional dict {path or regex: Optimizer}.
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(f"default_optimizer must be a Keras Optimizer "
                            f"instance. Received: {default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: "
                            f"{optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = dict(optimizer_map or {})

    @property
    def default_optimizer(self):
        return self._default_optimizer

    def __getitem__(self, key):
        """The optimizer of path `key`: an exact key, else the one pattern
        that fully matches it, else the default; ValueError when several
        patterns match."""
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [p for p in self._optimizer_map if re.fullmatch(p, key)]
        if len(matches) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable "
                             f"{key}.")
        if matches:
            return self._optimizer_map[matches[0]]
        return self._default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(f"'{key}' already exists in the OptimizerMap "
                             f"with value {self._optimizer_map[key]}. Please "
                             f"make sure to not use duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. "
                             f"Received: {optimizer}")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        return self[variable.path]

    def get_config(self):
        from seqcore import optimizers
        return {"default_optimizer":
                optimizers.serialize(self._default_optimizer),
                "optimizer_map": {k: optimizers.serialize(v) for k, v in
                                  self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from seqcore import optimizers

        def build(value):
            return optimizers.deserialize(value, custom_objects) \
                if isinstance(value, dict) else value
        mapping = config.get("optimizer_map") or {}
        return cls(build(config["default_optimizer"]),
                   {k: build(v) for k, v in mapping.items()})


class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer `optimizer_map` gives it.

    Args:
        optimizer_map: an `OptimizerMap`, or a callable variable ->
            Optimizer.
        loss_scale_factor: must be None (set it on the sub-optimizers).
        name: the optimizer's name.

    `learning_rate` is refused (each sub-optimizer has its own): use
    `.optimizers`. State (Keras's order): its iterations and (unused)
    learning rate, then each sub-optimizer's variables, the map's
    optimizers first, then the default one.
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        if not (isinstance(optimizer_map, OptimizerMap) or
                callable(optimizer_map)):
            raise TypeError(f"MultiOptimizer: optimizer_map must be an "
                            f"OptimizerMap or a callable variable -> "
                            f"Optimizer, received {optimizer_map!r}")
        if loss_scale_factor is not None:
            raise ValueError(f"MultiOptimizer: loss_scale_factor is not "
                             f"supported; set it on each sub-optimizer. "
                             f"Received loss_scale_factor="
                             f"{loss_scale_factor!r}")
        super().__init__(learning_rate=0.0, name=name)
        self._optimizer_map = optimizer_map
        self._inner_optimizers = []
        for opt in list(getattr(optimizer_map, "values", list)()) + \
                [getattr(optimizer_map, "default_optimizer", None)]:
            if opt is not None and not any(opt is o for o in
                                           self._inner_optimizers):
                self._inner_optimizers.append(opt)

    @property
    def optimizers(self):
        return self._inner_optimizers

    @property
    def learning_rate(self):
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. Access "
            "the learning rate on the individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value):
        if "_inner_optimizers" in self.__dict__:
            raise AttributeError(
                "Learning rate cannot be set on a MultiOptimizer. Set the "
                "learning rate on the individual sub-optimizers instead.")

    lr = learning_rate

    @property
    def iterations(self):
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations = int(value)

    def _optimizer_for(self, variable):
        opt = self._optimizer_map(variable)
        if not isinstance(opt, Optimizer):
            raise ValueError(f"Optimizer for variable {variable} is not an "
                             f"Optimizer instance.")
        if isinstance(opt, LossScaleOptimizer):
            raise ValueError("LossScaleOptimizer cannot be used inside an "
                             "MultiOptimizer.")
        if isinstance(opt, MultiOptimizer):
            raise ValueError("MultiOptimizer cannot be used inside an "
                             "MultiOptimizer.")
        return opt

    def build(self, variables):
        """Give each sub-optimizer its variables (each builds its own
        arena; state of variables seen before carries over)."""
        variables = list(variables)
        if self._variables is not None and [id(v) for v in variables] == \
                [id(v) for v in self._requested]:
            return
        groups = {}
        for v in variables:
            opt = self._optimizer_for(v)
            if not any(opt is o for o in self._inner_optimizers):
                self._inner_optimizers.append(opt)
            groups.setdefault(id(opt), []).append(v)
        self._groups = []
        for opt in self._inner_optimizers:
            group = groups.get(id(opt), [])
            if group:
                opt._variables = None
                opt.build(group)
            self._groups.append(group)
        self._variables = variables
        self._requested = variables
        self._params = None     # no arena of its own (see trainer)

    def step(self, applied=False):
        """`fit`'s step: each sub-optimizer updates its variables from the
        gradients its arena holds. `applied` is Optimizer.step's; it is
        never true here (the update is not elementwise)."""
        for opt, group in zip(self._inner_optimizers, self._groups):
            if group:
                opt.step()
        self._iterations += 1

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            self._require_built_for_grads()
            trainable_variables = self._requested
        trainable_variables = list(trainable_variables)
        self.build(trainable_variables)
        if len(grads) != len(self._requested):
            raise ValueError(f"Gradients must match trainable variables "
                             f"one-to-one. Received {len(grads)} gradients "
                             f"and {len(self._requested)} variables.")
        owner = {}
        for i, group in enumerate(self._groups):
            owner.update({id(v): i for v in group})
        per_optimizer = [([], []) for _ in self._inner_optimizers]
        for g, v in zip(grads, trainable_variables):
            sub_grads, sub_vars = per_optimizer[owner[id(v)]]
            sub_grads.append(g)
            sub_vars.append(v)
        for opt, (sub_grads, sub_vars) in zip(self._inner_optimizers,
                                              per_optimizer):
            if sub_vars:
                opt.apply(sub_grads, sub_vars)
        self._iterations += 1

    def apply_gradients(self, grads_and_vars):
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def finalize_variable_values(self, var_list=None):
        for opt, group in zip(self._inner_optimizers, self._groups):
            if group:
                opt.finalize_variable_values(group)

    # ---- state ---------------------------------------------------------------

    def _built_optimizers(self):
        return [opt for opt in self._inner_optimizers if opt.built]

    def state_values(self):
        out = [np.array(self._iterations, np.int64),
               np.array(0.0, np.float32)]
        for opt in self._built_optimizers():
            out += opt.state_values()
        return out

    def load_state_values(self, values):
        values = list(values)
        sizes = [len(opt.state_values()) for opt in self._built_optimizers()]
        if len(values) != 2 + sum(sizes):
            raise ValueError(
                f"Optimizer '{self.name}': the file holds {len(values)} "
                f"optimizer variables, this MultiOptimizer on this model has "
                f"{2 + sum(sizes)}")
        self._iterations = int(values[0])
        start = 2
        for opt, size in zip(self._built_optimizers(), sizes):
            opt.load_state_values(values[start:start + size])
            start += size

    def _nested_state(self):
        """Keras saves each sub-optimizer under optimizers/<class name>."""
        from seqcore.engine.naming import to_snake_case
        out, used = [], {}
        for opt in self._built_optimizers():
            base = to_snake_case(type(opt).__name__)
            n = used.get(base, 0)
            used[base] = n + 1
            out.append((f"optimizers/{base if n == 0 else f'{base}_{n}'}",
                        opt))
        return out

    # ---- config --------------------------------------------------------------

    def get_config(self):
        from seqcore.saving import serialize_keras_object
        mapping = self._optimizer_map
        if isinstance(mapping, OptimizerMap):
            mapping = {"module": "keras.optimizers",
                       "class_name": "OptimizerMap",
                       "config": mapping.get_config(),
                       "registered_name": None}
        else:
            mapping = serialize_keras_object(mapping)
        return {"optimizer_map": mapping, "loss_scale_factor": None,
                "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        mapping = config["optimizer_map"]
        if isinstance(mapping, dict) and \
                mapping.get("class_name") == "OptimizerMap":
            mapping = OptimizerMap.from_config(mapping["config"],
                                               custom_objects)
        elif isinstance(mapping, dict):
            from seqcore.saving import deserialize_keras_object
            mapping = deserialize_keras_object(mapping,
                                               custom_objects=custom_objects)
        config["optimizer_map"] = mapping
        return cls(**config)
