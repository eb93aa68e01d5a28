"""The callbacks a training script strings together: ModelCheckpoint with
save_best_only on val_loss to a `.keras` file, CSVLogger, ReduceLROnPlateau,
TerminateOnNaN, BackupAndRestore, a LambdaCallback collecting batch
losses, EarlyStopping with restore_best_weights, then load_model of the
best checkpoint and training resumed from it with initial_epoch."""
import csv
import os
import tempfile

import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
x = rng.normal(size=(300, 8)).astype("float32")
y = (np.sin(x[:, 0]) + 0.5 * x[:, 1] ** 2 + 0.1 * rng.normal(size=300)).astype("float32")

def make_model():
    model = keras.Sequential([
        keras.Input((8,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(16, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse",
                  metrics=["mae"])
    return model

workdir = tempfile.mkdtemp()
best_path = os.path.join(workdir, "best.keras")
log_path = os.path.join(workdir, "training.csv")
batch_losses = []
callbacks = [
    keras.callbacks.ModelCheckpoint(best_path, monitor="val_loss",
                                    save_best_only=True),
    keras.callbacks.CSVLogger(log_path),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5,
                                      patience=1, min_lr=1e-4),
    keras.callbacks.TerminateOnNaN(),
    keras.callbacks.BackupAndRestore(os.path.join(workdir, "backup")),
    keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batch_losses.append(logs["loss"])),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                  restore_best_weights=True),
]
model = make_model()
history = model.fit(x, y, batch_size=50, epochs=6, validation_split=0.2,
                    callbacks=callbacks, verbose=0)
assert len(batch_losses) == 5 * len(history.history["loss"])

with open(log_path) as f:
    rows = list(csv.DictReader(f))
assert len(rows) == len(history.history["loss"])
print("csv columns:", sorted(rows[0]))
assert {"epoch", "loss", "val_loss", "mae"} <= set(rows[0])

best = keras.models.load_model(best_path)
best_val = min(history.history["val_loss"])
val_loss = best.evaluate(x[240:], y[240:], verbose=0)[0]
assert abs(val_loss - best_val) < 1e-3 * max(1.0, best_val), (val_loss, best_val)
resumed = best.fit(x, y, batch_size=50, epochs=8, initial_epoch=6,
                   validation_split=0.2, verbose=0)
assert len(resumed.history["loss"]) == 2
