"""LambdaCallback: a callback made of plain functions."""
from seqcore.callbacks.callback import Callback


class LambdaCallback(Callback):
    """Each argument is a function used as that hook: `on_epoch_begin(epoch,
    logs)`, `on_train_batch_end(batch, logs)`, `on_train_begin(logs)`, ...;
    other hooks (`on_batch_end=...`, `on_test_end=...`) go in **kwargs."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None,
                 on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        for name, fn in (("on_epoch_begin", on_epoch_begin),
                         ("on_epoch_end", on_epoch_end),
                         ("on_train_begin", on_train_begin),
                         ("on_train_end", on_train_end),
                         ("on_train_batch_begin", on_train_batch_begin),
                         ("on_train_batch_end", on_train_batch_end)):
            if fn is not None:
                setattr(self, name, fn)
