"""The Callback base class: hooks into fit / evaluate / predict."""
from seqcore.distribution import state as _distribution_state


def chief_print(*args, **kwargs):
    """print() on the chief process only (rank 0 of an MPI job; always in
    a single process)."""
    if _distribution_state.is_chief():
        print(*args, **kwargs)


class Callback:
    """Base class: override any `on_*` hook.

    Under keras.distribution on several MPI ranks, callbacks whose class
    sets `_chief_only = True` (the progress bar, CSVLogger, TensorBoard,
    RemoteMonitor) run on rank 0 only; the others run on every rank and
    see the same global logs.

    During `fit`, `evaluate` and `predict`, `self.model` is the model and
    `self.params` is {'verbose', 'epochs', 'steps'} (steps: batches per
    epoch, None when unknown). Every hook receives a dict `logs` (empty
    when there is nothing to report): batch logs hold the running loss and
    metrics of the epoch, `on_epoch_end` also the `val_` ones,
    `on_predict_batch_end` {'outputs': the batch's predictions}.
    """

    _chief_only = False

    def __init__(self):
        self.validation_data = None
        self._model = None
        self.params = {}

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, model):
        self._model = model

    def set_model(self, model):
        self._model = model

    def set_params(self, params):
        self.params = params

    def _uses_batch_logs(self, what="train"):
        """Whether this callback reads the logs of each batch of `what`
        ("train" or "test"), or may set stop_training there: it overrides
        a batch hook. On several ranks, batch logs are summed over ranks
        (and stop_training agreed) at every batch only when some callback
        does; otherwise once, at the end of the epoch. A hook set on the
        instance (LambdaCallback's) counts."""
        cls = type(self)
        return any(name in self.__dict__ or
                   getattr(cls, name) is not getattr(Callback, name)
                   for name in _BATCH_HOOKS[what])

    # As in Keras, the training batch hooks forward to the Keras 2 names
    # `on_batch_begin` / `on_batch_end`, so overriding either works.
    def on_batch_begin(self, batch, logs=None):
        """Called at the start of a training batch (Keras 2's name)."""

    def on_batch_end(self, batch, logs=None):
        """Called at the end of a training batch (Keras 2's name)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch `epoch` (0-based)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with its training and validation
        logs."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called at the start of an evaluation batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called at the end of an evaluation batch."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called at the start of a prediction batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called at the end of a prediction batch ({'outputs': ...})."""

    def on_train_begin(self, logs=None):
        """Called at the start of fit."""

    def on_train_end(self, logs=None):
        """Called at the end of fit with the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Called at the start of evaluate (and of fit's validation)."""

    def on_test_end(self, logs=None):
        """Called at the end of evaluate with its logs."""

    def on_predict_begin(self, logs=None):
        """Called at the start of predict."""

    def on_predict_end(self, logs=None):
        """Called at the end of predict."""


_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin",
              "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
}
