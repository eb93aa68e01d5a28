"""keras.dtype_policies / keras.mixed_precision: the policy objects against
Keras 3 (tests/fixtures/keras_names.json), and seqcore's documented handling
of mixed policies (accepted, run in float32, one warning)."""
import json
import os
import warnings

import numpy as np
import pytest

import seqcore as keras
from seqcore import dtype_policies, mixed_precision

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fixtures", "keras_names.json")) as f:
    FIXTURE = json.load(f)["policies"]


@pytest.fixture(autouse=True)
def _reset_global_policy():
    yield
    dtype_policies._STATE["policy"] = None


@pytest.mark.parametrize("name", sorted(FIXTURE))
def test_policy_objects_against_keras(name):
    want = FIXTURE[name]
    policy = dtype_policies.DTypePolicy(name)
    assert policy.name == want["name"]
    assert policy.compute_dtype == want["compute_dtype"]
    assert policy.variable_dtype == want["variable_dtype"]
    assert repr(policy) == want["repr"]
    assert dtype_policies.serialize(policy) == want["serialized"]
    again = dtype_policies.deserialize(want["serialized"])
    assert again == policy


def test_get_and_aliases():
    assert keras.DTypePolicy is dtype_policies.DTypePolicy
    assert keras.FloatDTypePolicy is dtype_policies.FloatDTypePolicy
    assert mixed_precision.Policy is dtype_policies.DTypePolicy
    assert dtype_policies.get("float32") == dtype_policies.DTypePolicy()
    assert dtype_policies.get(np.float32).name == "float32"
    assert dtype_policies.get(None) is keras.config.dtype_policy()
    assert dtype_policies.FloatDTypePolicy("float32") == \
        dtype_policies.DTypePolicy("float32")
    assert dtype_policies.get(
        {"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}
    ).compute_dtype == "float16"
    with pytest.raises(ValueError, match="mixed precision"):
        dtype_policies.DTypePolicy("float17")
    with pytest.raises(TypeError):
        dtype_policies.DTypePolicy(3)


def test_layer_attributes_float32():
    layer = keras.layers.Dense(2)
    assert layer.dtype_policy == dtype_policies.DTypePolicy("float32")
    assert layer.compute_dtype == "float32"
    assert layer.variable_dtype == "float32"
    assert layer.dtype == "float32"


def test_mixed_policy_is_kept_and_runs_in_float32_with_one_warning():
    dtype_policies._STATE["warned"] = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = keras.layers.Dense(2, dtype="mixed_float16")
        b = keras.layers.Dense(2, dtype="mixed_bfloat16")
    mine = [w for w in caught if "float32" in str(w.message)]
    assert len(mine) == 1
    assert a.dtype_policy.name == "mixed_float16"
    assert b.dtype_policy.compute_dtype == "bfloat16"
    assert a.compute_dtype == "float32" and a.variable_dtype == "float32"
    config = a.get_config()
    assert config["dtype"]["config"]["name"] == "mixed_float16"
    assert keras.layers.Dense.from_config(config).dtype_policy.name == \
        "mixed_float16"
    out = a(np.ones((3, 4), np.float32))
    assert np.asarray(out).dtype == np.float32


def test_global_policy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mixed_precision.set_global_policy("mixed_float16")
    assert mixed_precision.global_policy().name == "mixed_float16"
    assert keras.config.dtype_policy() is mixed_precision.dtype_policy()
    assert keras.layers.Dense(2).dtype_policy.name == "mixed_float16"
    keras.config.set_dtype_policy(dtype_policies.DTypePolicy("float32"))
    assert keras.layers.Dense(2).dtype_policy.name == "float32"
    for bad in ("float16", "float64", "bfloat16"):
        with pytest.raises(ValueError, match="float32 only"):
            mixed_precision.set_dtype_policy(bad)
    with pytest.raises(ValueError, match="policy"):
        keras.config.set_dtype_policy(3)


def test_other_float_dtypes_refused_by_layers():
    with pytest.raises(ValueError, match="Dense.*float32.*float64"):
        keras.layers.Dense(2, dtype="float64")
    with pytest.raises(ValueError, match="float32"):
        keras.layers.Dense(2, dtype="float16")
