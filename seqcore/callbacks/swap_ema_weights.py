"""SwapEMAWeights: evaluate and predict with the optimizer's moving
average of the weights (optimizer use_ema=True)."""
import numpy as np

from seqcore.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Puts the exponential moving average of the weights into the model
    for evaluation and prediction (and back for training).

    Args:
        swap_on_epoch: also swap at each epoch's end (so that the epoch's
            other callbacks, such as ModelCheckpoint, see the averages) and
            back at the next epoch's start.
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _arrays(self):
        optimizer = self.model.optimizer
        if not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` "
                             "is set on the optimizer. Received: use_ema="
                             f"{getattr(optimizer, 'use_ema', None)}")
        if not getattr(optimizer, "built", False):
            return None, None
        return optimizer._params, optimizer._slots["average"]

    def _swap(self):
        params, average = self._arrays()
        if params is None:
            return
        saved = np.array(params, copy=True)
        params[...] = average
        average[...] = saved

    def _finalize(self):
        params, average = self._arrays()
        if params is not None:
            average[...] = params

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True
            if epoch == self.params.get("epochs", 0) - 1:
                self._finalize()

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_predict_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def on_predict_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False
