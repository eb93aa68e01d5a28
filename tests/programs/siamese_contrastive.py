"""After keras.io "Image similarity estimation using a Siamese Network with
a contrastive loss": pairs of images, one shared embedding network, a
Lambda layer computing the euclidean distance with keras.ops, and a
contrastive loss written as a closure."""
import numpy as np
import keras
from keras import layers, ops

rng = np.random.default_rng(0)
x = rng.random((64, 14, 14)).astype("float32")
labels = rng.integers(0, 4, size=64)


def make_pairs(x, y):
    num_classes = max(y) + 1
    digit_indices = [np.where(y == i)[0] for i in range(num_classes)]
    pairs = []
    labels = []
    for idx1 in range(len(x)):
        x1 = x[idx1]
        label1 = y[idx1]
        idx2 = rng.choice(digit_indices[label1])
        pairs += [[x1, x[idx2]]]
        labels += [0]
        label2 = (label1 + rng.integers(1, num_classes)) % num_classes
        idx2 = rng.choice(digit_indices[label2])
        pairs += [[x1, x[idx2]]]
        labels += [1]
    return np.array(pairs), np.array(labels).astype("float32")


pairs_train, labels_train = make_pairs(x, labels)
x_train_1 = pairs_train[:, 0]
x_train_2 = pairs_train[:, 1]


def euclidean_distance(vects):
    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))


input = keras.layers.Input((14, 14, 1))
x = keras.layers.BatchNormalization()(input)
x = keras.layers.Conv2D(4, (5, 5), activation="tanh")(x)
x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
x = keras.layers.Conv2D(8, (3, 3), activation="tanh")(x)
x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
x = keras.layers.Flatten()(x)
x = keras.layers.BatchNormalization()(x)
x = keras.layers.Dense(10, activation="tanh")(x)
embedding_network = keras.Model(input, x)

input_1 = keras.layers.Input((14, 14, 1))
input_2 = keras.layers.Input((14, 14, 1))
tower_1 = embedding_network(input_1)
tower_2 = embedding_network(input_2)
merge_layer = keras.layers.Lambda(euclidean_distance, output_shape=(1,))(
    [tower_1, tower_2])
normal_layer = keras.layers.BatchNormalization()(merge_layer)
output_layer = keras.layers.Dense(1, activation="sigmoid")(normal_layer)
siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)


def loss(margin=1):
    def contrastive_loss(y_true, y_pred):
        square_pred = ops.square(y_pred)
        margin_square = ops.square(ops.maximum(margin - (y_pred), 0))
        return ops.mean((1 - y_true) * square_pred + (y_true) * margin_square)

    return contrastive_loss


siamese.compile(loss=loss(margin=1), optimizer="RMSprop",
                metrics=["accuracy"])
siamese.summary()
history = siamese.fit([x_train_1, x_train_2], labels_train,
                      validation_split=0.25, batch_size=16, epochs=2,
                      verbose=0)
results = siamese.evaluate([x_train_1, x_train_2], labels_train, verbose=0)
assert len(results) == 2
model = siamese
