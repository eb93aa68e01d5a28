"""After keras.io "Image classification with EANet (External Attention
Transformer)", shrunk: keras.ops applied to symbolic tensors between
layers (ops.reshape, ops.transpose in external_attention), a Lambda
normalising with ops.sum, Softmax(axis=2), patch extraction with
ops.image.extract_patches, AdamW and label smoothing."""
import numpy as np
import keras
from keras import layers, ops

class PatchExtract(layers.Layer):
    def __init__(self, patch_size, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size
    def call(self, x):
        B, C = ops.shape(x)[0], ops.shape(x)[-1]
        x = ops.image.extract_patches(x, self.patch_size)
        x = ops.reshape(x, (B, -1, self.patch_size * self.patch_size * C))
        return x

class PatchEmbedding(layers.Layer):
    def __init__(self, num_patch, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_patch = num_patch
        self.proj = layers.Dense(embed_dim)
        self.pos_embed = layers.Embedding(input_dim=num_patch, output_dim=embed_dim)
    def call(self, patch):
        pos = ops.arange(start=0, stop=self.num_patch, step=1)
        return self.proj(patch) + self.pos_embed(pos)

def external_attention(x, dim, num_heads, dim_coefficient=4, attention_dropout=0, projection_dropout=0):
    _, num_patch, channel = x.shape
    assert dim % num_heads == 0
    num_heads = num_heads * dim_coefficient
    x = layers.Dense(dim * dim_coefficient)(x)
    x = ops.reshape(x, (-1, num_patch, num_heads, dim * dim_coefficient // num_heads))
    x = ops.transpose(x, axes=[0, 2, 1, 3])
    attn = layers.Dense(dim // dim_coefficient)(x)
    attn = layers.Softmax(axis=2)(attn)
    attn = layers.Lambda(lambda attn: ops.divide(attn, ops.convert_to_tensor(1e-9) + ops.sum(attn, axis=-1, keepdims=True)))(attn)
    attn = layers.Dropout(attention_dropout)(attn)
    x = layers.Dense(dim * dim_coefficient // num_heads)(attn)
    x = ops.transpose(x, axes=[0, 2, 1, 3])
    x = ops.reshape(x, [-1, num_patch, dim * dim_coefficient])
    x = layers.Dense(dim)(x)
    x = layers.Dropout(projection_dropout)(x)
    return x

def mlp(x, embedding_dim, mlp_dim, drop_rate=0.2):
    x = layers.Dense(mlp_dim, activation=ops.gelu)(x)
    x = layers.Dropout(drop_rate)(x)
    x = layers.Dense(embedding_dim)(x)
    x = layers.Dropout(drop_rate)(x)
    return x

def transformer_encoder(x, embedding_dim, mlp_dim, num_heads, dim_coefficient, attention_dropout, projection_dropout, attention_type="external_attention"):
    residual_1 = x
    x = layers.LayerNormalization(epsilon=1e-5)(x)
    if attention_type == "external_attention":
        x = external_attention(x, embedding_dim, num_heads, dim_coefficient, attention_dropout, projection_dropout)
    elif attention_type == "self_attention":
        x = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embedding_dim, dropout=attention_dropout)(x, x)
    x = layers.add([x, residual_1])
    residual_2 = x
    x = layers.LayerNormalization(epsilon=1e-5)(x)
    x = mlp(x, embedding_dim, mlp_dim)
    x = layers.add([x, residual_2])
    return x

def get_model(attention_type="external_attention"):
    inputs = layers.Input(shape=(32, 32, 3))
    x = layers.RandomFlip("horizontal")(inputs)
    x = PatchExtract(4)(x)
    x = PatchEmbedding(64, 32)(x)
    for _ in range(2):
        x = transformer_encoder(x, 32, 64, 4, 4, 0.0, 0.0, attention_type)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)

x_train = np.random.rand(32, 32, 32, 3).astype("float32")
y_train = keras.utils.to_categorical(np.random.randint(0, 10, 32), 10)
model = get_model(attention_type="external_attention")
model.compile(loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
              optimizer=keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.0001),
              metrics=[keras.metrics.CategoricalAccuracy(name="accuracy"), keras.metrics.TopKCategoricalAccuracy(5, name="top-5-accuracy")])
history = model.fit(x_train, y_train, batch_size=8, epochs=2, validation_split=0.1, verbose=0)
print(history.history.keys(), model.evaluate(x_train, y_train, verbose=0))
