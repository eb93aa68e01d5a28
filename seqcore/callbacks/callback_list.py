"""CallbackList: calls each hook on every callback, in order."""
from seqcore.callbacks.callback import Callback
from seqcore.distribution import state as _distribution_state
from seqcore.callbacks.history import History
from seqcore.callbacks.progbar_logger import ProgbarLogger


def _as_logs(logs):
    return {} if logs is None else logs


class CallbackList(Callback):
    """A list of callbacks seen as one (Keras's signature).

    Args:
        callbacks: the user's callbacks (or None).
        add_history: append a History unless one is given.
        add_progbar: append a ProgbarLogger unless one is given.
        model: the model every callback sees.
        **params: `verbose`, `epochs`, `steps`, given to every callback.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False,
                 model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks) if callbacks else []
        for cb in self.callbacks:
            if not isinstance(cb, Callback) and not hasattr(
                    cb, "on_epoch_end"):
                raise TypeError(f"callbacks must be keras.callbacks.Callback "
                                f"instances; received {type(cb).__name__}")
        self._history = next((cb for cb in self.callbacks
                              if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks
                              if isinstance(cb, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        if not _distribution_state.is_chief():
            self.callbacks = [cb for cb in self.callbacks
                              if not getattr(cb, "_chief_only", False)]
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def _uses_batch_logs(self, what="train"):
        """Whether any callback reads each batch's logs of `what` or may
        stop training at a batch (Callback._uses_batch_logs); an object
        that only looks like a Callback is taken to."""
        return any(cb._uses_batch_logs(what) if hasattr(
            cb, "_uses_batch_logs") else True for cb in self.callbacks)

    def set_model(self, model):
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def on_batch_begin(self, batch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_batch_begin(batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_batch_end(batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_train_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_train_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_test_batch_begin(batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_test_batch_end(batch, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_batch_begin(batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_batch_end(batch, logs=logs)

    def on_train_begin(self, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_test_begin(self, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_predict_begin(self, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = _as_logs(logs)
        for cb in self.callbacks:
            cb.on_predict_end(logs)
