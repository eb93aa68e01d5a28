"""The guides' multilayer perceptron for multi-class softmax classification,
on Fashion-MNIST (flattened 784-pixel images): Dense(64, relu)-Dropout-
Dense(64, relu)-Dropout-Dense(10, softmax), SGD with the guides' legacy
arguments.

    python examples/fashion_mnist_mlp.py [--epochs 20]
"""
import argparse
import warnings

import numpy as np

import seqcore as keras
from seqcore import layers


def main(epochs):
    (x_train, y_train), (x_test, y_test) = \
        keras.datasets.fashion_mnist.load_data()
    x_train = x_train.reshape(-1, 784).astype(np.float32) / 255.0
    x_test = x_test.reshape(-1, 784).astype(np.float32) / 255.0
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(64, activation="relu"), layers.Dropout(0.5),
        layers.Dense(64, activation="relu"), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax")])
    model.summary()
    with warnings.catch_warnings():      # the guides' Keras 2 arguments
        warnings.simplefilter("ignore", DeprecationWarning)
        sgd = keras.optimizers.SGD(lr=0.01, decay=1e-6, momentum=0.9,
                                   nesterov=True)
    model.compile(loss="categorical_crossentropy", optimizer=sgd,
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=128)
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    main(parser.parse_args().epochs)
