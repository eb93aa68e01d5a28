"""After keras.io "Collaborative Filtering for Movie Recommendations": a
subclassed RecommenderNet with Embedding layers (he_normal, l2
regularizer), column slices of its integer input, ops.tensordot and
ops.nn.sigmoid, validation_split, predict and argsort."""
import numpy as np
import keras
from keras import layers, ops

num_users, num_movies = 30, 40
EMBEDDING_SIZE = 8
x = np.stack([np.random.randint(0, num_users, 200), np.random.randint(0, num_movies, 200)], 1)
y = np.random.rand(200).astype("float32")

class RecommenderNet(keras.Model):
    def __init__(self, num_users, num_movies, embedding_size, **kwargs):
        super().__init__(**kwargs)
        self.num_users = num_users
        self.num_movies = num_movies
        self.embedding_size = embedding_size
        self.user_embedding = layers.Embedding(num_users, embedding_size, embeddings_initializer="he_normal",
                                               embeddings_regularizer=keras.regularizers.l2(1e-6))
        self.user_bias = layers.Embedding(num_users, 1)
        self.movie_embedding = layers.Embedding(num_movies, embedding_size, embeddings_initializer="he_normal",
                                                embeddings_regularizer=keras.regularizers.l2(1e-6))
        self.movie_bias = layers.Embedding(num_movies, 1)

    def call(self, inputs):
        user_vector = self.user_embedding(inputs[:, 0])
        user_bias = self.user_bias(inputs[:, 0])
        movie_vector = self.movie_embedding(inputs[:, 1])
        movie_bias = self.movie_bias(inputs[:, 1])
        dot_user_movie = ops.tensordot(user_vector, movie_vector, 2)
        x = dot_user_movie + user_bias + movie_bias
        return ops.nn.sigmoid(x)

model = RecommenderNet(num_users, num_movies, EMBEDDING_SIZE)
model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(learning_rate=0.001))
history = model.fit(x=x, y=y, batch_size=64, epochs=2, verbose=0, validation_split=0.1)
ratings = model.predict(x[:5], verbose=0).flatten()
top_ratings_indices = ratings.argsort()[-10:][::-1]
print(ratings, top_ratings_indices, history.history.keys())
