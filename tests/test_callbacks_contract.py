"""The callbacks contract of Keras 3: hook order, arguments and logs keys
against tests/fixtures/keras_callbacks.json (written by
make_callback_fixtures.py with Keras 3 on JAX), the decisions of
EarlyStopping / ReduceLROnPlateau / ModelCheckpoint on scripted values,
stop_training and learning-rate changes, BackupAndRestore resuming an
interrupted fit, and the other callbacks."""
import csv
import json
import os
import pathlib
import sys

import numpy as np
import pytest

import seqcore as keras

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import callback_cases as cases  # noqa: E402

KERAS = json.loads((FIXTURES / "keras_callbacks.json").read_text())

Recorder = cases.make_recorder(keras)


def _model(metrics=("mae",), optimizer="sgd", seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer, "mse", metrics=list(metrics))
    return model


# ---- hook sequence, arguments and logs against Keras -------------------------------

def test_fit_hook_sequence_and_logs_match_keras():
    x, y, vx, vy = cases.data()
    model, rec = _model(), Recorder()
    model.fit(x, y, batch_size=cases.BATCH_SIZE, epochs=cases.EPOCHS,
              validation_data=(vx, vy), callbacks=[rec], verbose=0)
    assert rec.calls == KERAS["fit"]["calls"]
    assert rec.params_seen == KERAS["fit"]["params"]
    assert rec.models == {id(model)}


def test_stop_training_in_a_batch_matches_keras():
    x, y, vx, vy = cases.data()
    model, rec = _model(), Recorder(stop_at=1)
    history = model.fit(x, y, batch_size=cases.BATCH_SIZE,
                        epochs=cases.EPOCHS, validation_data=(vx, vy),
                        callbacks=[rec], verbose=0)
    assert rec.calls == KERAS["fit_stop"]["calls"]
    assert history.epoch == [0]
    assert model.optimizer.iterations == 2


def test_evaluate_and_predict_hooks_match_keras():
    _, _, vx, vy = cases.data()
    model = _model()
    for what, run in (("evaluate", lambda cb: model.evaluate(
            vx, vy, batch_size=cases.BATCH_SIZE, callbacks=[cb], verbose=0)),
            ("predict", lambda cb: model.predict(
                vx, batch_size=cases.BATCH_SIZE, callbacks=[cb],
                verbose=0))):
        rec = Recorder()
        run(rec)
        assert rec.calls == KERAS[what]["calls"], what
        assert rec.params_seen == KERAS[what]["params"], what


def test_predict_batch_logs_hold_the_outputs():
    _, _, vx, _ = cases.data()
    model = _model()
    outputs = []
    cb = keras.callbacks.LambdaCallback(
        on_predict_batch_end=lambda batch, logs: outputs.append(
            np.array(logs["outputs"])))
    full = model.predict(vx, batch_size=4, callbacks=[cb], verbose=0)
    np.testing.assert_array_equal(np.concatenate(outputs), full)


def test_batch_logs_are_the_running_means_of_the_epoch():
    x, y, _, _ = cases.data()
    model = _model()
    seen = []
    before = model.get_weights()
    cb = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(dict(logs)))
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, callbacks=[cb],
              verbose=0)
    # Replay: the loss of each batch before its update, weighted by size.
    replay = _model()
    replay.set_weights(before)
    losses, sizes = [], []
    for start in range(0, 10, 4):
        bx, by = x[start:start + 4], y[start:start + 4]
        losses.append(float(np.mean((replay.predict(bx, verbose=0) -
                                     by) ** 2)))
        sizes.append(len(bx))
        replay.train_on_batch(bx, by)
        running = np.average(losses, weights=sizes)
        np.testing.assert_allclose(seen[len(losses) - 1]["loss"], running,
                                   rtol=1e-5)


def test_keras2_batch_hook_names_are_called():
    x, y, _, _ = cases.data()
    calls = []

    class Old(keras.callbacks.Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, sorted(logs)))
    _model().fit(x, y, batch_size=4, epochs=1, callbacks=[Old()], verbose=0)
    assert calls == [("begin", 0), ("end", 0, ["loss", "mae"]),
                     ("begin", 1), ("end", 1, ["loss", "mae"]),
                     ("begin", 2), ("end", 2, ["loss", "mae"])]


def test_user_history_and_progbar_are_used_not_duplicated():
    x, y, _, _ = cases.data()
    model = _model()
    history = keras.callbacks.History()
    returned = model.fit(x, y, epochs=2, callbacks=[history], verbose=0)
    assert returned is history and model.history is history
    assert history.epoch == [0, 1] and len(history.history["loss"]) == 2


def test_stop_training_in_epoch_end_stops_after_that_epoch():
    x, y, _, _ = cases.data()
    model = _model()

    class StopAt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True
    history = model.fit(x, y, batch_size=4, epochs=6, callbacks=[StopAt()],
                        verbose=0)
    assert history.epoch == [0, 1]
    assert model.optimizer.iterations == 6


def test_learning_rate_set_in_a_callback_takes_effect_at_the_next_step():
    x, y, _, _ = cases.data()
    model = _model()
    snapshots = {}

    class Freeze(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                snapshots["after_0"] = self.model.get_weights()
                self.model.optimizer.learning_rate = 0.0
    start = model.get_weights()
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False,
              callbacks=[Freeze()], verbose=0)
    # batch 0 updated with the old rate; every later step with rate 0
    assert not np.allclose(start[0], snapshots["after_0"][0])
    for a, b in zip(model.get_weights(), snapshots["after_0"]):
        np.testing.assert_array_equal(a, b)


def test_learning_rate_change_matches_a_manual_two_rate_run():
    x, y, _, _ = cases.data()
    model = _model()
    start = model.get_weights()

    class Double(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                self.model.optimizer.learning_rate = 0.02
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False,
              callbacks=[Double()], verbose=0)
    # The same steps by hand in float64 (SGD, mse: dL/dW = 2/(n*2) X^T E).
    w, b = (v.astype(np.float64) for v in start)
    for i, start_i in enumerate(range(0, 10, 4)):
        bx = x[start_i:start_i + 4].astype(np.float64)
        by = y[start_i:start_i + 4].astype(np.float64)
        err = bx @ w + b - by
        scale = 2.0 / err.size
        lr = 0.01 if i == 0 else 0.02
        w -= lr * scale * bx.T @ err
        b -= lr * scale * err.sum(0)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-5,
                               atol=1e-6)


# ---- decisions on scripted values, against Keras -------------------------------------

@pytest.mark.parametrize("name", sorted(cases.EARLY_STOPPING))
def test_early_stopping_decisions_match_keras(name):
    assert cases.early_stopping_run(keras, name) == \
        KERAS["early_stopping"][name]


def test_early_stopping_in_fit_restores_the_best_weights():
    x, y, vx, vy = cases.data()
    model = _model()
    weights = {}

    class Keep(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            weights[epoch] = (logs["val_loss"], self.model.get_weights())
    cb = keras.callbacks.EarlyStopping(patience=1, restore_best_weights=True,
                                       monitor="loss", mode="max")
    history = model.fit(x, y, batch_size=4, epochs=10, shuffle=False,
                        validation_data=(vx, vy), callbacks=[Keep(), cb],
                        verbose=0)
    # the training loss falls: mode max stops after two epochs and keeps
    # the first epoch's weights
    assert history.epoch == [0, 1] and cb.best_epoch == 0
    for a, b in zip(model.get_weights(), weights[0][1]):
        np.testing.assert_array_equal(a, b)


def test_monitor_mode_auto_unknown_metric_is_an_error():
    cb = keras.callbacks.EarlyStopping(monitor="val_something")
    cb.set_model(cases.Holder())
    with pytest.raises(ValueError, match="mode='max'"):
        cb.on_epoch_end(0, {"val_something": 1.0})
    with pytest.warns(UserWarning, match="unknown, fallback to auto"):
        keras.callbacks.EarlyStopping(mode="upwards")


@pytest.mark.parametrize("name", sorted(cases.REDUCE_LR))
def test_reduce_lr_on_plateau_matches_keras(name):
    expected = KERAS["reduce_lr"][name]
    got = cases.reduce_lr_run(keras, _model(), name)
    np.testing.assert_allclose(got["rates"], expected["rates"], rtol=1e-6)
    assert got["logs_keys"] == expected["logs_keys"]


def test_reduce_lr_factor_error():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        keras.callbacks.ReduceLROnPlateau(factor=1.5)


@pytest.mark.parametrize("name", sorted(cases.CHECKPOINT))
def test_model_checkpoint_decisions_and_names_match_keras(tmp_path, name):
    model = _model(("mae", "accuracy"))
    assert cases.checkpoint_files(keras, model, tmp_path, name) == \
        KERAS["checkpoint"][name]


def test_model_checkpoint_save_freq_batches_matches_keras(tmp_path):
    assert cases.checkpoint_save_freq_files(keras, _model(), tmp_path) == \
        KERAS["checkpoint"]["save_freq_2"]


def test_model_checkpoint_path_errors_match_keras():
    assert cases.checkpoint_path_errors(keras) == \
        KERAS["checkpoint"]["errors"]


def test_model_checkpoint_saves_a_loadable_model(tmp_path):
    x, y, vx, vy = cases.data()
    model = _model()
    path = os.path.join(tmp_path, "best.keras")
    cb = keras.callbacks.ModelCheckpoint(path, save_best_only=True)
    model.fit(x, y, batch_size=4, epochs=3, validation_data=(vx, vy),
              callbacks=[cb], verbose=0)
    loaded = keras.saving.load_model(path)
    assert loaded.evaluate(vx, vy, verbose=0)[0] == pytest.approx(
        cb.best, rel=1e-5)


# ---- BackupAndRestore --------------------------------------------------------------

class Crash(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("interrupted")


def test_backup_and_restore_resumes_with_the_same_weights(tmp_path):
    x, y, _, _ = cases.data()
    reference = _model(optimizer="adam")
    reference.fit(x, y, batch_size=4, epochs=4, shuffle=False, verbose=0)

    model = _model(optimizer="adam")
    folder = os.path.join(tmp_path, "backup")
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(x, y, batch_size=4, epochs=4, shuffle=False, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(folder),
                             Crash(2)])
    with open(os.path.join(folder, "training_metadata.json")) as f:
        assert json.load(f) == {"epoch": 2, "batch": 0}
    # A new process would start from a fresh model: the backup has it all.
    fresh = _model(optimizer="adam", seed=5)
    fresh.build((None, 3))
    history = fresh.fit(x, y, batch_size=4, epochs=4, shuffle=False,
                        verbose=0,
                        callbacks=[keras.callbacks.BackupAndRestore(folder)])
    assert history.epoch == [2, 3]
    assert fresh.optimizer.iterations == reference.optimizer.iterations
    for a, b in zip(fresh.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not os.path.exists(folder)       # delete_checkpoint=True


def test_backup_and_restore_options(tmp_path):
    x, y, _, _ = cases.data()
    folder = os.path.join(tmp_path, "b")
    cb = keras.callbacks.BackupAndRestore(folder, save_freq=2,
                                          double_checkpoint=True,
                                          delete_checkpoint=False)
    _model().fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[cb])
    files = sorted(os.listdir(folder))
    assert files == ["latest.weights.h5", "latest.weights.h5.bkp",
                     "training_metadata.json", "training_metadata.json.bkp"]
    with open(os.path.join(folder, "training_metadata.json")) as f:
        assert json.load(f) == {"epoch": 1, "batch": 2}   # as Keras counts
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        keras.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        keras.callbacks.BackupAndRestore(folder, save_freq="batch")


def test_backup_falls_back_to_the_previous_checkpoint(tmp_path):
    x, y, _, _ = cases.data()
    folder = os.path.join(tmp_path, "b")
    model = _model()
    with pytest.raises(RuntimeError):
        model.fit(x, y, epochs=4, verbose=0, callbacks=[
            keras.callbacks.BackupAndRestore(folder, double_checkpoint=True),
            Crash(3)])
    with open(os.path.join(folder, "latest.weights.h5"), "wb") as f:
        f.write(b"not an h5 file")           # a crash while writing
    history = model.fit(x, y, epochs=4, verbose=0, callbacks=[
        keras.callbacks.BackupAndRestore(folder)])
    assert history.epoch == [2, 3]


def test_initial_epoch_set_by_a_callback_is_honoured():
    x, y, _, _ = cases.data()

    class Resume(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.model._initial_epoch = 3
    model = _model()
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[Resume()])
    assert history.epoch == [3, 4]
    assert model.fit(x, y, epochs=2, verbose=0).epoch == [0, 1]


# ---- the other callbacks -------------------------------------------------------------

def test_csv_logger_writes_and_appends(tmp_path):
    x, y, vx, vy = cases.data()
    path = os.path.join(tmp_path, "log.csv")
    model = _model()
    model.fit(x, y, epochs=2, verbose=0, validation_data=(vx, vy),
              callbacks=[keras.callbacks.CSVLogger(path)])
    model.fit(x, y, epochs=1, verbose=0, validation_data=(vx, vy),
              callbacks=[keras.callbacks.CSVLogger(path, append=True)])
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "0"]
    history = model.fit(x, y, epochs=2, verbose=0, validation_freq=2,
                        validation_data=(vx, vy), callbacks=[
                            keras.callbacks.CSVLogger(path, separator=";")])
    with open(path) as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0] == ["epoch", "loss", "mae"]      # keys of the 1st epoch
    assert float(rows[2][1]) == pytest.approx(history.history["loss"][1])


def test_learning_rate_scheduler_sets_and_logs_the_rate():
    x, y, _, _ = cases.data()
    model = _model()
    seen = []
    cb = keras.callbacks.LearningRateScheduler(
        lambda epoch, lr: 0.1 / (epoch + 1))
    rec = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(
            float(model.optimizer.learning_rate)))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[cb, rec])
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.1 / 3])
    np.testing.assert_allclose(history.history["learning_rate"],
                               [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    with pytest.raises(ValueError, match="should be a float"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[
            keras.callbacks.LearningRateScheduler(lambda e, lr: "fast")])


def _nan_data():
    x, y, _, _ = cases.data()
    y = y.copy()
    y[5] = np.inf           # the second batch of 4 has an infinite target
    return x, y


def test_terminate_on_nan_stops_at_the_bad_batch(capsys):
    x, y = _nan_data()
    model = _model()
    ended = []
    cb = keras.callbacks.LambdaCallback(
        on_train_end=lambda logs: ended.append(True))
    seen = []
    rec = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(batch))
    # batches from an iterator are not checked for NaN up front as arrays
    batches = [(x[i:i + 4], y[i:i + 4]) for i in range(0, 10, 4)]
    model.fit(iter(batches), steps_per_epoch=3, epochs=2, verbose=0,
              callbacks=[keras.callbacks.TerminateOnNaN(), rec, cb])
    assert seen == [0, 1] and ended == [True]
    assert "Batch 1: Invalid loss, terminating training" in \
        capsys.readouterr().out
    ended.clear()
    with pytest.raises(RuntimeError, match="NaN or Inf loss"):
        _model().fit(iter(batches), steps_per_epoch=3, epochs=1, verbose=0,
                     callbacks=[keras.callbacks.TerminateOnNaN(
                         raise_error=True), cb])
    assert ended == []          # on_train_end is skipped, as in Keras


def test_lambda_callback_takes_any_hook():
    x, y, vx, vy = cases.data()
    calls = []
    cb = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_batch_end=lambda batch, logs: calls.append(f"batch{batch}"),
        on_test_end=lambda logs: calls.append("test_end"))
    _model().fit(x, y, batch_size=4, epochs=1, validation_data=(vx, vy),
                 callbacks=[cb], verbose=0)
    assert calls == ["train_begin", "batch0", "batch1", "batch2",
                     "test_end"]


class _Reply:
    """What RemoteMonitor does with urlopen's reply: a context manager."""

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def _capture_posts(monkeypatch):
    """Replace urllib's urlopen by one that keeps the requests (returned
    list) and answers _Reply(): no network."""
    import urllib.request
    sent = []

    def fake_urlopen(request, timeout=None):
        sent.append(request)
        return _Reply()
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    return sent


def test_remote_monitor_posts_epoch_logs_without_network(monkeypatch):
    sent = _capture_posts(monkeypatch)
    x, y, _, _ = cases.data()
    history = _model().fit(x, y, epochs=2, verbose=0, callbacks=[
        keras.callbacks.RemoteMonitor(root="http://monitor.invalid",
                                      send_as_json=True,
                                      headers={"X-Key": "1"})])
    assert [r.full_url for r in sent] == \
        ["http://monitor.invalid/publish/epoch/end/"] * 2
    body = json.loads(sent[1].data)
    assert body["epoch"] == 1
    assert body["loss"] == pytest.approx(history.history["loss"][1])
    assert sent[0].get_header("X-key") == "1"


def test_remote_monitor_unreachable_server_is_a_warning(monkeypatch):
    import urllib.request

    def refuse(request, timeout=None):
        raise OSError("connection refused")
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    cb = keras.callbacks.RemoteMonitor()
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        cb.on_epoch_end(0, {"loss": 1.0})


def test_tensorboard_needs_the_tensorboard_package(tmp_path):
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install tensorboard"):
            keras.callbacks.TensorBoard(log_dir=str(tmp_path))
        return
    x, y, vx, vy = cases.data()
    _model().fit(x, y, epochs=2, verbose=0, validation_data=(vx, vy),
                 callbacks=[keras.callbacks.TensorBoard(str(tmp_path))])
    for part in ("train", "validation"):
        files = os.listdir(os.path.join(tmp_path, part))
        assert any(f.startswith("events.out.tfevents") for f in files)


def test_swap_ema_weights_evaluates_with_the_averages():
    x, y, vx, vy = cases.data()
    model = _model(optimizer=keras.optimizers.SGD(
        0.05, use_ema=True, ema_momentum=0.9))
    model.fit(x, y, batch_size=2, epochs=1, verbose=0)
    # fit ends with the averages in the model; one more step moves away
    model.train_on_batch(x * 3, y)
    trained = model.get_weights()
    with_ema = model.evaluate(vx, vy, verbose=0, return_dict=True,
                              callbacks=[keras.callbacks.SwapEMAWeights()])
    for a, b in zip(model.get_weights(), trained):      # swapped back
        np.testing.assert_array_equal(a, b)
    plain = model.evaluate(vx, vy, verbose=0, return_dict=True)
    model.optimizer.finalize_variable_values(model.trainable_weights)
    averaged = model.evaluate(vx, vy, verbose=0, return_dict=True)
    assert with_ema["loss"] == pytest.approx(averaged["loss"], rel=1e-6)
    assert with_ema["loss"] != pytest.approx(plain["loss"], rel=1e-6)
    with pytest.raises(ValueError, match="use_ema=True"):
        _model().evaluate(vx, vy, verbose=0,
                          callbacks=[keras.callbacks.SwapEMAWeights()])


def test_progbar_with_unknown_steps_prints_the_epoch(capsys):
    x, y, _, _ = cases.data()

    def batches():
        for i in range(0, 10, 4):
            yield x[i:i + 4], y[i:i + 4]
    with pytest.warns(UserWarning, match="ran out of data"):
        _model().fit(batches(), epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out and "3/3" in out


def test_callbacks_must_be_callbacks():
    x, y, _, _ = cases.data()
    with pytest.raises(TypeError, match="Callback"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[print])


def test_per_class_metric_arrays_in_logs(monkeypatch, tmp_path):
    sent = _capture_posts(monkeypatch)
    logs = {"loss": 0.5, "f1_score": np.array([0.25, 0.5], np.float32)}
    keras.callbacks.RemoteMonitor(send_as_json=True).on_epoch_end(3, logs)
    assert json.loads(sent[0].data) == {"epoch": 3, "loss": 0.5,
                                        "f1_score": [0.25, 0.5]}
    path = os.path.join(tmp_path, "log.csv")
    cb = keras.callbacks.CSVLogger(path)
    cb.on_train_begin({})
    cb.on_epoch_end(0, logs)
    cb.on_train_end({})
    with open(path) as f:
        rows = list(csv.reader(f))
    # Keras writes a list cell as "[a, b]" inside the CSV quoting
    assert rows == [["epoch", "f1_score", "loss"],
                    ["0", '"[0.25, 0.5]"', "0.5"]]


# ---- which callbacks read batch logs ---------------------------------------------
# Under distribution the logs are summed over ranks at every batch only when
# a callback reads them (Callback._uses_batch_logs); fit then also checks
# stop_training at every batch.

class _EpochOnly(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        pass


class _Keras2BatchEnd(keras.callbacks.Callback):
    def on_batch_end(self, batch, logs=None):
        pass


@pytest.mark.parametrize("callback, verbose, train, test", [
    (keras.callbacks.History(), 0, False, False),
    (_EpochOnly(), 0, False, False),
    (keras.callbacks.EarlyStopping(), 0, False, False),
    (_Keras2BatchEnd(), 0, True, False),
    (keras.callbacks.TerminateOnNaN(), 0, True, False),
    (keras.callbacks.LambdaCallback(on_train_batch_end=print), 0, True,
     False),
    (keras.callbacks.LambdaCallback(on_epoch_end=print), 0, False, False),
    (keras.callbacks.LambdaCallback(on_test_batch_end=print), 0, False,
     True),
    (keras.callbacks.ProgbarLogger(), 1, True, False),
    (keras.callbacks.ProgbarLogger(), 2, False, False),
    (keras.callbacks.ModelCheckpoint("m.keras"), 0, False, False),
    (keras.callbacks.ModelCheckpoint("m.keras", save_freq=3), 0, True,
     False),
])
def test_which_callbacks_read_batch_logs(callback, verbose, train, test):
    callbacks = keras.callbacks.CallbackList([callback], verbose=verbose,
                                             epochs=1, steps=1)
    assert callbacks._uses_batch_logs("train") is train
    assert callbacks._uses_batch_logs("test") is test


@pytest.mark.parametrize("update_freq, train", [("epoch", False),
                                                 ("batch", True), (5, True)])
def test_tensorboard_reads_batch_logs_at_an_integer_update_freq(
        update_freq, train):
    # built without its constructor, which needs the tensorboard package
    # (and maps 'batch' to 1)
    board = keras.callbacks.TensorBoard.__new__(keras.callbacks.TensorBoard)
    board.update_freq = 1 if update_freq == "batch" else update_freq
    assert board._uses_batch_logs("train") is train
    assert board._uses_batch_logs("test") is False


def test_epoch_logs_are_the_same_whether_or_not_batches_are_logged():
    x, y, _, _ = cases.data()
    seen = []
    histories = []
    for callbacks in ([], [keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda b, logs: seen.append(dict(logs)))]):
        model = _model()
        histories.append(model.fit(x, y, batch_size=4, epochs=2, verbose=0,
                                   callbacks=callbacks).history)
    assert histories[0] == histories[1]
    assert seen[-1]["loss"] == histories[1]["loss"][-1]
