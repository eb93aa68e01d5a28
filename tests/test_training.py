"""compile / fit / evaluate / predict: the seeds' examples end to end, a real
learning test, reproducibility, freezing, weighting, regularization and
errors. (Numbers against Keras itself: test_training_vs_keras.py.)"""
import io
import contextlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from seqcore._demo import build_model, load_scaled_digits

RNG = np.random.default_rng(0)


def _quiet(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


# ---- the seeds' examples, on small dummy data ------------------------------------

def test_mlp_softmax_example_with_legacy_sgd_arguments():
    x_train = RNG.random((200, 20)).astype("float32")
    y_train = keras.utils.to_categorical(RNG.integers(0, 10, (200, 1)), 10)
    model = keras.Sequential([
        layers.Dense(64, activation="relu", input_shape=(20,)),
        layers.Dropout(0.5), layers.Dense(64, activation="relu"),
        layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
    with pytest.warns(DeprecationWarning):
        sgd = keras.optimizers.SGD(lr=0.01, decay=1e-6, momentum=0.9,
                                   nesterov=True)
    model.compile(loss="categorical_crossentropy", optimizer=sgd,
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=3, batch_size=128,
                        verbose=0)
    assert sorted(history.history) == ["accuracy", "loss"]
    assert len(history.history["loss"]) == 3
    # Keras 2's time-based decay: lr / (1 + decay * iterations).
    assert sgd.iterations == 6
    assert sgd.learning_rate == pytest.approx(
        float(np.float32(0.01)) / (1 + 1e-6 * 6))
    score = model.evaluate(x_train[:50], y_train[:50], batch_size=128,
                           verbose=0)
    assert len(score) == 2 and 0.0 <= score[1] <= 1.0


def test_binary_mlp_example_learns():
    x = RNG.random((400, 20)).astype("float32")
    y = (x[:, :10].sum(1) > x[:, 10:].sum(1)).astype("float32")[:, None]
    model = keras.Sequential([
        keras.Input((20,)), layers.Dense(64, activation="relu"),
        layers.Dropout(0.5), layers.Dense(64, activation="relu"),
        layers.Dropout(0.5), layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="rmsprop",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, accuracy = model.evaluate(x, y, batch_size=128, verbose=0)
    assert accuracy > 0.85


def test_vgg_like_convnet_example():
    x = RNG.random((12, 20, 20, 3)).astype("float32")
    y = keras.utils.to_categorical(RNG.integers(0, 10, (12, 1)), 10)
    model = keras.Sequential([
        layers.Conv2D(8, (3, 3), activation="relu", input_shape=(20, 20, 3)),
        layers.Conv2D(8, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)), layers.Dropout(0.25),
        layers.Conv2D(16, (3, 3), activation="relu"),
        layers.Conv2D(16, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)), layers.Dropout(0.25),
        layers.Flatten(), layers.Dense(32, activation="relu"),
        layers.Dropout(0.25), layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=0.01,
                                                 momentum=0.9, nesterov=True))
    history = model.fit(x, y, batch_size=5, epochs=2, verbose=0)
    assert list(history.history) == ["loss"]
    score = model.evaluate(x, y, batch_size=5, verbose=0)
    assert isinstance(score, float) and np.isfinite(score)


def test_embedding_lstm_sequence_classifier_example():
    x = RNG.integers(1, 50, (32, 10))
    y = RNG.integers(0, 2, (32, 1)).astype("float32")
    model = keras.Sequential([
        layers.Embedding(50, 16), layers.LSTM(8), layers.Dropout(0.5),
        layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="rmsprop",
                  metrics=["accuracy"])
    before = model.predict(x[:4], verbose=0) if model.built else None
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert before is None and model.built
    assert model.predict(x, verbose=0).shape == (32, 1)


def test_conv1d_sequence_classifier_example():
    x = RNG.random((16, 30, 12)).astype("float32")
    y = RNG.integers(0, 2, (16, 1)).astype("float32")
    model = keras.Sequential([
        layers.Conv1D(8, 3, activation="relu", input_shape=(30, 12)),
        layers.Conv1D(8, 3, activation="relu"), layers.MaxPooling1D(3),
        layers.Conv1D(16, 3, activation="relu"),
        layers.Conv1D(16, 3, activation="relu"),
        layers.GlobalAveragePooling1D(), layers.Dropout(0.5),
        layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="rmsprop",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    loss, accuracy = model.evaluate(x, y, batch_size=16, verbose=0)
    assert np.isfinite(loss)


def test_stacked_lstm_example_with_validation_data():
    x = RNG.random((64, 8, 16)).astype("float32")
    y = RNG.random((64, 10)).astype("float32")
    model = keras.Sequential([
        layers.LSTM(32, return_sequences=True, input_shape=(8, 16)),
        layers.LSTM(32, return_sequences=True), layers.LSTM(32),
        layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0,
                        validation_data=(x[:20], y[:20]))
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy",
                                       "val_loss"]


def test_stateful_stacked_lstm_example():
    batch = 8
    x = RNG.random((batch * 4, 8, 16)).astype("float32")
    y = RNG.random((batch * 4, 10)).astype("float32")
    model = keras.Sequential([
        layers.LSTM(32, return_sequences=True, stateful=True,
                    batch_input_shape=(batch, 8, 16)),
        layers.LSTM(32, return_sequences=True, stateful=True),
        layers.LSTM(32, stateful=True),
        layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=batch, epochs=2, shuffle=False, verbose=0,
              validation_data=(x[:batch * 2], y[:batch * 2]))
    assert model.layers[0].states[0].shape == (batch, 32)
    with pytest.raises(ValueError, match="stateful.*batch_size=8"):
        model.fit(x[:20], y[:20], batch_size=batch, verbose=0)


def test_custom_metric_function_is_named_after_itself():
    def mean_pred(y_true, y_pred):
        return keras.ops.mean(y_pred)

    model = keras.Sequential([keras.Input((4,)),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.RMSprop(),
                  loss=keras.losses.binary_crossentropy,
                  metrics=["accuracy", mean_pred])
    x = RNG.random((10, 4)).astype("float32")
    y = RNG.integers(0, 2, (10, 1)).astype("float32")
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == ["accuracy", "loss", "mean_pred"]
    assert logs["mean_pred"] == pytest.approx(
        float(model.predict(x, verbose=0).mean()), rel=1e-5)


# ---- learning on real data -------------------------------------------------------

def test_cnn_reaches_95_percent_on_the_bundled_digits():
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load_scaled_digits(keras)
    model = build_model(keras)
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=15, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.95


# ---- reproducibility -------------------------------------------------------------

def _seeded_run(threads):
    previous = keras.get_num_threads()
    keras.set_num_threads(threads)
    try:
        keras.utils.set_random_seed(42)
        # a thin convolution, then a Winograd one, each fused with its
        # pooling and trained on routed gradients
        model = keras.Sequential([
            keras.Input((14, 14, 2)), layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(24, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2), layers.Flatten(), layers.Dropout(0.3),
            layers.Dense(32, activation="relu"),
            layers.Dense(5, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        rng = np.random.default_rng(1)
        x = rng.random((300, 14, 14, 2)).astype("float32")
        y = rng.integers(0, 5, 300)
        history = model.fit(x, y, batch_size=64, epochs=2, verbose=0)
        return history.history["loss"], model.get_weights()
    finally:
        keras.set_num_threads(previous)


def test_same_seed_gives_bitwise_identical_training_at_any_thread_count():
    loss_1, weights_1 = _seeded_run(1)
    loss_2, weights_2 = _seeded_run(2)
    loss_again, weights_again = _seeded_run(2)
    assert loss_1 == loss_2 == loss_again
    for a, b, c in zip(weights_1, weights_2, weights_again):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(b, c)


# ---- freezing --------------------------------------------------------------------

def _xy(n=32, d=6, classes=3):
    rng = np.random.default_rng(5)
    return (rng.random((n, d)).astype("float32"),
            rng.integers(0, classes, n))


def test_frozen_layer_receives_no_update_and_recompile_unfreezes():
    x, y = _xy()
    model = keras.Sequential([keras.Input((6,)), layers.Dense(8),
                              layers.Dense(3, activation="softmax")])
    model.layers[0].trainable = False
    model.compile("sgd", "sparse_categorical_crossentropy")
    frozen = model.layers[0].get_weights()
    head = model.layers[1].get_weights()
    model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(model.layers[0].get_weights(), frozen):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(model.layers[1].get_weights()[0], head[0])
    model.layers[0].trainable = True
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(model.layers[0].get_weights()[0], frozen[0])


def test_frozen_nested_base_model_as_in_transfer_learning():
    x, y = _xy()
    base = keras.Sequential([keras.Input((6,)), layers.Dense(8,
                                                             activation="relu"),
                             layers.BatchNormalization()])
    base.trainable = False
    model = keras.Sequential([base, layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    before = base.get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(base.get_weights(), before):  # BN statistics too
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 2


# ---- losses, weights, regularization -------------------------------------------

def test_reported_loss_includes_weight_and_activity_regularization():
    x, y = _xy()
    model = keras.Sequential([
        keras.Input((6,)),
        layers.Dense(4, kernel_regularizer=keras.regularizers.L2(0.1),
                     activity_regularizer=keras.regularizers.L1(0.01)),
        layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    logs = model.evaluate(x, y, batch_size=32, verbose=0)
    hidden = x @ model.layers[0].kernel.numpy() + model.layers[0].bias.numpy()
    probs = model.predict(x, verbose=0)
    data_loss = -np.mean(np.log(probs[np.arange(32), y]))
    want = data_loss + 0.1 * np.sum(model.layers[0].kernel.numpy() ** 2) + \
        0.01 * np.abs(hidden).sum() / 32
    assert logs == pytest.approx(want, rel=1e-5)


def test_sample_and_class_weights_scale_the_loss():
    x, y = _xy()
    model = keras.Sequential([keras.Input((6,)),
                              layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(probs[np.arange(32), y])
    weights = np.where(y == 1, 3.0, 1.0)
    got = model.test_on_batch(x, y, sample_weight=weights)
    assert got == pytest.approx(np.mean(per_sample * weights), rel=1e-5)
    before = model.get_weights()
    model.train_on_batch(x, y, class_weight={1: 3.0})
    after_class = model.get_weights()
    model.set_weights(before)
    model.train_on_batch(x, y, sample_weight=weights)
    for a, b in zip(after_class, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_multi_output_functional_model_with_loss_weights():
    inputs = keras.Input((6,))
    hidden = layers.Dense(8, activation="relu", name="hidden")(inputs)
    a = layers.Dense(3, activation="softmax", name="a")(hidden)
    b = layers.Dense(1, name="b")(hidden)
    model = keras.Model(inputs, [a, b])
    model.compile("adam", ["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]])
    x, y = _xy()
    target = x.sum(1, keepdims=True)
    history = model.fit(x, [y, target], epochs=3, verbose=0)
    # Keras logs each output's (unweighted) loss when there are several.
    assert sorted(history.history) == ["a_accuracy", "a_loss", "b_loss",
                                       "b_mae", "loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    pa, pb = model.predict(x, verbose=0)
    want = -np.mean(np.log(pa[np.arange(32), y])) + \
        0.5 * np.mean((pb - target) ** 2)
    results = model.evaluate(x, [y, target], verbose=0)
    assert results[0] == pytest.approx(want, rel=1e-5)
    # Keras's order: loss, each output's loss, then the metrics.
    assert results[1] == pytest.approx(
        -np.mean(np.log(pa[np.arange(32), y])), rel=1e-5)
    assert results[2] == pytest.approx(np.mean((pb - target) ** 2), rel=1e-5)
    assert len(results) == 5


def test_custom_loss_function_trains_through_the_tape():
    def scaled_mse(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred) * 2.0,
                              axis=-1)

    x, _ = _xy()
    target = x[:, :2] * 3.0
    model = keras.Sequential([keras.Input((6,)), layers.Dense(2)])
    model.compile(keras.optimizers.SGD(0.1), scaled_mse)
    history = model.fit(x, target, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]


# ---- callbacks ---------------------------------------------------------------------

def _small_model(optimizer="sgd"):
    model = keras.Sequential([keras.Input((6,)),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer, "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_early_stopping_restores_best_weights():
    x, y = _xy()
    model = _small_model(keras.optimizers.SGD(5.0))   # diverges
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(
            (logs["loss"], model.get_weights())))
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1,
                                         restore_best_weights=True)
    history = model.fit(x, y, epochs=30, verbose=0, callbacks=[record, stop])
    assert len(history.history["loss"]) < 30
    best_loss, best_weights = min(seen, key=lambda item: item[0])
    for a, b in zip(model.get_weights(), best_weights):
        np.testing.assert_array_equal(a, b)


def test_learning_rate_scheduler_and_reduce_on_plateau():
    x, y = _xy()
    model = _small_model()
    sched = keras.callbacks.LearningRateScheduler(lambda e, lr: 0.1 / (e + 1))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched])
    assert history.history["learning_rate"] == pytest.approx(
        [0.1, 0.05, 0.1 / 3])
    model = _small_model(keras.optimizers.SGD(0.0))  # never improves
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5,
                                                patience=1, min_delta=1.0)
    model.optimizer.learning_rate = 0.4
    model.fit(x, y, epochs=3, verbose=0, callbacks=[plateau])
    assert model.optimizer.learning_rate == pytest.approx(0.1)


def test_csv_logger_and_terminate_on_nan(tmp_path):
    x, y = _xy()
    path = tmp_path / "log.csv"
    model = _small_model()
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[keras.callbacks.CSVLogger(str(path))])
    rows = path.read_text().splitlines()
    assert rows[0] == "epoch,accuracy,loss" and len(rows) == 3
    model = keras.Sequential([keras.Input((6,)), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1e20), "mse")   # overflows to inf
    out = io.StringIO()
    with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
        history = model.fit(x * 1e10, y, epochs=5, batch_size=8, verbose=0,
                            callbacks=[keras.callbacks.TerminateOnNaN()])
    assert "Invalid loss, terminating training" in out.getvalue()
    assert len(history.history["loss"]) == 1


def test_callback_hooks_are_called_in_order():
    events = []

    class Recorder(keras.callbacks.Callback):
        def on_train_begin(self, logs=None): events.append("train_begin")
        def on_epoch_begin(self, epoch, logs=None): events.append(f"e{epoch}")
        def on_train_batch_end(self, batch, logs=None): events.append(
            f"b{batch}")
        def on_epoch_end(self, epoch, logs=None): events.append(
            f"/e{epoch}")
        def on_train_end(self, logs=None): events.append("train_end")

    x, y = _xy(n=20)
    _small_model().fit(x, y, epochs=2, batch_size=10, verbose=0,
                       callbacks=[Recorder()])
    assert events == ["train_begin", "e0", "b0", "b1", "/e0", "e1", "b0",
                      "b1", "/e1", "train_end"]


def test_stop_training_from_a_callback():
    x, y = _xy()
    model = _small_model()

    class Stop(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[Stop()])
    assert len(history.history["loss"]) == 1


# ---- progress output -----------------------------------------------------------

def test_progress_output_formats():
    x, y = _xy()
    model = _small_model()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=2, batch_size=8, verbose=1)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 1/2"
    assert lines[1].startswith("4/4 " + "━" * 20 + " ")
    assert "/step - accuracy: " in lines[1] and " - loss: " in lines[1]
    assert lines[2] == "Epoch 2/2"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=1, batch_size=8, verbose=2)
    line = out.getvalue().splitlines()[1]
    assert line.startswith("4/4 - ") and "/step - accuracy: " in line
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=1, verbose=0)
        model.evaluate(x, y, verbose=0)
        model.predict(x, verbose=0)
    assert out.getvalue() == ""


# ---- partial batches and one-batch methods --------------------------------------

def test_last_partial_batch_and_steps_per_epoch():
    x, y = _xy(n=37)
    model = _small_model()
    seen = []
    count = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(batch))
    model.fit(x, y, batch_size=10, epochs=1, verbose=0, callbacks=[count])
    assert seen == [0, 1, 2, 3]
    seen.clear()
    model.fit(x, y, batch_size=10, epochs=1, steps_per_epoch=6, verbose=0,
              callbacks=[count])
    assert seen == list(range(6))
    assert model.predict(x, batch_size=10, verbose=0).shape == (37, 3)


def test_one_batch_methods():
    x, y = _xy()
    model = _small_model()
    loss, accuracy = model.train_on_batch(x, y)
    assert model.optimizer.iterations == 1
    logs = model.test_on_batch(x, y, return_dict=True)
    assert sorted(logs) == ["accuracy", "loss"]
    np.testing.assert_array_equal(model.predict_on_batch(x),
                                  model.predict(x, verbose=0))


# ---- bad input -------------------------------------------------------------------

def test_mismatched_lengths_raise_keras_error():
    model = _small_model()
    x, y = _xy()
    with pytest.raises(ValueError, match="Data cardinality is ambiguous.*"
                                         "'x' sizes: 32.*'y' sizes: 30"):
        model.fit(x, y[:30], verbose=0)


def test_wrong_label_shape_for_the_loss():
    model = keras.Sequential([keras.Input((6,)),
                              layers.Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    x, y = _xy()
    with pytest.raises(ValueError):
        model.fit(x, y, verbose=0)   # class indices where one-hot is needed


def test_nan_in_data_is_a_clear_error():
    model = _small_model()
    x, y = _xy()
    x[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"`x` contains NaN.*\(3, 2\)"):
        model.fit(x, y, verbose=0)


@pytest.mark.parametrize("kwargs,match", [
    ({"optimizer": "adamx", "loss": "mse"}, "optimizer identifier"),
    ({"optimizer": "adam", "loss": "msee"}, "loss identifier"),
])
def test_unknown_names(kwargs, match):
    model = _small_model()
    with pytest.raises(ValueError, match=match):
        model.compile(**kwargs)


def test_unknown_metric_name():
    model = keras.Sequential([keras.Input((6,)), layers.Dense(3)])
    model.compile("adam", "mse", metrics=["acuracy"])
    x, _ = _xy()
    with pytest.raises(ValueError, match="acuracy"):
        model.fit(x, np.zeros((32, 3), np.float32), verbose=0)


def test_fit_before_compile_and_predict_on_an_empty_model():
    x, y = _xy()
    model = keras.Sequential([layers.Dense(3)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(x, y)
    with pytest.raises(ValueError, match="no layers"):
        keras.Sequential().predict(x)
    assert model.predict(x, verbose=0).shape == (32, 3)  # builds, as Keras


# ---- memory ------------------------------------------------------------------------

@pytest.mark.parametrize("build,x,y,loss", [
    (lambda: keras.Sequential([
        keras.Input((784,)), layers.Dense(256, activation="relu"),
        layers.Dropout(0.2), layers.Dense(10, activation="softmax")]),
     np.ones((128, 784), np.float32), np.zeros(128, np.int64),
     "sparse_categorical_crossentropy"),
    (lambda: keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Flatten(),
        layers.Dense(10, activation="softmax")]),
     np.ones((64, 28, 28, 1), np.float32), np.zeros(64, np.int64),
     "sparse_categorical_crossentropy"),
    (lambda: keras.Sequential([
        keras.Input((80,), dtype="int32"), layers.Embedding(1000, 64),
        layers.LSTM(64), layers.Dense(1, activation="sigmoid")]),
     np.ones((64, 80), np.int32), np.zeros((64, 1), np.float32),
     "binary_crossentropy"),
])
def test_steady_state_training_step_allocates_nothing_large(build, x, y,
                                                            loss):
    import tracemalloc
    model = build()
    model.compile("adam", loss)
    from seqcore.engine import buffers
    with buffers.reused():          # as fit runs each step
        for _ in range(2):
            model._train_batch([x], [y], None)
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            model._train_batch([x], [y], None)
            current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # The layers' activations here are megabytes; a step may allocate only
    # small bookkeeping arrays (losses, bias gradients, batch statistics).
    assert peak - base < 256 * 1024
    assert current - base < 64 * 1024
