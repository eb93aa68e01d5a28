"""After keras.io "Point cloud classification with PointNet", shrunk: T-Net
blocks whose Dense layer has a Constant (identity) bias initializer and a
user OrthogonalRegularizer(keras.regularizers.Regularizer) as activity
regularizer (ops.eye, ops.tensordot), Conv1D(kernel_size=1),
BatchNormalization(momentum=0.0), GlobalMaxPooling1D and Dot(axes=(2, 1))."""
import numpy as np
import keras
from keras import layers

NUM_POINTS = 64
NUM_CLASSES = 4
train_points = np.random.rand(32, NUM_POINTS, 3).astype("float32")
train_labels = np.random.randint(0, NUM_CLASSES, 32)

def conv_bn(x, filters):
    x = layers.Conv1D(filters, kernel_size=1, padding="valid")(x)
    x = layers.BatchNormalization(momentum=0.0)(x)
    return layers.Activation("relu")(x)

def dense_bn(x, filters):
    x = layers.Dense(filters)(x)
    x = layers.BatchNormalization(momentum=0.0)(x)
    return layers.Activation("relu")(x)

class OrthogonalRegularizer(keras.regularizers.Regularizer):
    def __init__(self, num_features, l2reg=0.001):
        self.num_features = num_features
        self.l2reg = l2reg
        self.eye = keras.ops.eye(num_features)

    def __call__(self, x):
        x = keras.ops.reshape(x, (-1, self.num_features, self.num_features))
        xxt = keras.ops.tensordot(x, x, axes=(2, 2))
        xxt = keras.ops.reshape(xxt, (-1, self.num_features, self.num_features))
        return keras.ops.sum(self.l2reg * keras.ops.square(xxt - self.eye))

    def get_config(self):
        config = super().get_config()
        config.update({"num_features": self.num_features, "l2reg_strength": self.l2reg})
        return config

def tnet(inputs, num_features):
    bias = keras.initializers.Constant(np.eye(num_features).flatten())
    reg = OrthogonalRegularizer(num_features)
    x = conv_bn(inputs, 8)
    x = conv_bn(x, 16)
    x = layers.GlobalMaxPooling1D()(x)
    x = dense_bn(x, 16)
    x = layers.Dense(num_features * num_features, kernel_initializer="zeros",
                     bias_initializer=bias, activity_regularizer=reg)(x)
    feat_T = layers.Reshape((num_features, num_features))(x)
    return layers.Dot(axes=(2, 1))([inputs, feat_T])

inputs = keras.Input(shape=(NUM_POINTS, 3))
x = tnet(inputs, 3)
x = conv_bn(x, 8)
x = conv_bn(x, 8)
x = tnet(x, 8)
x = conv_bn(x, 8)
x = conv_bn(x, 16)
x = layers.GlobalMaxPooling1D()(x)
x = dense_bn(x, 16)
x = layers.Dropout(0.3)(x)
outputs = layers.Dense(NUM_CLASSES, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="pointnet")
model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.001),
              metrics=["sparse_categorical_accuracy"])
history = model.fit(train_points, train_labels, epochs=2, validation_split=0.25, verbose=0)
print(history.history)
preds = model.predict(train_points[:8], verbose=0)
print(keras.ops.argmax(preds, -1))
