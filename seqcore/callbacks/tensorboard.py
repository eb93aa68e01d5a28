"""TensorBoard: scalar event files of the training and validation logs,
written with the `tensorboard` package (no TensorFlow needed)."""
import os
import time

import numpy as np

from seqcore.callbacks.callback import Callback


def _event_writer_classes():
    """tensorboard's event-file writer and protos, or a clear ImportError."""
    try:
        from tensorboard.compat.proto.event_pb2 import Event
        from tensorboard.compat.proto.summary_pb2 import Summary
        from tensorboard.summary.writer.event_file_writer import \
            EventFileWriter
    except ImportError as exc:
        raise ImportError(
            "keras.callbacks.TensorBoard writes event files with the "
            "`tensorboard` package, which is not installed: pip install "
            f"tensorboard ({exc})") from None
    return EventFileWriter, Event, Summary


class TensorBoard(Callback):
    """Writes the epoch logs (and batch logs with an integer `update_freq`)
    as TensorBoard scalars: `<log_dir>/train` for the training values,
    `<log_dir>/validation` for the `val_` ones (names `epoch_<key>`, as
    Keras writes them).

    Args:
        log_dir: the folder of the event files.
        update_freq: 'epoch', 'batch' or a number of batches between
            batch-level scalars (`batch_<key>`).
        histogram_freq, write_graph, write_images, write_steps_per_second,
        profile_batch, embeddings_freq, embeddings_metadata: accepted for
            compatibility; seqcore writes scalars only (and steps per
            second when `write_steps_per_second`).

    Raises:
        ImportError: at construction when `tensorboard` is not installed.
    """

    _chief_only = True    # writes: rank 0 only under distribution

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True,
                 write_images=False, write_steps_per_second=False,
                 update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        self._classes = _event_writer_classes()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._train_step = 0
        self._epoch_start = None

    def _writer(self, name):
        if name not in self._writers:
            writer_class = self._classes[0]
            folder = os.path.join(self.log_dir, name)
            os.makedirs(folder, exist_ok=True)
            self._writers[name] = writer_class(folder)
        return self._writers[name]

    def _scalars(self, name, values, step):
        _, event_class, summary_class = self._classes
        # scalars only: a per-class metric (an array) has no scalar form
        summary = summary_class(value=[
            summary_class.Value(tag=tag, simple_value=float(value))
            for tag, value in values.items() if np.ndim(value) == 0])
        event = event_class(wall_time=time.time(), step=int(step),
                            summary=summary)
        self._writer(name).add_event(event)

    def on_train_begin(self, logs=None):
        self._train_step = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def _uses_batch_logs(self, what="train"):
        return what == "train" and isinstance(self.update_freq, int)

    def on_train_batch_end(self, batch, logs=None):
        self._train_step += 1
        if isinstance(self.update_freq, int) and logs and \
                self._train_step % self.update_freq == 0:
            self._scalars("train", {f"batch_{k}": v for k, v in logs.items()},
                          self._train_step)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {f"epoch_{k}": v for k, v in logs.items()
                 if not k.startswith("val_")}
        if self.write_steps_per_second and self._epoch_start is not None:
            seconds = time.perf_counter() - self._epoch_start
            steps = self.params.get("steps") or 0
            train["epoch_steps_per_second"] = steps / max(seconds, 1e-9)
        val = {f"epoch_{k[4:]}": v for k, v in logs.items()
               if k.startswith("val_")}
        if train:
            self._scalars("train", train, epoch)
        if val:
            self._scalars("validation", val, epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs=None):
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
