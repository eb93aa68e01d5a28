"""The guides' small convnet on Fashion-MNIST: Conv2D(32,3)-MaxPool(2)-
Conv2D(64,3)-MaxPool(2)-Flatten-Dropout(0.5)-Dense(10, softmax), Adam,
batch 128, 3 epochs on the full training set.

    python examples/fashion_mnist_cnn.py [--epochs 3]

Needs the Fashion-MNIST files (see seqcore.datasets.fashion_mnist; on
Debian: apt install dataset-fashion-mnist)."""
import argparse
import time

import numpy as np

import seqcore as keras
from seqcore import layers


def build_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def load():
    (x_train, y_train), (x_test, y_test) = \
        keras.datasets.fashion_mnist.load_data()
    scale = np.float32(1.0 / 255.0)
    return ((x_train[..., None] * scale, y_train),
            (x_test[..., None] * scale, y_test))


def train(epochs=3, verbose="auto", seed=0):
    """(test accuracy, seconds spent in fit)."""
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load()
    model = build_model()
    if verbose:
        model.summary()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=128, epochs=epochs,
              verbose=verbose)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return accuracy, seconds


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    accuracy, seconds = train(args.epochs)
    print(f"test accuracy {accuracy:.4f}, fit {seconds:.1f} s")
