"""CSVLogger: one CSV row per epoch."""
import collections
import csv
import os

import numpy as np

from seqcore.callbacks.callback import Callback


def _cell(value):
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and \
            not (isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(str(v) for v in value)}]"'
    return value


class CSVLogger(Callback):
    """Writes each epoch's logs to `filename` as CSV: a header `epoch`,
    then the log keys in sorted order (fixed at the first epoch; a key
    missing later is written `NA`).

    Args:
        filename: the CSV file.
        separator: the column separator.
        append: add to an existing file (its header is kept) instead of
            overwriting it.
    """

    _chief_only = True    # writes: rank 0 only under distribution

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        self.writer = None
        self.keys = None
        self.csv_file = open(self.filename, mode, newline="",
                             encoding="utf-8")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        if self.writer is None:
            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch"] + self.keys,
                delimiter=self.sep, lineterminator="\n")
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, _cell(logs[k]) if k in logs else "NA")
                   for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
            self.csv_file = None
        self.writer = None
