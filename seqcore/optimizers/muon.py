"""Muon (Keras 3.15's `keras.optimizers.Muon`): momentum orthogonalised by a
quintic Newton-Schulz iteration for 2-D weights, AdamW for the others.

The rule runs in numpy, one variable at a time, over views of the flat
arena: its core is a handful of small matrix products per variable (the
Newton-Schulz iteration), which numpy's BLAS already does in one call each;
an elementwise C kernel would not help it. Every operation is float32 in
Keras's order, so steps match Keras's to float32 rounding.
"""
import re

import numpy as np

from seqcore.optimizers.base import Optimizer

_F = np.float32


class Muon(Optimizer):
    """Muon for 2-D weights, AdamW for the rest.

    A variable takes the AdamW step when it is not 2-D, when
    `exclude_embeddings` and its path contains "embedding", or when one of
    the `exclude_layers` regexes matches its path; the others take Muon's.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        adam_beta_1, adam_beta_2: AdamW's moment decay rates (0.9, 0.999).
        adam_weight_decay: weight decay of the AdamW variables (0.004).
        epsilon: AdamW's epsilon (1e-7).
        weight_decay: weight decay of the Muon variables (0.004).
        exclude_layers: list of regexes of variable paths that use AdamW.
        exclude_embeddings: embeddings use AdamW (True).
        muon_a, muon_b, muon_c: the Newton-Schulz polynomial (3.4445,
            -4.7750, 2.0315).
        adam_lr_ratio: AdamW's learning rate over the main one (1).
        momentum: Muon's momentum (0.95).
        ns_steps: Newton-Schulz iterations (5).
        nesterov: Nesterov momentum (True).
        rms_rate: scales a (n, m) update by sqrt(max(n, m)) * rms_rate
            (0.2); None leaves it unscaled.
        clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor,
        gradient_accumulation_steps, name: as every optimizer.
    """

    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9,
                 adam_beta_2=0.999, adam_weight_decay=0.004, epsilon=1e-7,
                 weight_decay=0.004, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None,
                 exclude_layers=None, exclude_embeddings=True,
                 muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True,
                 rms_rate=0.2, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay,
            clipnorm=clipnorm, clipvalue=clipvalue,
            global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name, **kwargs)
        if isinstance(ns_steps, bool) or int(ns_steps) != ns_steps or \
                ns_steps < 0:
            raise ValueError(f"Muon: ns_steps must be a non-negative "
                             f"integer, received ns_steps={ns_steps!r}")
        if exclude_layers is not None and (
                isinstance(exclude_layers, str) or
                not all(isinstance(k, str) for k in exclude_layers)):
            raise TypeError(f"Muon: exclude_layers must be a list of "
                            f"strings (regexes of variable paths), received "
                            f"{exclude_layers!r}")
        self.adam_beta_1, self.adam_beta_2 = adam_beta_1, adam_beta_2
        self.epsilon = epsilon
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = int(ns_steps)
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = list(exclude_layers or [])
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable):
        """Whether `variable` takes the AdamW step (Keras's rule)."""
        if len(variable.shape) != 2:
            return True
        path = getattr(variable, "path", variable.name)
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(k, path) for k in self.exclude_layers)

    # Keras creates, per variable, its momentum then (AdamW ones only) its
    # velocity.
    def _rule_state_views(self):
        views = []
        for v in self._requested:
            start = self._offsets[id(v)]
            names = ("momentum", "velocity") if self._should_use_adamw(v) \
                else ("momentum",)
            views += [self._slots[n][start:start + v.size].reshape(v.shape)
                      for n in names]
        return views

    def _views(self, v):
        start, end = self._offsets[id(v)], self._offsets[id(v)] + v.size
        return (self._params[start:end].reshape(v.shape),
                self._grads[start:end].reshape(v.shape),
                self._slots["momentum"][start:end].reshape(v.shape),
                self._slots["velocity"][start:end].reshape(v.shape))

    def _update(self, lr):
        t = _F(self.iterations + 1)
        for v in self._variables:
            p, g, m, vel = self._views(v)
            adam = self._should_use_adamw(v)
            wd = self.adam_weight_decay if adam else self.weight_decay
            if wd is not None and self._decays(v):
                p -= p * _F(wd) * _F(lr)
            if adam:
                self._adamw_step(p, g, m, vel, _F(lr * self.adam_lr_ratio), t)
            else:
                self._muon_step(p, g, m, _F(lr))

    def _adamw_step(self, p, g, m, v, lr, t):
        b1, b2 = _F(self.adam_beta_1), _F(self.adam_beta_2)
        alpha = lr * np.sqrt(_F(1) - b2 ** t) / (_F(1) - b1 ** t)
        m += (g - m) * _F(1 - self.adam_beta_1)
        v += (np.square(g) - v) * _F(1 - self.adam_beta_2)
        p -= (m * alpha) / (np.sqrt(v) + _F(self.epsilon))

    def _muon_step(self, p, g, m, lr):
        m += g + m * _F(self.momentum - 1)
        x = g + _F(self.momentum) * m if self.nesterov else m
        update = self.zeropower_via_newtonschulz5(x, self.ns_steps)
        update = lr * update
        if self.rms_rate is not None:
            update = update * np.sqrt(_F(max(update.shape[0],
                                             update.shape[1]))) * \
                _F(self.rms_rate)
        p -= update

    def zeropower_via_newtonschulz5(self, x, steps):
        """An approximate orthogonalisation U S' V^T of the (..., n, m)
        matrix `x` by `steps` quintic Newton-Schulz iterations."""
        x = np.asarray(x, np.float32)
        if x.ndim < 2:
            raise ValueError(f"Expected gradient or momentum to have at "
                             f"least 2 dimensions. Received: shape="
                             f"{x.shape}")
        a, b, c = _F(self.muon_a), _F(self.muon_b), _F(self.muon_c)
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = np.swapaxes(x, -1, -2)
        norm = np.sqrt(np.sum(np.square(x), axis=(-2, -1), keepdims=True,
                              dtype=np.float32))
        x = x / (norm + _F(1e-7))
        for _ in range(steps):
            temp_a = x @ np.swapaxes(x, -1, -2)
            temp_b = b * temp_a + (c * temp_a) @ temp_a
            x = a * x + temp_b @ x
        if tall:
            x = np.swapaxes(x, -1, -2)
        return np.ascontiguousarray(x, np.float32)

    def get_config(self):
        config = super().get_config()
        config.update({
            "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
            "epsilon": self.epsilon, "exclude_layers": self.exclude_layers,
            "muon_a": self.muon_a, "muon_b": self.muon_b,
            "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio,
            "momentum": self.momentum, "ns_steps": self.ns_steps,
            "nesterov": self.nesterov,
            "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay,
            "rms_rate": self.rms_rate})
        return config
