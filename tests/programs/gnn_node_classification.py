"""After keras.io "Node Classification with Graph Neural Networks", written
with backend-agnostic keras.ops on a small synthetic citation graph: node
features and an edge list held by a subclassed Model, a GraphConvLayer
gathering neighbour messages with `ops.take` and aggregating them with
`ops.segment_sum` / `ops.segment_max` and a degree normalisation,
preprocessing and update FFNs built as Sequential models, and training on
node indices with sparse categorical cross-entropy from logits."""
import numpy as np
import keras
from keras import layers, ops

rng = np.random.default_rng(0)
num_nodes, num_features, num_classes = 60, 12, 3
labels = rng.integers(0, num_classes, size=num_nodes)
centers = rng.normal(size=(num_classes, num_features))
node_features = (centers[labels] + rng.normal(0, 1.5, (num_nodes,
                                                       num_features)))
node_features = node_features.astype("float32")
edges = [(a, a) for a in range(num_nodes)]      # self-loops: no empty
for a in range(num_nodes):                         # segment for the max
    for b in rng.choice(num_nodes, size=4, replace=False):
        if a != b and (labels[a] == labels[b] or rng.random() < 0.2):
            edges.append((a, b))
edges = np.array(edges, dtype="int32").T          # (2, num_edges)
edge_weights = np.ones(edges.shape[1], dtype="float32")


def create_ffn(hidden_units, dropout_rate, name=None):
    ffn_layers = []
    for units in hidden_units:
        ffn_layers.append(layers.BatchNormalization())
        ffn_layers.append(layers.Dropout(dropout_rate))
        ffn_layers.append(layers.Dense(units, activation="gelu"))
    return keras.Sequential(ffn_layers, name=name)


class GraphConvLayer(layers.Layer):
    def __init__(self, hidden_units, dropout_rate=0.2, aggregation="sum",
                 **kwargs):
        super().__init__(**kwargs)
        self.aggregation = aggregation
        self.ffn_prepare = create_ffn(hidden_units, dropout_rate)
        self.update_fn = create_ffn(hidden_units, dropout_rate)

    def aggregate(self, node_indices, neighbour_messages, node_repr):
        num_nodes = node_repr.shape[0]
        if self.aggregation == "sum":
            return ops.segment_sum(neighbour_messages, node_indices,
                                   num_segments=num_nodes)
        return ops.segment_max(neighbour_messages, node_indices,
                               num_segments=num_nodes)

    def call(self, inputs):
        node_repr, edges, edge_weights = inputs
        node_indices, neighbour_indices = edges[0], edges[1]
        neighbour_repr = ops.take(node_repr, neighbour_indices, axis=0)
        messages = self.ffn_prepare(neighbour_repr)
        messages = messages * ops.expand_dims(edge_weights, -1)
        aggregated = self.aggregate(node_indices, messages, node_repr)
        degree = ops.segment_sum(edge_weights, node_indices,
                                 num_segments=node_repr.shape[0])
        aggregated = aggregated / ops.expand_dims(
            ops.maximum(degree, 1.0), -1)
        h = ops.concatenate([node_repr, aggregated], axis=1)
        return self.update_fn(h)


class GNNNodeClassifier(keras.Model):
    def __init__(self, graph_info, num_classes, hidden_units,
                 aggregation="sum", dropout_rate=0.2, **kwargs):
        super().__init__(**kwargs)
        node_features, edges, edge_weights = graph_info
        self.node_features = node_features
        self.edges = edges
        self.edge_weights = edge_weights
        self.preprocess = create_ffn(hidden_units, dropout_rate,
                                     name="preprocess")
        self.conv1 = GraphConvLayer(hidden_units, dropout_rate, aggregation,
                                    name="graph_conv1")
        self.conv2 = GraphConvLayer(hidden_units, dropout_rate, "max",
                                    name="graph_conv2")
        self.postprocess = create_ffn(hidden_units, dropout_rate,
                                      name="postprocess")
        self.compute_logits = layers.Dense(num_classes, name="logits")

    def call(self, input_node_indices):
        x = self.preprocess(self.node_features)
        x = self.conv1((x, self.edges, self.edge_weights)) + x
        x = self.conv2((x, self.edges, self.edge_weights)) + x
        x = self.postprocess(x)
        node_embeddings = ops.take(x, ops.squeeze(input_node_indices, -1),
                                   axis=0)
        return self.compute_logits(node_embeddings)


model = GNNNodeClassifier((node_features, edges, edge_weights),
                          num_classes, [16, 16], name="gnn_model")
print("GNN output shape:", model(np.array([[1], [10], [20]])).shape)
model.compile(
    optimizer=keras.optimizers.Adam(1e-2),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")])
idx = np.arange(num_nodes)[:, None]
history = model.fit(idx[:48], labels[:48], batch_size=16, epochs=5,
                    validation_data=(idx[48:], labels[48:]), verbose=0)
logits = model.predict(idx[48:], verbose=0)
assert logits.shape == (12, num_classes)
