"""After keras.io "Timeseries classification with a Transformer model":
pre-norm encoder blocks of LayerNormalization, MultiHeadAttention and a
Conv1D feed-forward, GlobalAveragePooling1D over channels_first, and an
MLP head with dropout."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
x_train = rng.normal(size=(64, 50, 1)).astype("float32")
y_train = (x_train[:, :25, 0].mean(axis=1) > 0).astype("int64")
n_classes = len(np.unique(y_train))


def transformer_encoder(inputs, head_size, num_heads, ff_dim, dropout=0):
    x = layers.LayerNormalization(epsilon=1e-6)(inputs)
    x = layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads,
                                  dropout=dropout)(x, x)
    x = layers.Dropout(dropout)(x)
    res = x + inputs

    x = layers.LayerNormalization(epsilon=1e-6)(res)
    x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
    return x + res


def build_model(input_shape, head_size, num_heads, ff_dim,
                num_transformer_blocks, mlp_units, dropout=0,
                mlp_dropout=0):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for _ in range(num_transformer_blocks):
        x = transformer_encoder(x, head_size, num_heads, ff_dim, dropout)

    x = layers.GlobalAveragePooling1D(data_format="channels_first")(x)
    for dim in mlp_units:
        x = layers.Dense(dim, activation="relu")(x)
        x = layers.Dropout(mlp_dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


model = build_model(x_train.shape[1:], head_size=16, num_heads=2, ff_dim=4,
                    num_transformer_blocks=2, mlp_units=[16],
                    mlp_dropout=0.4, dropout=0.25)
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=keras.optimizers.Adam(learning_rate=1e-4),
              metrics=["sparse_categorical_accuracy"])
model.summary()
callbacks = [keras.callbacks.EarlyStopping(patience=10,
                                           restore_best_weights=True)]
history = model.fit(x_train, y_train, validation_split=0.2, epochs=2,
                    batch_size=16, callbacks=callbacks, verbose=0)
model.evaluate(x_train, y_train, verbose=0)
