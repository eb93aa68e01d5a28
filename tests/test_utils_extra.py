"""keras.utils names programs use: data tuples, is_keras_tensor,
standardize_dtype and the interactive-logging switches."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import utils


def test_pack_and_unpack_like_keras():
    x, y, w = np.ones(2), np.zeros(2), np.full(2, 0.5)
    assert utils.pack_x_y_sample_weight(x) is x
    assert utils.pack_x_y_sample_weight([x, y]) == ([x, y],)
    assert utils.pack_x_y_sample_weight(x, y) == (x, y)
    assert utils.pack_x_y_sample_weight(x, y, w) == (x, y, w)
    assert utils.unpack_x_y_sample_weight(x)[0] is x
    assert utils.unpack_x_y_sample_weight((x,)) == (x, None, None)
    assert utils.unpack_x_y_sample_weight([x, y]) == (x, y, None)
    assert utils.unpack_x_y_sample_weight((x, y, w)) == (x, y, w)
    with pytest.raises(ValueError, match="sample_weight"):
        utils.unpack_x_y_sample_weight((x, y, w, w))


def test_is_keras_tensor_and_standardize_dtype():
    assert utils.is_keras_tensor(keras.Input((3,)))
    assert not utils.is_keras_tensor(np.ones(3))
    assert utils.standardize_dtype(None) == "float32"
    assert utils.standardize_dtype(np.int64) == "int64"
    with pytest.raises(ValueError):
        utils.standardize_dtype("not_a_dtype")


def test_interactive_logging_switches():
    assert utils.is_interactive_logging_enabled()
    utils.disable_interactive_logging()
    try:
        assert not keras.config.is_interactive_logging_enabled()
    finally:
        utils.enable_interactive_logging()
    assert utils.is_interactive_logging_enabled()


def test_config_flash_attention_nnx_and_backend():
    from seqcore import config
    assert config.is_flash_attention_enabled() is None
    config.disable_flash_attention()
    try:
        assert config.is_flash_attention_enabled() is False
    finally:
        config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is None
    assert config.is_nnx_enabled() is False
    config.set_backend(config.backend())        # already the backend
    with pytest.raises(ValueError, match="cannot switch to 'jax'"):
        config.set_backend("jax")
    with pytest.raises(ValueError, match="Available backends"):
        config.set_backend("theano")
