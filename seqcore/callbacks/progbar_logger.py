"""ProgbarLogger: the `Epoch i/n` line and progress bar of fit/evaluate/
predict."""
from seqcore.callbacks.callback import Callback
from seqcore.engine.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and the progress bar (verbose=1) or one line per
    epoch (verbose=2). fit adds one when verbose is not 0 (and the user
    gave none)."""

    _chief_only = True    # writes: rank 0 only under distribution

    def __init__(self):
        super().__init__()
        self._bar = None
        self._seen = 0

    def _verbose(self):
        return self.params.get("verbose", 1)

    def _steps(self):
        return self.params.get("steps") or 0

    def _uses_batch_logs(self, what="train"):
        return what == "train" and self._verbose() == 1   # the live bar

    def on_train_begin(self, logs=None):
        self._bar = None

    def on_epoch_begin(self, epoch, logs=None):
        verbose = self._verbose()
        if verbose:
            epochs = self.params.get("epochs", 1)
            print(f"Epoch {epoch + 1}/{epochs}", flush=True)
        self._bar = Progbar(self._steps(), verbose=verbose)
        self._seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        if self._bar is not None:
            self._bar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is None:
            return
        steps = self._steps() or self._seen
        if self._bar.target == 0:
            self._bar.target = steps
        if self._verbose() == 2:
            self._bar.epoch_line(steps, logs or {})
        else:
            self._bar.update(steps, logs, finalize=True)
        self._bar = None
