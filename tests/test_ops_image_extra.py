"""keras.ops.image.ssim, perspective_transform and scale_and_translate: values against Keras
3.15 (make_funcs_fixtures.py), gradients on the tape against float64
central differences, errors."""
import pathlib

import numpy as np
import pytest

from seqcore import ops
from seqcore.engine.tape import Tape, recording
from tests.fixtures.funcs_cases import (END, PERSPECTIVE_CASES,
                                        SCALE_TRANSLATE_CASES, SSIM_CASES,
                                        START, image_pair, points)
from tests.numeric import central_difference

KERAS = np.load(pathlib.Path(__file__).parent / "fixtures" /
                "keras_funcs.npz")


@pytest.mark.parametrize("case", SSIM_CASES, ids=[c[0] for c in SSIM_CASES])
def test_ssim_matches_keras(case):
    name, kwargs, form = case
    a, b = image_pair(form)
    got = ops.image.ssim(a, b, **kwargs)
    want = KERAS[f"ssim/{name}"]
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("case", PERSPECTIVE_CASES,
                         ids=[c[0] for c in PERSPECTIVE_CASES])
def test_perspective_transform_matches_keras(case):
    name, kwargs, form, point_form = case
    images, _ = image_pair(form)
    start, end = points(point_form)
    got = ops.image.perspective_transform(images, start, end, **kwargs)
    want = KERAS[f"perspective/{name}"]
    assert got.dtype == np.float32 and got.shape == want.shape
    # Keras solves the homography in float32
    np.testing.assert_allclose(got, want, atol=2e-5)


def test_perspective_one_set_of_points_serves_a_batch():
    images, _ = image_pair("batch")
    one = ops.image.perspective_transform(images, START, END)
    np.testing.assert_allclose(one, KERAS["perspective/bilinear"],
                               atol=2e-5)


def test_identity_points_keep_the_image():
    images, _ = image_pair("batch")
    same = ops.image.perspective_transform(images, START, START)
    np.testing.assert_allclose(same, images, atol=1e-5)
    assert ops.image.ssim(images, images).tolist() == pytest.approx([1, 1])


def _tape_grad(fn, x):
    tape = Tape("test")
    with recording(tape):
        t = tape.watch(x)
        out = fn(t)
    r = np.random.default_rng(4).normal(size=np.shape(out.value))
    return tape.backward([(out.node, r)])[t.node], r


def test_ssim_gradient_matches_central_differences():
    rng = np.random.default_rng(2)
    a = rng.random((2, 7, 6, 2))
    b = rng.random((2, 7, 6, 2))

    def fn(x):
        return ops.image.ssim(x, b, filter_size=3, filter_sigma=0.9)

    got, r = _tape_grad(fn, a)
    want = central_difference(lambda: float(np.sum(fn(a) * r)), a)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)


def test_perspective_gradient_matches_central_differences():
    a = np.random.default_rng(3).random((1, 6, 5, 2))
    start = np.array([[0, 0], [4, 0], [4, 5], [0, 5]], np.float64)
    end = np.array([[0.3, 0.2], [3.8, 0.4], [4.1, 4.7], [0.2, 5.2]])

    def fn(x):
        return ops.image.perspective_transform(x, start, end)

    got, r = _tape_grad(fn, a)
    want = central_difference(lambda: float(np.sum(fn(a) * r)), a)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_errors():
    images, _ = image_pair("batch")
    with pytest.raises(ValueError, match="Invalid image1 rank"):
        ops.image.ssim(images[0, 0], images[0, 0])
    with pytest.raises(ValueError, match="interpolation"):
        ops.image.perspective_transform(images, START, END,
                                        interpolation="bicubic")
    with pytest.raises(ValueError, match="Invalid start_points shape"):
        ops.image.perspective_transform(images, START[:3], END)
    with pytest.raises(ValueError, match="must have the same shape"):
        ops.image.perspective_transform(images, START, np.stack([END, END]))


@pytest.mark.parametrize("case", SCALE_TRANSLATE_CASES,
                         ids=[c[0] for c in SCALE_TRANSLATE_CASES])
def test_scale_and_translate_matches_keras(case):
    name, shape, scale, shift, dims, method, antialias = case
    images, _ = image_pair("batch")
    got = ops.image.scale_and_translate(
        images, shape, np.array(scale, "float32"),
        np.array(shift, "float32"), dims, method, antialias=antialias)
    want = KERAS[f"scale_translate/{name}"]
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=3e-6)


def test_scale_and_translate_gradient_matches_central_differences():
    a = np.random.default_rng(5).random((5, 6, 2))

    def fn(x):
        return ops.image.scale_and_translate(
            x, (3, 9, 2), np.array([0.6, 1.5]), np.array([0.2, -0.4]),
            (0, 1), "cubic")

    got, r = _tape_grad(fn, a)
    want = central_difference(lambda: float(np.sum(fn(a) * r)), a)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)


def test_scale_and_translate_errors():
    x = np.ones((4, 4), np.float32)
    with pytest.raises(ValueError, match="Invalid value for argument "
                                         "`method`"):
        ops.image.scale_and_translate(x, (4, 4), [1, 1], [0, 0], (0, 1),
                                      "triangle")
    with pytest.raises(ValueError, match="one scale and one translation"):
        ops.image.scale_and_translate(x, (4, 4), [1], [0, 0], (0, 1),
                                      "linear")
