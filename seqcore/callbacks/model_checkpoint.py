"""ModelCheckpoint: save the model or its weights during fit."""
import os
import warnings

import numpy as np

from seqcore.callbacks.callback import chief_print
from seqcore.callbacks.monitor_callback import MonitorCallback


class ModelCheckpoint(MonitorCallback):
    """Saves the model (`.keras`) or its weights (`.weights.h5`) every
    epoch or every `save_freq` batches, or only when `monitor` improves.

    Args:
        filepath: may hold `{epoch:02d}`, `{batch}` (save_freq an int) and
            any log key, e.g. `{val_loss:.2f}`.
        monitor: the log key for save_best_only.
        verbose: 1 prints each decision.
        save_best_only: save only when `monitor` improves.
        save_weights_only: `model.save_weights` (path ending
            `.weights.h5`) instead of `model.save` (`.keras`).
        mode: 'auto', 'min' or 'max'.
        save_freq: 'epoch' or a number of batches.
        initial_value_threshold: the value to beat first.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0,
                 save_best_only=False, save_weights_only=False, mode="auto",
                 save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        if save_freq != "epoch" and (not isinstance(save_freq, int) or
                                     isinstance(save_freq, bool)):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected "
                             f"save_freq are 'epoch' or integer values")
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    f"When using `save_weights_only=True` in "
                    f"`ModelCheckpoint`, the filepath provided must end in "
                    f"`.weights.h5` (Keras weights format). Received: "
                    f"filepath={self.filepath}")
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(f"The filepath provided must end in `.keras` "
                             f"(Keras model format). Received: "
                             f"filepath={self.filepath}")

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def _uses_batch_logs(self, what="train"):
        return what == "train" and self.save_freq != "epoch"

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1           # a new epoch began
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _file_path(self, epoch, batch, logs):
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1,
                                        **logs)
        except KeyError as exc:
            raise KeyError(f'Failed to format this callback filepath: '
                           f'"{self.filepath}". Reason: {exc}') from None

    def _should_save(self, epoch, logs, path):
        if not self.save_best_only:
            if self.verbose > 0:
                chief_print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Can save best model only with {self.monitor} "
                          f"available.", stacklevel=4)
            return True
        if np.ndim(value) > 0:
            warnings.warn(f"Can save best model only when `monitor` is a "
                          f"scalar value. Received: {value}. Falling back "
                          f"to `save_best_only=False`.", stacklevel=4)
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(value, self.best):
            if self.verbose > 0:
                chief_print(f"\nEpoch {epoch + 1}: {self.monitor} improved "
                            f"from {best} to {value:.5f}, saving model to "
                            f"{path}")
            self.best = value
            return True
        if self.verbose > 0:
            chief_print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve "
                        f"from {best}")
        return False

    def _save_model(self, epoch, batch, logs):
        logs = logs or {}
        path = self._file_path(epoch, batch, logs)
        if os.path.isdir(path):
            raise IOError(f"Please specify a non-directory filepath for "
                          f"ModelCheckpoint. Filepath used is an existing "
                          f"directory: {path}")
        if not self._should_save(epoch, logs, path):
            return
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
