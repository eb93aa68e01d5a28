"""Attention layers: forward against Keras 3 fixtures (make_attention_fixtures.py),
backward against float64 finite differences of an independent numpy
reference, thread-count bits, configs, training and `.keras` files."""
import json
import os

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from tests.conftest import same_bits_with_threads
from tests.numeric import central_difference

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "keras_attention.json")) as _f:
    META = json.load(_f)
ARRAYS = np.load(os.path.join(HERE, "keras_attention.npz"))
RNG = np.random.default_rng(16)

ATTENTION_CASES = sorted(n for n, m in META.items()
                         if m["class_name"] in ("MultiHeadAttention",
                                                "GroupedQueryAttention",
                                                "Attention",
                                                "AdditiveAttention"))


def _case(name):
    meta = META[name]
    inputs = {k: ARRAYS[f"{name}/in/{k}"] for k in meta["inputs"]}
    weights = [ARRAYS[f"{name}/weight/{i}"] for i in range(meta["n_weights"])]
    outs = [ARRAYS[f"{name}/out/{i}"] for i in range(meta["n_outputs"])]
    return meta, inputs, weights, outs


def _call(layer, meta, inputs, **extra):
    """Call a layer as the fixture generator called Keras's."""
    if meta["class_name"] in ("Attention", "AdditiveAttention"):
        tensors = [inputs[k] for k in ("query", "value", "key")
                   if k in inputs]
        masks = [inputs.get("query_mask"), inputs.get("value_mask")]
        kwargs = dict(meta["call_kwargs"], **extra)
        if any(m is not None for m in masks):
            kwargs["mask"] = masks
        return layer(tensors, **kwargs)
    tensors = {k: inputs[k] for k in ("query", "value", "key") if k in inputs}
    masks = {k: v for k, v in inputs.items() if k not in tensors}
    return layer(**tensors, **masks, **meta["call_kwargs"], **extra)


@pytest.mark.parametrize("name", ATTENTION_CASES)
def test_forward_matches_keras(name):
    meta, inputs, weights, want = _case(name)
    layer = getattr(layers, meta["class_name"])(**meta["kwargs"])
    _call(layer, meta, inputs)
    assert [tuple(w.shape) for w in layer.weights] == \
        [w.shape for w in weights]
    assert [w.path.split("/", 1)[1] for w in layer.weights] == \
        [p.split("/", 1)[1] for p in meta["weight_paths"]]
    layer.set_weights(weights)
    got = _call(layer, meta, inputs)
    got = got if isinstance(got, list) else [got]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ATTENTION_CASES)
def test_config_matches_keras(name):
    meta, inputs, _, _ = _case(name)
    layer = getattr(layers, meta["class_name"])(**meta["kwargs"])
    _call(layer, meta, inputs)
    config = json.loads(json.dumps(layer.get_config(), default=list))
    want = dict(meta["config"])
    want.pop("name")
    config.pop("name")
    assert config == want
    clone = type(layer).from_config(layer.get_config())
    _call(clone, meta, inputs)
    assert [w.shape for w in clone.weights] == [w.shape for w in layer.weights]


# ---- an independent float64 reference --------------------------------------

def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def mha_reference(query, value, key, wq, bq, wk, bk, wv, bv, wo, bo,
                  mask=None, zero_masked=False, repeats=1, q_mask=None):
    """Rank-3 multi-head attention with einsum, in float64 (repeats: query
    heads per key/value head, for grouped-query attention)."""
    q = np.einsum("btd,dnh->btnh", query, wq) + bq
    k = np.repeat(np.einsum("bsd,dnh->bsnh", key, wk) + bk, repeats, 2)
    v = np.repeat(np.einsum("bsd,dnh->bsnh", value, wv) + bv, repeats, 2)
    if q_mask is not None:
        mask = q_mask[:, :, None] & (True if mask is None else mask)
    s = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(wq.shape[-1])
    if mask is not None:
        s = np.where(mask[:, None], s, -1e9)
    p = _softmax(s)
    if mask is not None and zero_masked:
        p = p * mask[:, None]
    c = np.einsum("bnts,bsnh->btnh", p, v)
    return np.einsum("btnh,nho->bto", c, wo) + bo, p


def _zero_grads(layer):
    for v in layer.trainable_weights:
        v.grad = np.full(v.shape, np.nan, np.float32)
        v._grad_fresh = True


@pytest.mark.parametrize("masked,scores", [(False, False), (True, False),
                                           (True, True)])
def test_mha_backward_matches_finite_differences(masked, scores):
    b, t, s, d = 2, 4, 5, 6
    query, value, key = RNG.standard_normal((b, t, d)), \
        RNG.standard_normal((b, s, d)), RNG.standard_normal((b, s, 3))
    mask = RNG.random((b, t, s)) > 0.3 if masked else None
    if masked:
        mask[1, 1] = False                    # one fully masked row
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)
    kwargs = {"attention_mask": mask, "return_attention_scores": scores}
    layer(query, value, key, **kwargs)
    weights = [RNG.standard_normal(w.shape) * 0.5 for w in layer.weights]
    layer.set_weights(weights)
    _zero_grads(layer)
    out = layer(query, value, key, training=True, **kwargs)
    w_out = RNG.standard_normal((b, t, d))
    w_scores = RNG.standard_normal((b, 2, t, s))
    dy = [w_out.astype(np.float32), w_scores.astype(np.float32)] if scores \
        else w_out.astype(np.float32)
    dq, dv, dk = layer.backward(dy)
    grads = [v.grad.copy() for v in layer.trainable_weights]
    arrays = [query, value, key] + [w.astype(np.float64) for w in weights]

    def loss():
        y, p = mha_reference(*arrays, mask=mask, zero_masked=scores)
        total = np.sum(y * w_out)
        return total + (np.sum(p * w_scores) if scores else 0.0)
    for got, array in zip([dq, dv, dk] + grads, arrays):
        want = central_difference(loss, array)
        scale = max(np.abs(want).max(), 1e-3)
        np.testing.assert_allclose(got, want, atol=2e-3 * scale, rtol=2e-3)


def test_mha_self_attention_gradient_sums_query_and_value():
    x = RNG.standard_normal((2, 5, 4)).astype(np.float32)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    layer(x, x)
    _zero_grads(layer)
    layer(x, x, training=True, use_causal_mask=True)
    w = RNG.standard_normal((2, 5, 4))
    dq, dv = layer.backward(w.astype(np.float32))
    weights = [v.numpy().astype(np.float64) for v in layer.weights]
    x64 = x.astype(np.float64)
    causal = np.tril(np.ones((5, 5), bool))[None].repeat(2, 0)
    want = central_difference(lambda: np.sum(mha_reference(
        x64, x64, x64, *weights, mask=causal)[0] * w), x64)
    np.testing.assert_allclose(dq + dv, want, atol=2e-3 * np.abs(want).max())


def test_mha_same_bits_at_one_and_two_threads(threads):
    x = RNG.standard_normal((4, 33, 16)).astype(np.float32)
    layer = layers.MultiHeadAttention(num_heads=4, key_dim=8, dropout=0.1,
                                      seed=3)
    layer(x, x)

    def run():
        layer._rng = None
        _zero_grads(layer)
        y = layer(x, x, training=True, use_causal_mask=True)
        dq, dv = layer.backward(np.ones_like(y))
        return [y, dq, dv] + [v.grad.copy() for v in layer.trainable_weights]
    same_bits_with_threads(threads, run)


def test_mha_dropout_only_in_training():
    x = RNG.standard_normal((2, 6, 8)).astype(np.float32)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5,
                                      seed=1)
    a = layer(x, x)
    np.testing.assert_array_equal(a, layer(x, x, training=False))
    _, p = layer(x, x, training=True, return_attention_scores=True)
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=1e-5)
    assert not np.allclose(layer(x, x, training=True), a)


def test_mha_bad_arguments():
    with pytest.raises(ValueError, match="num_heads"):
        layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match="key_dim"):
        layers.MultiHeadAttention(num_heads=2, key_dim="4")
    with pytest.raises(ValueError, match="attention_axes"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes="x")
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    with pytest.raises(ValueError, match="value_shape"):
        layer(np.zeros((1, 3, 4)), np.zeros((1, 5, 4)), np.zeros((1, 6, 4)))
    with pytest.raises(ValueError, match="value"):
        layer(np.zeros((1, 3, 4)))
    layer(np.zeros((1, 3, 4)), np.zeros((1, 5, 4)))
    with pytest.raises(ValueError, match="last axis 4"):
        layer(np.zeros((1, 3, 5)), np.zeros((1, 5, 4)))


def test_mha_compute_output_shape():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2,
                                      output_shape=(3, 5))
    assert layer.compute_output_shape((None, 7, 4), (None, 9, 6)) == \
        (None, 7, 3, 5)
    q = keras.Input((7, 4))
    v = keras.Input((9, 6))
    out, scores = layer(q, v, return_attention_scores=True)
    assert out.shape == (None, 7, 3, 5)
    assert scores.shape == (None, 2, 7, 9)


def _transformer(seq=8, d=16):
    inputs = keras.Input((seq, d))
    attn = layers.MultiHeadAttention(num_heads=2, key_dim=8)(
        inputs, inputs, use_causal_mask=True)
    x = layers.LayerNormalization()(attn)
    x = layers.Dense(d, activation="relu")(x)
    outputs = layers.Dense(1)(layers.GlobalAveragePooling1D()(x))
    return keras.Model(inputs, outputs)


def test_mha_trains_in_a_functional_model():
    x = RNG.standard_normal((64, 8, 16)).astype(np.float32)
    y = (x[:, :, 0].mean(axis=1, keepdims=True) > 0).astype(np.float32)
    model = _transformer()
    model.compile(optimizer="adam", loss="mse")
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.7 * first


def test_mha_model_saves_and_loads(tmp_path):
    model = _transformer()
    x = RNG.standard_normal((3, 8, 16)).astype(np.float32)
    path = str(tmp_path / "attention.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               model.predict(x, verbose=0), atol=1e-6)


def test_loads_a_keras_file_with_multi_head_attention():
    path = os.path.join(HERE, "saved", "keras_attention_model.keras")
    data = np.load(os.path.join(HERE, "keras_attention_model.npz"))
    model = keras.models.load_model(path)
    np.testing.assert_allclose(model.predict(data["x"], verbose=0),
                               data["y"], atol=1e-5)


# ---- Attention and AdditiveAttention ----------------------------------------

def dot_attention_reference(q, v, k, weights, kind, q_mask=None,
                            v_mask=None, causal=False):
    """(output, weights) of Attention ('dot', 'concat') or AdditiveAttention
    ('additive') in float64; `weights` are the layer's, in its order."""
    if kind == "dot":
        scale = weights[0] if weights else 1.0
        s = np.einsum("btd,bsd->bts", q, k) * scale
    elif kind == "concat":
        scale, c = (weights if len(weights) == 2 else (1.0, weights[0]))
        s = c * np.tanh(scale * (q[:, :, None] + k[:, None])).sum(-1)
    else:
        scale = weights[0] if weights else 1.0
        s = (scale * np.tanh(q[:, :, None] + k[:, None])).sum(-1)
    keep = np.ones(s.shape, bool)
    if v_mask is not None:
        keep &= v_mask[:, None, :]
    if causal:
        keep &= np.tril(np.ones(s.shape[1:], bool))[None]
    p = _softmax(np.where(keep, s, -1e9))
    out = np.einsum("bts,bsd->btd", p, v)
    if q_mask is not None:
        out = out * q_mask[..., None]
    return out, p


@pytest.mark.parametrize("cls,kwargs,kind", [
    ("Attention", {}, "dot"),
    ("Attention", {"use_scale": True}, "dot"),
    ("Attention", {"score_mode": "concat"}, "concat"),
    ("Attention", {"score_mode": "concat", "use_scale": True}, "concat"),
    ("AdditiveAttention", {}, "additive"),
    ("AdditiveAttention", {"use_scale": False}, "additive"),
])
@pytest.mark.parametrize("masked", [False, True])
def test_dot_attention_backward_matches_finite_differences(cls, kwargs,
                                                           kind, masked):
    b, t, s, d = 2, 4, 5, 3
    q, v, k = RNG.standard_normal((b, t, d)), RNG.standard_normal((b, s, 2)), \
        RNG.standard_normal((b, s, d))
    layer = getattr(layers, cls)(**kwargs)
    q_mask = np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool) if masked else None
    v_mask = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1]], bool) \
        if masked else None
    mask = [q_mask, v_mask] if masked else None
    layer([q, v, k], mask=mask)
    weights = [RNG.standard_normal(w.shape) * 0.5 + 1 for w in layer.weights]
    layer.set_weights(weights)
    _zero_grads(layer)
    layer([q, v, k], mask=mask, training=True, return_attention_scores=True,
          use_causal_mask=masked)
    w_out, w_p = RNG.standard_normal((b, t, 2)), RNG.standard_normal((b, t, s))
    grads_in = layer.backward([w_out.astype(np.float32),
                               w_p.astype(np.float32)])
    grads = grads_in + [v_.grad.copy() for v_ in layer.trainable_weights]
    arrays = [q, v, k] + [np.asarray(w, np.float64) for w in weights]

    def loss():
        out, p = dot_attention_reference(*arrays[:3], arrays[3:], kind,
                                         q_mask, v_mask, causal=masked)
        return np.sum(out * w_out) + np.sum(p * w_p)
    for got, array in zip(grads, arrays):
        want = central_difference(loss, array)
        scale = max(np.abs(want).max(), 1e-3)
        np.testing.assert_allclose(got, want, atol=2e-3 * scale, rtol=2e-3)


def test_attention_same_bits_at_one_and_two_threads(threads):
    q = RNG.standard_normal((3, 33, 7)).astype(np.float32)
    v = RNG.standard_normal((3, 17, 5)).astype(np.float32)
    k = RNG.standard_normal((3, 17, 7)).astype(np.float32)
    layer = layers.Attention(use_scale=True, dropout=0.2, seed=4)
    layer([q, v, k])

    def run():
        layer._rng = None
        _zero_grads(layer)
        y = layer([q, v, k], training=True)
        return [y] + layer.backward(np.ones_like(y)) + \
            [w.grad.copy() for w in layer.trainable_weights]
    same_bits_with_threads(threads, run)


def test_attention_bad_input():
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="cosine")
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Attention()(np.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match="length 2 or 3"):
        layers.Attention()([np.zeros((1, 2, 3))])
    with pytest.raises(ValueError, match="same last axis"):
        layers.Attention()([np.zeros((1, 2, 3)), np.zeros((1, 4, 3)),
                            np.zeros((1, 4, 2))])
    with pytest.raises(ValueError, match="mask must be a list"):
        layers.AdditiveAttention()([np.zeros((1, 2, 3)), np.zeros((1, 4, 3))],
                                   mask=np.ones((1, 2)))


def test_attention_in_a_model_trains_and_reloads(tmp_path):
    inputs = keras.Input((6, 4))
    value = layers.Dense(4)(inputs)
    out = layers.Attention(use_scale=True, score_mode="concat")(
        [inputs, value], use_causal_mask=True)
    out = layers.AdditiveAttention()([out, value, inputs])
    model = keras.Model(inputs,
                        layers.Dense(1)(layers.GlobalAveragePooling1D()(out)))
    x = RNG.standard_normal((32, 6, 4)).astype(np.float32)
    y = x[:, :, :1].mean(axis=1)
    model.compile(optimizer="adam", loss="mse")
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.8 * first
    path = str(tmp_path / "attention.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[2]._call_options["use_causal_mask"] is True
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               model.predict(x, verbose=0), atol=1e-6)


def test_gqa_backward_matches_finite_differences():
    b, t, s, d = 2, 4, 5, 6
    query, value, key = RNG.standard_normal((b, t, d)), \
        RNG.standard_normal((b, s, d)), RNG.standard_normal((b, s, 3))
    q_mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    layer = layers.GroupedQueryAttention(head_dim=2, num_query_heads=4,
                                         num_key_value_heads=2)
    layer(query, value, key)
    weights = [RNG.standard_normal(w.shape) * 0.5 for w in layer.weights]
    layer.set_weights(weights)
    _zero_grads(layer)
    layer(query, value, key, training=True, query_mask=q_mask,
          return_attention_scores=True)
    w_out, w_p = RNG.standard_normal((b, t, d)), \
        RNG.standard_normal((b, 4, t, s))
    grads = layer.backward([w_out.astype(np.float32),
                            w_p.astype(np.float32)])
    grads += [v.grad.copy() for v in layer.trainable_weights]
    arrays = [query, value, key] + [w.astype(np.float64) for w in weights]

    def loss():
        y, p = mha_reference(*arrays, zero_masked=True, repeats=2,
                             q_mask=q_mask)
        return np.sum(y * w_out) + np.sum(p * w_p)
    for got, array in zip(grads, arrays):
        want = central_difference(loss, array)
        scale = max(np.abs(want).max(), 1e-3)
        np.testing.assert_allclose(got, want, atol=2e-3 * scale, rtol=2e-3)


def test_gqa_bad_arguments():
    with pytest.raises(ValueError, match="divisible"):
        layers.GroupedQueryAttention(head_dim=2, num_query_heads=4,
                                     num_key_value_heads=3)
    with pytest.raises(ValueError, match="head_dim"):
        layers.GroupQueryAttention(head_dim=0, num_query_heads=4,
                                   num_key_value_heads=2)
    layer = layers.GroupedQueryAttention(head_dim=2, num_query_heads=2,
                                         num_key_value_heads=1)
    with pytest.raises(ValueError, match="last dimension"):
        layer(np.zeros((1, 3, 4)), np.zeros((1, 5, 6)))


def test_mha_matches_the_reference_under_every_isa(isa):
    b, t, s, d = 2, 7, 33, 5
    query, value = RNG.standard_normal((b, t, d)), \
        RNG.standard_normal((b, s, d))
    mask = RNG.random((b, t, s)) > 0.2
    layer = layers.MultiHeadAttention(num_heads=3, key_dim=4)
    layer(query, value)
    weights = [w.numpy().astype(np.float64) for w in layer.weights]
    got = layer(query, value, attention_mask=mask)
    want, _ = mha_reference(query, value, value, *weights, mask=mask)
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-4)


def test_loads_a_keras_file_with_masks_reaching_the_attention_layers(
        tmp_path):
    path = os.path.join(HERE, "saved", "keras_masked_attention.keras")
    data = np.load(os.path.join(HERE, "keras_masked_attention.npz"))
    model = keras.models.load_model(path)
    got = model.predict(data["x"], verbose=0)
    np.testing.assert_allclose(got, data["y"], atol=1e-5)
    # seqcore's own save of it reloads to the same predictions
    model.save(str(tmp_path / "again.keras"))
    again = keras.models.load_model(str(tmp_path / "again.keras"))
    np.testing.assert_allclose(again.predict(data["x"], verbose=0), got,
                               atol=1e-6)
