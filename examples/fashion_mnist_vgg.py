"""The guides' VGG-like convnet, on Fashion-MNIST (28x28x1 images): two
Conv2D(32) + MaxPool + Dropout, two Conv2D(64) + MaxPool + Dropout, then
Dense(256) + Dropout + Dense(10, softmax), SGD with the guides' legacy
arguments.

    python examples/fashion_mnist_vgg.py [--epochs 3] [--samples 60000]
"""
import argparse
import warnings

import numpy as np

import seqcore as keras
from seqcore import layers


def build_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)), layers.Dropout(0.25),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)), layers.Dropout(0.25),
        layers.Flatten(), layers.Dense(256, activation="relu"),
        layers.Dropout(0.5), layers.Dense(10, activation="softmax")])


def main(epochs, samples):
    (x_train, y_train), (x_test, y_test) = \
        keras.datasets.fashion_mnist.load_data()
    x_train = x_train[:samples, ..., None].astype(np.float32) / 255.0
    x_test = x_test[..., None].astype(np.float32) / 255.0
    y_train = keras.utils.to_categorical(y_train[:samples], 10)
    y_test = keras.utils.to_categorical(y_test, 10)
    model = build_model()
    model.summary()
    with warnings.catch_warnings():      # the guides' Keras 2 arguments
        warnings.simplefilter("ignore", DeprecationWarning)
        sgd = keras.optimizers.SGD(lr=0.01, decay=1e-6, momentum=0.9,
                                   nesterov=True)
    model.compile(loss="categorical_crossentropy", optimizer=sgd,
                  metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=epochs)
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=32, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=60000)
    args = parser.parse_args()
    main(args.epochs, args.samples)
