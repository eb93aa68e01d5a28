"""Layers with the non-default arguments where seqcore once differed from
Keras 3: weights, forward pass, config, from_config of Keras's config and
gradients, against Keras 3 fixtures
(tests/fixtures/make_layer_args_fixtures.py)."""
import json
import os
import warnings

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "keras_layer_args.json")) as _f:
    META = json.load(_f)["cases"]
ARRAYS = np.load(os.path.join(HERE, "keras_layer_args.npz"))
CASES = sorted(META)
GRAD_CASES = sorted(n for n in CASES if META[n]["differentiate"])
# Keys recent Keras versions add with a neutral value, which seqcore leaves
# out (as tests/test_engine.py)
NEWER_KERAS_KEYS = {"quantization_config"}


def built(name):
    meta = META[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs = dict(meta["kwargs"])
        cell = kwargs.get("cell")
        if isinstance(cell, dict):     # a nested layer, as class and config
            kwargs["cell"] = getattr(layers, cell["class_name"])(
                **cell["config"])
        layer = getattr(layers, meta["class_name"])(**kwargs)
    x = ARRAYS[f"{name}/x"]
    layer(x)
    layer.set_weights([ARRAYS[f"{name}/weight/{i}"]
                       for i in range(len(meta["weight_names"]))])
    return layer, x


def normalized(config):
    config = json.loads(json.dumps(config, default=list))

    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items()
                    if k not in NEWER_KERAS_KEYS and k != "name"}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o
    return strip(config)


@pytest.mark.parametrize("name", CASES)
def test_weights_and_forward_match_keras(name):
    meta = META[name]
    layer, x = built(name)
    assert [w.name for w in layer.weights] == meta["weight_names"]
    assert [list(w.shape) for w in layer.weights] == meta["weight_shapes"]
    out = layer(x, training=False, **meta["call_kwargs"])
    want = ARRAYS[f"{name}/out"]
    assert out.shape == want.shape
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", CASES)
def test_config_matches_keras_and_loads_it(name):
    meta = META[name]
    layer, _ = built(name)
    assert normalized(layer.get_config()) == normalized(meta["config"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clone = type(layer).from_config(meta["config"])
    assert normalized(clone.get_config()) == normalized(meta["config"])


@pytest.mark.parametrize("name", GRAD_CASES)
def test_gradients_match_keras(name):
    meta = META[name]
    layer, x = built(name)
    for v in layer.trainable_weights:
        v.grad = np.full(v.shape, np.nan, np.float32)
        v._grad_fresh = True
    layer(x, training=True, **meta["call_kwargs"])
    dx = layer.backward(ARRAYS[f"{name}/cotangent"])
    assert [v.name for v in layer.trainable_weights] == \
        meta["trainable_names"]
    np.testing.assert_allclose(dx, ARRAYS[f"{name}/grad_x"],
                               rtol=1e-4, atol=1e-5)
    for i, v in enumerate(layer.trainable_weights):
        np.testing.assert_allclose(v.grad, ARRAYS[f"{name}/grad_weight/{i}"],
                                   rtol=1e-4, atol=1e-5, err_msg=v.name)


# ---- activity and weight regularization losses -----------------------------

with open(os.path.join(HERE, "keras_layer_args.json")) as _f:
    LOSSES = json.load(_f)["regularization_losses"]


class SuperComputeLoss(keras.Model):
    """compute_loss overridden, calling the default one."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        return super().compute_loss(x, y, y_pred, sample_weight,
                                    training=training)


def regularized_model(model_class):
    inputs = keras.Input((3,))
    hidden = layers.Dense(4, kernel_regularizer="l2",
                          activity_regularizer="l1")(inputs)
    outputs = layers.Dense(2, bias_regularizer="l1")(hidden)
    model = model_class(inputs, outputs)
    model.set_weights([np.asarray(w, np.float32) for w in LOSSES["weights"]])
    return model


def test_model_losses_hold_the_last_calls_activity_loss():
    model = regularized_model(keras.Model)
    np.testing.assert_allclose(model.losses, LOSSES["losses_before_call"],
                               rtol=1e-5)
    model(np.asarray(LOSSES["x"], np.float32))
    np.testing.assert_allclose(model.losses, LOSSES["losses_after_call"],
                               rtol=1e-5)


@pytest.mark.parametrize("tag,model_class", [("plain", keras.Model),
                                             ("override", SuperComputeLoss)])
def test_regularization_counted_once_in_the_reported_loss(tag, model_class):
    model = regularized_model(model_class)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x = np.asarray(LOSSES["x"], np.float32)
    y = np.asarray(LOSSES["y"], np.float32)
    assert float(model.train_on_batch(x, y)) == pytest.approx(
        LOSSES[f"train_loss_{tag}"], rel=1e-5)
    assert float(model.test_on_batch(x, y)) == pytest.approx(
        LOSSES[f"test_loss_{tag}"], rel=1e-5)


# ---- masks through merge layers; multi-input layers in functional models ---

with open(os.path.join(HERE, "keras_layer_args.json")) as _f:
    _ALL = json.load(_f)
MODELS, MERGE_MASKS = _ALL["models"], _ALL["merge_masks"]


def concat_masked():
    a = keras.Input((6,), dtype="int32")
    b = keras.Input((6,), dtype="int32")
    ea = layers.Embedding(6, 3, mask_zero=True)(a)
    eb = layers.Embedding(6, 2, mask_zero=True)(b)
    x = layers.Concatenate()([ea, eb])
    return keras.Model([a, b], layers.LSTM(3)(x))


def add_masked():
    a = keras.Input((6, 4))
    m = layers.Masking()(a)
    s = layers.Add()([layers.Dense(3)(m), layers.Dense(3)(m)])
    return keras.Model(a, layers.GRU(2, return_sequences=True)(s))


def mha_masked():
    a = keras.Input((6,), dtype="int32")
    e = layers.Embedding(6, 4, mask_zero=True)(a)
    x = layers.MultiHeadAttention(num_heads=2, key_dim=2)(e, e)
    return keras.Model(a, layers.GlobalAveragePooling1D()(x))


def mha_scores():
    q = keras.Input((None, 4))
    v = keras.Input((None, 4))
    x, s = layers.MultiHeadAttention(num_heads=2, key_dim=2)(
        q, v, return_attention_scores=True)
    return keras.Model([q, v], [x, s])


BUILDERS = {"concat_masked": concat_masked, "add_masked": add_masked,
            "mha_masked": mha_masked, "mha_scores": mha_scores}


def model_case(name):
    meta = MODELS[name]
    model = BUILDERS[name]()
    model.set_weights([ARRAYS[f"model/{name}/weight/{i}"]
                       for i in range(meta["n_weights"])])
    xs = [ARRAYS[f"model/{name}/x/{i}"] for i in range(meta["n_inputs"])]
    wants = [ARRAYS[f"model/{name}/out/{i}"]
             for i in range(meta["n_outputs"])]
    return model, xs, wants


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_functional_model_matches_keras(name):
    """Masks OR-ed by Add, concatenated by Concatenate, and query/value
    masks into MultiHeadAttention: the outputs Keras gives."""
    model, xs, wants = model_case(name)
    outs = model(xs if len(xs) > 1 else xs[0])
    outs = outs if isinstance(outs, list) else [outs]
    for out, want in zip(outs, wants):
        np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_functional_model_on_new_inputs_gives_the_output_shapes(name):
    """Calling the model on new Inputs gives its outputs' shapes: a layer
    called as layer(query, value) gets its input shapes the same way. (For
    the attention scores Keras's own symbolic shape takes the key length
    from the query; the arrays' shape is the true one.)"""
    model, xs, wants = model_case(name)
    news = [keras.Input(x.shape[1:], dtype=str(x.dtype)) for x in xs]
    outs = model(news if len(news) > 1 else news[0])
    outs = outs if isinstance(outs, list) else [outs]
    assert [list(t.shape) for t in outs] == \
        [[None] + list(w.shape[1:]) for w in wants]
    if name != "mha_scores":
        assert [list(t.shape) for t in outs] == \
            MODELS[name]["symbolic_shapes"]
    shapes = [(None,) + x.shape[1:] for x in xs]
    found = model.compute_output_shape(shapes if len(shapes) > 1
                                       else shapes[0])
    found = found if isinstance(found, list) else [found]
    assert [list(s) for s in found] == \
        [[None] + list(w.shape[1:]) for w in wants]


def test_merge_layers_compute_masks_as_keras():
    m = [np.asarray(v, bool) for v in MERGE_MASKS["masks"]]
    seq_masks = [np.asarray(v, bool) for v in MERGE_MASKS["seq_masks"]]
    x = [np.zeros((2, 3, 4), np.float32), np.zeros((2, 3, 2), np.float32)]
    seq = [np.zeros((2, 3, 4), np.float32), np.zeros((2, 2, 4), np.float32)]
    same = [np.zeros((2, 3, 4), np.float32)] * 2

    def listed(v):
        return None if v is None else np.asarray(v).tolist()
    assert listed(layers.Concatenate().compute_mask(x, m)) == \
        MERGE_MASKS["concat_last"]
    assert listed(layers.Concatenate().compute_mask(x, [m[0], None])) == \
        MERGE_MASKS["concat_last_one_none"]
    assert listed(layers.Concatenate(axis=1).compute_mask(
        seq, seq_masks)) == MERGE_MASKS["concat_steps"]
    assert listed(layers.Add().compute_mask(same, m)) == MERGE_MASKS["add"]
    assert listed(layers.Add().compute_mask(same, [m[0], None])) == \
        MERGE_MASKS["add_one_none"]
    with pytest.raises(ValueError, match="same length"):
        layers.Add().compute_mask(same, [m[0]])
    with pytest.raises(ValueError, match="should be a list"):
        layers.Concatenate().compute_mask(x, m[0])


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
def test_time_major_true_is_refused_false_accepted(cls):
    """Keras 3 has no time-major layout; Keras 2 configs hold False."""
    with pytest.raises(ValueError, match="time_major=True"):
        getattr(layers, cls)(2, time_major=True)
    assert getattr(layers, cls)(2, time_major=False).units == 2


# ---- trainable flags -----------------------------------------------------------

@pytest.mark.parametrize("name", ["bn_frozen", "dense"])
def test_variables_follow_the_layers_trainable_flag(name):
    make = {"bn_frozen": lambda: layers.BatchNormalization(trainable=False),
            "dense": lambda: layers.Dense(2)}[name]
    layer = make()
    layer(np.ones((2, 3), np.float32))
    for state in _ALL["trainable_flags"][name]:
        value = {"built": None, "frozen": False, "unfrozen": True}[
            state["step"]]
        if value is not None:
            layer.trainable = value
        assert [w.name for w in layer.weights] == state["names"]
        assert [w.trainable for w in layer.weights] == state["trainable"]
        assert len(layer.trainable_weights) == state["n_trainable"]
