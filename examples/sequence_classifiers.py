"""The guides' sequence classifiers on dummy data: Embedding + LSTM, and a
stack of Conv1D layers with global average pooling.

    python examples/sequence_classifiers.py [--epochs 3]
"""
import argparse

import numpy as np

import seqcore as keras
from seqcore import layers


def lstm_classifier(x, y, epochs, max_features=1000):
    model = keras.Sequential([
        keras.Input(shape=(x.shape[1],), dtype="int32"),
        layers.Embedding(max_features, output_dim=256), layers.LSTM(128),
        layers.Dropout(0.5), layers.Dense(1, activation="sigmoid")])
    model.summary()
    model.compile(loss="binary_crossentropy", optimizer="rmsprop",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=16, epochs=epochs)
    return model.evaluate(x, y, batch_size=16, verbose=0)


def conv1d_classifier(x, y, epochs):
    model = keras.Sequential([
        keras.Input(shape=x.shape[1:]),
        layers.Conv1D(64, 3, activation="relu"),
        layers.Conv1D(64, 3, activation="relu"), layers.MaxPooling1D(3),
        layers.Conv1D(128, 3, activation="relu"),
        layers.Conv1D(128, 3, activation="relu"),
        layers.GlobalAveragePooling1D(), layers.Dropout(0.5),
        layers.Dense(1, activation="sigmoid")])
    model.summary()
    model.compile(loss="binary_crossentropy", optimizer="rmsprop",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=16, epochs=epochs)
    return model.evaluate(x, y, batch_size=16, verbose=0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    epochs = parser.parse_args().epochs
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 1000, (320, 40))
    labels = (tokens[:, :20].mean(1) > tokens[:, 20:].mean(1)).astype(
        np.float32)[:, None]
    loss, accuracy = lstm_classifier(tokens, labels, epochs)
    print(f"LSTM: loss {loss:.4f}, accuracy {accuracy:.4f}")
    signals = rng.standard_normal((320, 64, 100)).astype(np.float32)
    loss, accuracy = conv1d_classifier(signals, labels, epochs)
    print(f"Conv1D: loss {loss:.4f}, accuracy {accuracy:.4f}")
