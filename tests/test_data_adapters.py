"""What fit / evaluate / predict accept (seqcore/engine/data_adapters.py):
arrays, PyDataset (workers, shuffling, on_epoch_end, steps), generators,
ArrayDatasets of keras.utils' dataset functions, dict inputs, batches with
sample weights, validation_data of each kind, and Keras's errors. The
same batches give the same weights whatever carries them."""
import threading
import warnings

import numpy as np
import pytest

import seqcore as keras

N, BATCH = 22, 5


def _data(n=N, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = rng.normal(size=(n, 2)).astype(np.float32)
    w = rng.uniform(0.5, 2.0, size=n).astype(np.float32)
    return x, y, w


def _model(seed=0, optimizer="adam", metrics=("mae",)):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(2)])
    model.compile(optimizer, "mse", metrics=list(metrics))
    return model


def _same_weights(a, b):
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)


class Batches(keras.utils.PyDataset):
    """Batches of arrays by index; records what was served."""

    def __init__(self, x, y=None, w=None, batch=BATCH, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.w, self.batch = x, y, w, batch
        self.served, self.threads = [], set()
        self.epoch_ends = self.epoch_begins = 0

    def __len__(self):
        return -(-len(self.x) // self.batch)

    def __getitem__(self, index):
        self.served.append(index)
        self.threads.add(threading.get_ident())
        part = slice(index * self.batch, (index + 1) * self.batch)
        if self.y is None:
            return self.x[part]
        if self.w is None:
            return self.x[part], self.y[part]
        return self.x[part], self.y[part], self.w[part]

    def on_epoch_begin(self):
        self.epoch_begins += 1

    def on_epoch_end(self):
        self.epoch_ends += 1


def _array_reference(epochs=2, **kwargs):
    x, y, w = _data()
    model = _model()
    history = model.fit(x, y, batch_size=BATCH, epochs=epochs,
                        shuffle=False, verbose=0, **kwargs)
    return model, history


# ---- the same batches give the same weights -------------------------------------

@pytest.mark.parametrize("workers,multi", [(1, False), (3, False),
                                           (2, True)])
def test_py_dataset_training_equals_array_training(workers, multi):
    x, y, _ = _data()
    reference, ref_history = _array_reference()
    ds = Batches(x, y, workers=workers, use_multiprocessing=multi,
                 max_queue_size=2)
    model = _model()
    history = model.fit(ds, epochs=2, shuffle=False, verbose=0)
    _same_weights(model, reference)
    assert history.history == ref_history.history
    assert ds.served == list(range(5)) * 2
    assert ds.epoch_begins == 2 and ds.epoch_ends == 2
    # workers > 1: batches are prepared in a pool of threads
    assert (threading.get_ident() in ds.threads) == (workers == 1)


def test_generator_training_equals_array_training():
    x, y, _ = _data()
    reference, ref_history = _array_reference()

    def forever():
        while True:
            for i in range(0, N, BATCH):
                yield x[i:i + BATCH], y[i:i + BATCH]
    model = _model()
    history = model.fit(forever(), steps_per_epoch=5, epochs=2, verbose=0)
    _same_weights(model, reference)
    assert history.history == ref_history.history


def test_iterator_and_sample_weights_in_batches():
    x, y, w = _data()
    reference, _ = _array_reference(sample_weight=w)
    batches = [(x[i:i + BATCH], y[i:i + BATCH], w[i:i + BATCH])
               for i in range(0, N, BATCH)]
    model = _model()
    model.fit(iter(batches * 2), steps_per_epoch=5, epochs=2, verbose=0)
    _same_weights(model, reference)
    model = _model()
    model.fit(Batches(x, y, w), epochs=2, shuffle=False, verbose=0)
    _same_weights(model, reference)


def test_class_weight_applies_to_dataset_batches():
    x, _, _ = _data()
    labels = (x[:, 0] > 0).astype(np.int64)

    def classifier():
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(
            2, activation="softmax")])
        model.compile("sgd", "sparse_categorical_crossentropy")
        return model
    weights = {0: 0.3, 1: 2.0}
    reference = classifier()
    reference.fit(x, labels, batch_size=BATCH, shuffle=False, verbose=0,
                  class_weight=weights)
    model = classifier()
    model.fit(Batches(x, labels), shuffle=False, verbose=0,
              class_weight=weights)
    _same_weights(model, reference)
    with pytest.raises(ValueError, match="class_weight` and `sample_weight"):
        classifier().fit(Batches(x, labels, np.ones(N)), verbose=0,
                         class_weight=weights)


def test_dict_inputs_for_a_multi_input_model():
    x, y, _ = _data()

    def two_inputs():
        keras.utils.set_random_seed(2)
        a = keras.Input((2,), name="a")
        b = keras.Input((2,), name="b")
        out = keras.layers.Dense(2)(keras.layers.Concatenate()([a, b]))
        model = keras.Model({"a": a, "b": b}, out)
        model.compile("adam", "mse")
        return model
    inputs = {"a": x[:, :2], "b": x[:, 2:]}
    reference = two_inputs()
    reference.fit(inputs, y, batch_size=BATCH, epochs=2, shuffle=False,
                  verbose=0)

    class DictBatches(keras.utils.PyDataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            part = slice(i * BATCH, (i + 1) * BATCH)
            return {k: v[part] for k, v in inputs.items()}, y[part]
    model = two_inputs()
    model.fit(DictBatches(), epochs=2, shuffle=False, verbose=0)
    _same_weights(model, reference)
    np.testing.assert_array_equal(model.predict(DictBatches(), verbose=0),
                                  model.predict(inputs, verbose=0))
    dataset = keras.utils.dataset_utils.ArrayDataset(inputs, y,
                                                     batch_size=BATCH)
    model = two_inputs()
    model.fit(dataset, epochs=2, shuffle=False, verbose=0)
    _same_weights(model, reference)


# ---- PyDataset behaviour -------------------------------------------------------------

def test_py_dataset_shuffle_changes_batch_order_each_epoch():
    x, y, _ = _data()
    ds = Batches(x, y)
    keras.utils.set_random_seed(4)
    _model().fit(ds, epochs=3, shuffle=True, verbose=0)
    epochs = [ds.served[i * 5:(i + 1) * 5] for i in range(3)]
    assert all(sorted(e) == list(range(5)) for e in epochs)
    assert epochs[0] != list(range(5)) or epochs[1] != list(range(5))


def test_py_dataset_steps_per_epoch_continues_across_epochs():
    x, y, _ = _data()
    ds = Batches(x, y)
    seen = []
    cb = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(list(ds.served)))
    with pytest.warns(UserWarning, match="ran out of data"):
        _model().fit(ds, steps_per_epoch=2, epochs=4, shuffle=False,
                     verbose=0, callbacks=[cb])
    # Keras: the dataset is read on where the last epoch stopped, an
    # epoch ends early when the dataset runs out, then it starts again.
    assert seen == [[0, 1], [0, 1, 2, 3], [0, 1, 2, 3, 4],
                    [0, 1, 2, 3, 4, 0, 1]]


def test_endless_py_dataset_with_steps():
    x, y, _ = _data()

    class Endless(keras.utils.PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, index):
            i = index % 5
            return x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]
    reference, _ = _array_reference(epochs=3)
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # shuffle=False: no warning
        model.fit(Endless(), steps_per_epoch=5, epochs=3, shuffle=False,
                  verbose=0)
    _same_weights(model, reference)
    with pytest.warns(UserWarning, match="infinite PyDataset"):
        _model().fit(Endless(), steps_per_epoch=1, epochs=1, verbose=0)


# ---- the datasets of keras.utils --------------------------------------------------

def test_timeseries_dataset_trains_as_its_windows():
    series = np.sin(np.arange(60, dtype=np.float32) / 5)[:, None]
    ds = keras.utils.timeseries_dataset_from_array(
        series[:-4], series[4:, 0], sequence_length=4, batch_size=8)
    windows = np.concatenate([b[0] for b in ds])
    targets = np.concatenate([b[1] for b in ds])

    def rnn():
        keras.utils.set_random_seed(5)
        model = keras.Sequential([keras.Input((4, 1)),
                                  keras.layers.SimpleRNN(3),
                                  keras.layers.Dense(1)])
        model.compile("adam", "mse")
        return model
    reference = rnn()
    reference.fit(windows, targets, batch_size=8, epochs=2, shuffle=False,
                  verbose=0)
    model = rnn()
    history = model.fit(ds, epochs=2, shuffle=False, verbose=0,
                        validation_data=ds)
    _same_weights(model, reference)
    assert history.history["val_loss"][-1] == pytest.approx(
        reference.evaluate(windows, targets, verbose=0), rel=1e-6)


def test_split_dataset_halves_are_batched_by_fit():
    x, y, _ = _data()
    left, right = keras.utils.split_dataset((x, y), left_size=0.5)
    reference = _model()
    reference.fit(x[:11], y[:11], batch_size=4, epochs=1, shuffle=False,
                  verbose=0, validation_data=(x[11:], y[11:]))
    model = _model()
    history = model.fit(left, batch_size=4, epochs=1, shuffle=False,
                        verbose=0, validation_data=right)
    _same_weights(model, reference)
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[11:], y[11:], verbose=0)[0], rel=1e-6)


def test_text_dataset_from_directory_feeds_a_text_model(tmp_path):
    for label, words in (("neg", ["bad", "awful", "poor"]),
                         ("pos", ["good", "great", "fine"])):
        (tmp_path / label).mkdir()
        for i, word in enumerate(words):
            (tmp_path / label / f"{i}.txt").write_text(f"{word} {word} film")
    ds = keras.utils.text_dataset_from_directory(
        tmp_path, batch_size=4, shuffle=False, verbose=False)
    vectorize = keras.layers.TextVectorization(output_mode="count")
    vectorize.adapt(np.concatenate([b[0] for b in ds]))
    model = keras.Sequential([keras.Input((), dtype="string"), vectorize,
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(ds, verbose=0).shape == (6, 1)


def test_image_dataset_from_directory_feeds_a_cnn(tmp_path):
    image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    for label in ("a", "b"):
        (tmp_path / label).mkdir()
        for i in range(3):
            pixels = rng.integers(0, 255, (6, 6, 3), dtype=np.uint8)
            image.fromarray(pixels).save(tmp_path / label / f"{i}.png")
    ds = keras.utils.image_dataset_from_directory(
        tmp_path, image_size=(6, 6), batch_size=4, shuffle=False,
        verbose=False)
    model = keras.Sequential([keras.Input((6, 6, 3)),
                              keras.layers.Conv2D(2, 3),
                              keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    logs = model.evaluate(ds, verbose=0, return_dict=True)
    images = np.concatenate([b[0] for b in ds])
    labels = np.concatenate([b[1] for b in ds])
    assert logs == model.evaluate(images, labels, batch_size=4, verbose=0,
                                  return_dict=True)
    model.fit(ds, epochs=1, verbose=0)


# ---- evaluate / predict / validation_data ------------------------------------------

def test_evaluate_and_predict_take_every_kind_of_input():
    x, y, w = _data()
    model = _model()
    expected = model.evaluate(x, y, batch_size=BATCH, sample_weight=w,
                              verbose=0, return_dict=True)
    assert model.evaluate(Batches(x, y, w), verbose=0,
                          return_dict=True) == expected
    batches = [(x[i:i + BATCH], y[i:i + BATCH], w[i:i + BATCH])
               for i in range(0, N, BATCH)]
    assert model.evaluate(iter(batches), steps=5, verbose=0,
                          return_dict=True) == expected
    outputs = model.predict(x, verbose=0)
    # targets in the batches are ignored by predict
    np.testing.assert_array_equal(model.predict(Batches(x, y), verbose=0),
                                  outputs)
    np.testing.assert_array_equal(model.predict(Batches(x), verbose=0),
                                  outputs)
    np.testing.assert_array_equal(
        model.predict((b[0] for b in batches), verbose=0), outputs)
    np.testing.assert_array_equal(
        model.predict(iter(batches), steps=2, verbose=0), outputs[:10])


@pytest.mark.parametrize("kind", ["tuple", "tuple_weighted", "list",
                                  "py_dataset", "generator"])
def test_validation_data_of_every_kind(kind):
    x, y, w = _data()
    vx, vy, vw = _data(n=12, seed=9)
    weighted = kind == "tuple_weighted"
    if kind == "tuple":
        val = (vx, vy)
    elif kind == "tuple_weighted":
        val = (vx, vy, vw)
    elif kind == "list":
        val = [vx, vy]
    elif kind == "py_dataset":
        val = Batches(vx, vy)
    else:
        val = ((vx[i:i + BATCH], vy[i:i + BATCH])
               for _ in range(2) for i in range(0, 12, BATCH))
    model = _model()
    history = model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0,
                        validation_data=val,
                        validation_steps=3 if kind == "generator" else None)
    expected = model.evaluate(vx, vy, batch_size=BATCH, verbose=0,
                              sample_weight=vw if weighted else None,
                              return_dict=True)
    assert history.history["val_loss"][-1] == pytest.approx(
        expected["loss"], rel=1e-6)
    assert history.history["val_mae"][-1] == pytest.approx(
        expected["mae"], rel=1e-6)


def test_unbuilt_model_is_built_from_the_first_batch():
    x, y, _ = _data()

    def gen():
        for i in range(0, N, BATCH):
            yield x[i:i + BATCH], y[i:i + BATCH]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(gen(), epochs=1, verbose=0)
    # the first batch, taken to build the model, is trained on too
    assert model.optimizer.iterations == 5 and len(history.epoch) == 1


# ---- errors as Keras's ---------------------------------------------------------------

def test_dataset_or_generator_with_y_or_sample_weight_is_an_error():
    x, y, w = _data()
    model = _model()
    with pytest.raises(ValueError, match="`y` argument is not supported "
                                         "when using PyDataset"):
        model.fit(Batches(x, y), y, verbose=0)
    with pytest.raises(ValueError, match="`sample_weights` argument is not "
                                         "supported"):
        model.fit(Batches(x, y), sample_weight=w, verbose=0)
    with pytest.raises(ValueError, match="`y` argument is not supported "
                                         "when using a Python generator"):
        model.fit(iter([(x, y)]), y, verbose=0)
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        model.evaluate(Batches(x, y), y, verbose=0)


def test_validation_split_needs_arrays():
    x, y, _ = _data()
    with pytest.raises(ValueError, match="`validation_split` is only "
                                         "supported for Tensors or NumPy"):
        _model().fit(Batches(x, y), validation_split=0.2, verbose=0)


def test_an_exhausted_generator_is_a_clear_error():
    x, y, _ = _data()

    def once():
        for i in range(0, N, BATCH):
            yield x[i:i + BATCH], y[i:i + BATCH]
    with pytest.warns(UserWarning, match="ran out of data"):
        with pytest.raises(ValueError, match="steps_per_epoch"):
            _model().fit(once(), epochs=2, verbose=0)
    with pytest.raises(ValueError, match="generator is empty"):
        keras.Sequential([keras.layers.Dense(1)]).predict(iter([]),
                                                          verbose=0)


def test_bad_batches_and_validation_data_are_clear_errors():
    x, y, _ = _data()
    model = _model()
    with pytest.raises(ValueError, match=r"\(inputs, targets\)"):
        model.fit(iter([(x, y, None, None)]), steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match="needs targets"):
        model.fit(Batches(x), verbose=0)
    with pytest.raises(ValueError, match="validation_data must be a tuple"):
        model.fit(x, y, validation_data=(x,), verbose=0)
    with pytest.raises(ValueError, match="validation_data must be a tuple"):
        model.fit(x, y, validation_data=x[0], verbose=0)

    class Empty(keras.utils.PyDataset):
        def __len__(self):
            return 0
    with pytest.raises(ValueError, match="length 0"):
        keras.Sequential([keras.layers.Dense(1)]).predict(Empty(),
                                                          verbose=0)
    with pytest.raises(ValueError, match="batch_size must be a positive"):
        model.fit(x, y, batch_size=0, verbose=0)


def test_batch_size_from_steps_when_not_given():
    x, y, _ = _data()
    seen = []
    cb = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(batch))
    _model().fit(x, y, steps_per_epoch=3, epochs=1, verbose=0,
                 callbacks=[cb])
    assert seen == [0, 1, 2]            # Keras: batch size ceil(22 / 3)
