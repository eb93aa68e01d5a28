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


def test_img_to_array_layouts():
    img = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    x = utils.img_to_array(img)
    assert x.dtype == np.float32 and x.shape == (2, 4, 3)
    np.testing.assert_array_equal(
        utils.img_to_array(img, data_format="channels_first"),
        img.transpose(2, 0, 1))
    assert utils.img_to_array(img[:, :, 0]).shape == (2, 4, 1)
    with pytest.raises(ValueError, match="Unsupported image shape"):
        utils.img_to_array(np.zeros(3))


def test_image_round_trip_with_pillow(tmp_path):
    pytest.importorskip("PIL")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (5, 7, 3)).astype(np.float32)
    img = utils.array_to_img(x, scale=False)
    assert img.size == (7, 5) and img.mode == "RGB"
    np.testing.assert_array_equal(utils.img_to_array(img), x)
    path = str(tmp_path / "a.png")
    utils.save_img(path, x, scale=False)
    back = keras.preprocessing.image.load_img(path)
    np.testing.assert_array_equal(utils.img_to_array(back), x)
    gray = utils.load_img(path, color_mode="grayscale", target_size=(3, 4))
    assert gray.mode == "L" and gray.size == (4, 3)
    # scaling stretches the values over 0..255
    scaled = utils.img_to_array(utils.array_to_img(np.full((2, 2, 1), 3.0)
                                                   + np.eye(2)[..., None]))
    np.testing.assert_array_equal(scaled[..., 0], np.eye(2) * 255)
    with pytest.raises(ValueError, match="rank 3"):
        utils.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="color_mode"):
        utils.load_img(path, color_mode="cmyk")


def test_missing_pillow_is_named(monkeypatch):
    import builtins
    real = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("no PIL")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    with pytest.raises(ImportError, match="pillow"):
        utils.array_to_img(np.zeros((2, 2, 3)))
