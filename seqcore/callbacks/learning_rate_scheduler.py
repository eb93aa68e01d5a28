"""LearningRateScheduler: set the learning rate at each epoch's start."""
import numpy as np

from seqcore.callbacks.callback import Callback, chief_print


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate to `schedule(epoch, lr)` at the
    start of every epoch; adds `learning_rate` to the epoch logs.

    Args:
        schedule: a function (epoch index, current rate) -> new rate.
        verbose: 1 prints each new rate.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" '
                             'attribute.')
        try:
            lr = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:               # schedule(epoch) as in Keras 1
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, int, np.floating, np.integer)) and \
                not (isinstance(lr, np.ndarray) and lr.ndim == 0):
            raise ValueError(f"The output of the `schedule` function should "
                             f"be a float. Got: {lr}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            chief_print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting "
                        f"learning rate to {float(lr)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(np.float32(
                float(self.model.optimizer.learning_rate)))
