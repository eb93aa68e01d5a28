"""BackupAndRestore: resume an interrupted fit where it stopped."""
import json
import os
import shutil

from seqcore.callbacks.callback import Callback
from seqcore.distribution import state as _distribution_state


class BackupAndRestore(Callback):
    """Backs up the weights and optimizer state (`latest.weights.h5`) and
    the epoch reached (`training_metadata.json`) in `backup_dir`; a fit
    started with the same `backup_dir` after an interruption restores them
    and resumes at that epoch (fit reads `model._initial_epoch`).

    Args:
        backup_dir: the folder of the backup.
        save_freq: 'epoch' or a number of batches between backups.
        double_checkpoint: keep the previous backup too (`.bkp`), used if
            the latest one cannot be read.
        delete_checkpoint: delete the folder when fit completes.
    """

    def __init__(self, backup_dir, save_freq="epoch",
                 double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or
                                     isinstance(save_freq, bool)):
            raise ValueError(f"Invalid value for argument `save_freq`. "
                             f"Received: save_freq={save_freq}. Expected "
                             f"either 'epoch' or an integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._weights_path = os.path.join(self.backup_dir,
                                          "latest.weights.h5")
        self._training_metadata_path = os.path.join(
            self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = \
            self._training_metadata_path + ".bkp"

    def on_train_begin(self, logs=None):
        try:
            self._load_model()
        except (OSError, ValueError):
            if not os.path.exists(self._prev_weights_path):
                raise
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                shutil.copyfile(self._prev_training_metadata_path,
                                self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self):
        model = self.model
        if not model.built:
            raise ValueError(f"To use the BackupAndRestore callback, your "
                             f"model must be built before you call `fit()`. "
                             f"Model {model.name} is unbuilt. You can build "
                             f"it beforehand by calling it on a batch of "
                             f"data.")
        if os.path.exists(self._weights_path):
            prepare = getattr(model, "_prepare_variables", None)
            if prepare is not None and model.optimizer is not None:
                prepare()           # the optimizer's state exists to load
            model.load_weights(self._weights_path)
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path, encoding="utf-8") as f:
                metadata = json.load(f)
            model._initial_epoch = int(metadata["epoch"])

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def _uses_batch_logs(self, what="train"):
        return what == "train" and self.save_freq != "epoch"

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self):
        if not _distribution_state.is_chief():
            return      # rank 0 writes the backup under distribution
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path, previous in (
                    (self._weights_path, self._prev_weights_path),
                    (self._training_metadata_path,
                     self._prev_training_metadata_path)):
                if os.path.exists(path):
                    shutil.copyfile(path, previous)
        self.model.save_weights(self._weights_path, overwrite=True)
        metadata = {"epoch": self._current_epoch,
                    "batch": self._last_batch_seen}
        tmp = self._training_metadata_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(metadata, f)
        os.replace(tmp, self._training_metadata_path)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and _distribution_state.is_chief() and \
                os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
