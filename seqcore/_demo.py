"""`python -m seqcore demo`: train a small convnet on the handwritten digits
that ship with seqcore, with the Keras API, and report its test accuracy."""
import time

import numpy as np

from seqcore._runtime import build_info


def build_model(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(10, activation="softmax"),
    ], name="digits_cnn")


def load_scaled_digits(keras):
    """Digits as float32 (n, 8, 8, 1) in [0, 1], labels 0-9."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.load_digits()
    scale = np.float32(1.0 / 16.0)
    return ((x_train[..., None] * scale, y_train),
            (x_test[..., None] * scale, y_test))


def run_demo(epochs=15, seed=0):
    import seqcore as keras
    from seqcore.datasets.digits import ATTRIBUTION
    info = build_info()
    print(f"seqcore {info['version']}: kernels {info['isa']} (available: "
          f"{', '.join(info['isa_available'])}), OpenMP "
          f"{'on' if info['openmp'] else 'off'}, {info['num_threads']} "
          f"threads")
    print(f"data: {ATTRIBUTION}")
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load_scaled_digits(keras)
    print(f"{len(x_train)} training and {len(x_test)} test images of 8x8 "
          f"pixels\n")
    model = build_model(keras)
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=32, epochs=epochs,
              validation_split=0.1)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"\ntrained {epochs} epochs in {seconds:.1f} s "
          f"({epochs * len(x_train) * 0.9 / seconds:,.0f} samples/s)")
    print(f"test accuracy: {accuracy:.2%} (test loss {loss:.4f})")
    predicted = model.predict(x_test[:10], verbose=0).argmax(axis=1)
    print(f"first test digits: {y_test[:10].tolist()}, "
          f"predicted: {predicted.tolist()}")
    return 0
