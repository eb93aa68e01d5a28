"""EarlyStopping: stop fit when a monitored value stops improving."""
import warnings

from seqcore.callbacks.callback import chief_print
from seqcore.callbacks.monitor_callback import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stops training after `patience` epochs without improvement.

    Args:
        monitor: the log key to watch ('val_loss').
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        verbose: 1 prints when training stops.
        mode: 'auto', 'min' or 'max'.
        baseline: training stops if the value does not beat it within
            `patience` epochs.
        restore_best_weights: at the end of training, restore the weights
            of the best epoch (those of the last epoch seen when none
            improved).
        start_from_epoch: epochs to let pass before watching.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0,
                 verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, None, min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        # The same instance may serve several fits.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def get_monitor_value(self, logs):
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric "
                          f"`{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs)}",
                          stacklevel=3)
        return value

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        value = self.get_monitor_value(logs)
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(value, self.best):
            self.best = value
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # The count restarts only when the baseline is beaten too.
            if self.baseline is None or self._is_improvement(value,
                                                             self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            chief_print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                chief_print(f"Restoring model weights from the end of the "
                            f"best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
