"""ReduceLROnPlateau: lower the learning rate when a value stalls."""
import warnings

import numpy as np

from seqcore.callbacks.callback import chief_print
from seqcore.callbacks.monitor_callback import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` after `patience` epochs
    without improvement of `monitor` (then waits `cooldown` epochs);
    never below `min_lr`. Adds `learning_rate` to the epoch logs.

    Args:
        monitor, mode, min_delta: as MonitorCallback.
        factor: the multiplier (< 1).
        patience: epochs without improvement before a reduction.
        verbose: 1 prints each reduction.
        cooldown: epochs to wait after a reduction.
        min_lr: the lower bound.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10,
                 verbose=0, mode="auto", min_delta=1e-4, cooldown=0,
                 min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, None, min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor "
                             f">= 1.0. Received factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _reduce(self, optimizer, epoch):
        old = float(np.float32(float(optimizer.learning_rate)))
        if old > np.float32(self.min_lr):
            new = max(old * self.factor, self.min_lr)
            optimizer.learning_rate = new
            if self.verbose > 0:
                chief_print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing "
                            f"learning rate to {new}.")
            return True
        return False

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(np.float32(
            float(optimizer.learning_rate)))
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric "
                          f"`{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs)}.",
                          stacklevel=3)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(value, self.best):
            self.best = value
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(optimizer, epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0
