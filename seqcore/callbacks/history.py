"""History: every epoch's logs, returned by fit."""
from seqcore.callbacks.callback import Callback


class History(Callback):
    """Records every epoch's logs: `history.history['loss']` is the list of
    each epoch's loss, `history.epoch` the epoch indices."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        # The model keeps a reference, as Keras's `model.history`.
        if self.model is not None:
            self.model.history = self
