"""keras.initializers' other names (the snake case aliases Keras 3
exports, IdentityInitializer, OrthogonalInitializer), STFT and
deserialize: deterministic values and configs against Keras 3.15
(make_funcs_fixtures.py), random ones by their distributions and seeds."""
import json
import math
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import initializers
from tests.fixtures.funcs_cases import STFT_CASES

HERE = pathlib.Path(__file__).parent / "fixtures"
KERAS = np.load(HERE / "keras_funcs.npz")
CONFIGS = json.loads((HERE / "keras_funcs.json").read_text())

ALIASES = {
    "constant": "Constant", "glorot_normal": "GlorotNormal",
    "glorot_uniform": "GlorotUniform", "he_normal": "HeNormal",
    "he_uniform": "HeUniform", "identity": "Identity",
    "lecun_normal": "LecunNormal", "lecun_uniform": "LecunUniform",
    "ones": "Ones", "orthogonal": "Orthogonal",
    "random_normal": "RandomNormal", "random_uniform": "RandomUniform",
    "truncated_normal": "TruncatedNormal",
    "variance_scaling": "VarianceScaling", "zeros": "Zeros",
    "IdentityInitializer": "Identity",
    "OrthogonalInitializer": "Orthogonal", "STFTInitializer": "STFT",
    "stft": "STFT"}


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_aliases_are_the_classes(alias):
    # as in Keras 3, where keras.initializers.glorot_uniform is the class
    assert getattr(initializers, alias) is getattr(initializers,
                                                   ALIASES[alias])
    assert isinstance(initializers.get(alias) if alias.islower() else
                      getattr(initializers, alias)(),
                      getattr(initializers, ALIASES[alias]))


@pytest.mark.parametrize("alias", ["constant", "ones", "zeros",
                                   "orthogonal", "random_normal",
                                   "random_uniform", "truncated_normal",
                                   "stft", "STFT", "STFTInitializer",
                                   "OrthogonalInitializer"])
def test_configs_match_keras(alias):
    got = initializers.serialize(getattr(initializers, alias)())
    assert got == CONFIGS["init"][alias]
    again = initializers.deserialize(got)
    assert type(again) is getattr(initializers, alias)
    assert again.get_config() == got["config"]


def test_deterministic_values_match_keras():
    np.testing.assert_array_equal(initializers.zeros()((2, 3)),
                                  KERAS["init/zeros"])
    np.testing.assert_array_equal(initializers.ones()((3,)),
                                  KERAS["init/ones"])
    np.testing.assert_array_equal(initializers.constant(2.5)((2, 2)),
                                  KERAS["init/constant"])
    np.testing.assert_array_equal(initializers.identity(gain=0.5)((3, 5)),
                                  KERAS["init/identity"])
    np.testing.assert_array_equal(
        initializers.IdentityInitializer()((4, 4)),
        KERAS["init/identity_square"])


@pytest.mark.parametrize("case", STFT_CASES, ids=[c[0] for c in STFT_CASES])
def test_stft_matches_keras(case):
    name, kwargs = case
    got = initializers.STFT(**kwargs)((16, 1, 9))
    assert got.dtype == np.float32
    # Keras forms the angles in float32 (up to ~47 rad here)
    np.testing.assert_allclose(got, KERAS[f"init/stft/{name}"], atol=4e-6)


def test_stft_window_values_and_errors():
    window = np.linspace(0.5, 1.0, 8)
    got = initializers.STFT(window=window, scaling="spectrum")((8, 1, 5))
    t = np.arange(8).reshape(8, 1, 1)
    f = np.arange(5).reshape(1, 1, 5)
    want = np.cos(-2 * np.pi * t * f / 8) * window.reshape(8, 1, 1) / \
        window.sum()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="side should be 'real' or 'imag'"):
        initializers.STFT(side="both")
    with pytest.raises(ValueError, match="Scaling is invalid"):
        initializers.STFT(scaling="l3")
    with pytest.raises(ValueError, match="unknown window 'kaiserx'"):
        initializers.STFT(window="kaiserx")
    with pytest.raises(ValueError, match="must be equal to \\[frame_length"):
        initializers.STFT(window=np.ones(5))((8, 1, 5))


def test_deserialize_names_dicts_and_custom_objects():
    assert type(initializers.deserialize("glorot_uniform")) is \
        initializers.GlorotUniform
    assert type(initializers.deserialize("GlorotUniform")) is \
        initializers.GlorotUniform
    o = initializers.deserialize({"class_name": "Orthogonal",
                                  "config": {"gain": 2.0, "seed": 1}})
    assert (o.gain, o.seed) == (2.0, 1)

    class Mine(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return np.full(shape, 7.0, dtype or "float32")

    got = initializers.deserialize({"class_name": "Mine", "config": {}},
                                   custom_objects={"Mine": Mine})
    assert isinstance(got, Mine)
    with pytest.raises(ValueError, match="nope"):
        initializers.deserialize("nope")


RANDOM = [
    # (alias, kwargs, shape, mean, std, bound)
    ("random_normal", {"mean": 0.5, "stddev": 0.2}, (200, 100), 0.5, 0.2,
     None),
    ("random_uniform", {"minval": -1.0, "maxval": 3.0}, (200, 100), 1.0,
     4 / math.sqrt(12), (-1.0, 3.0)),
    ("truncated_normal", {"stddev": 0.3}, (200, 100), 0.0,
     0.3 * 0.87962566, (-0.6, 0.6)),
    ("glorot_uniform", {}, (300, 100), 0.0, math.sqrt(2 / 400),
     (-math.sqrt(6 / 400), math.sqrt(6 / 400))),
    ("glorot_normal", {}, (300, 100), 0.0, math.sqrt(2 / 400),
     (-2 * math.sqrt(2 / 400) / 0.87962566,
      2 * math.sqrt(2 / 400) / 0.87962566)),
    ("he_normal", {}, (200, 100), 0.0, math.sqrt(2 / 200), None),
    ("he_uniform", {}, (200, 100), 0.0, math.sqrt(2 / 200),
     (-math.sqrt(6 / 200), math.sqrt(6 / 200))),
    ("lecun_normal", {}, (200, 100), 0.0, math.sqrt(1 / 200), None),
    ("lecun_uniform", {}, (200, 100), 0.0, math.sqrt(1 / 200),
     (-math.sqrt(3 / 200), math.sqrt(3 / 200))),
    ("variance_scaling", {"scale": 3.0, "mode": "fan_out",
                          "distribution": "uniform"}, (50, 400), 0.0,
     math.sqrt(3 / 400), (-3 / 20, 3 / 20)),
]


@pytest.mark.parametrize("case", RANDOM, ids=[c[0] for c in RANDOM])
def test_random_aliases_moments_bounds_and_seeds(case):
    alias, kwargs, shape, mean, std, bound = case
    init = getattr(initializers, alias)(seed=5, **kwargs)
    values = init(shape)
    assert values.dtype == np.float32 and values.shape == shape
    n = values.size
    assert abs(values.mean() - mean) < 5 * std / math.sqrt(n)
    assert abs(values.std() - std) < 0.03 * std
    if bound is not None:
        assert values.min() >= bound[0] and values.max() <= bound[1]
        # the bounds are reached (not a narrower distribution)
        width = bound[1] - bound[0]
        assert values.min() < bound[0] + 0.01 * width
        assert values.max() > bound[1] - 0.01 * width
    np.testing.assert_array_equal(values, getattr(initializers, alias)(
        seed=5, **kwargs)(shape))
    assert not np.array_equal(values, getattr(initializers, alias)(
        seed=6, **kwargs)(shape))


def test_orthogonal_initializer_is_orthogonal():
    q = initializers.OrthogonalInitializer(gain=1.5, seed=2)((6, 4))
    np.testing.assert_allclose(q.T @ q, 2.25 * np.eye(4), atol=1e-5)


def test_aliases_work_in_layers():
    layer = keras.layers.Dense(3, kernel_initializer=initializers.he_uniform(
        seed=1), bias_initializer=initializers.constant(0.25))
    layer.build((None, 4))
    np.testing.assert_array_equal(layer.bias.value, np.full(3, 0.25))
    config = layer.get_config()
    assert config["kernel_initializer"]["class_name"] == "HeUniform"
    clone = keras.layers.Dense.from_config(config)
    clone.build((None, 4))
    np.testing.assert_array_equal(clone.kernel.value, layer.kernel.value)
