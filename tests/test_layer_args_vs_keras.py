"""Layers with the non-default arguments where seqcore once differed from
Keras 3: weights, forward pass, config, from_config of Keras's config and
gradients, against Keras 3 fixtures
(tests/fixtures/make_layer_args_fixtures.py)."""
import json
import os
import warnings

import numpy as np
import pytest

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
        layer = getattr(layers, meta["class_name"])(**meta["kwargs"])
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
