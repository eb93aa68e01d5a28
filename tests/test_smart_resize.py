"""keras.preprocessing.image.smart_resize against Keras 3
(tests/fixtures/make_image_utils_fixtures.py)."""
import pathlib

import numpy as np
import pytest

from seqcore.preprocessing.image import smart_resize

REF = np.load(pathlib.Path(__file__).parent / "fixtures" /
              "keras_image_utils.npz")


def test_matches_keras():
    x = REF["x"]
    np.testing.assert_allclose(smart_resize(x, (20, 20)), REF["square"],
                               atol=1e-5)
    np.testing.assert_allclose(
        smart_resize(x[0], (10, 30), interpolation="nearest"),
        REF["wide_nearest"], atol=1e-6)
    np.testing.assert_allclose(
        smart_resize(np.moveaxis(x, -1, 1), (7, 9),
                     data_format="channels_first"), REF["first"], atol=1e-5)
    np.testing.assert_allclose(smart_resize(x[1], (41, 5)), REF["tall"],
                               atol=1e-5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="tuple of 2 integers"):
        smart_resize(REF["x"], (3,))
    with pytest.raises(ValueError, match="incorrect rank"):
        smart_resize(np.zeros((4, 4)), (2, 2))
    with pytest.raises(TypeError, match="unexpected keyword"):
        smart_resize(REF["x"], (2, 2), antialias=True)
