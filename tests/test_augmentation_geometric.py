"""RandomShear, RandomPerspective, RandomElasticTransform and
keras.ops.image.elastic_transform: the transforms with given parameters
against Keras 3.15 (make_augmentation_geometric_fixtures.py) at 1e-5 of
the pixel range, the random draws by their properties, seeds, inference
identity, layouts, dict inputs and bad arguments."""
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import ops
from seqcore.ops import _elastic

KERAS = np.load(pathlib.Path(__file__).parent / "fixtures" /
                "keras_augmentation_geometric.npz")
TOL = 255 * 1e-5 * 2     # images in [0, 255]: 1e-5 of the range, float32


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype(
        np.float32)


# ---- RandomShear ------------------------------------------------------------

@pytest.mark.parametrize("fill", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interp", ["bilinear", "nearest"])
def test_shear_matches_keras(fill, interp):
    layer = keras.layers.RandomShear(0.5, 0.5, interpolation=interp,
                                     fill_mode=fill, fill_value=7.0)
    x = KERAS["shear/images"]
    got = layer._images(x, {"shear_factor": KERAS["shear/factor"]}, interp)
    np.testing.assert_allclose(got, KERAS[f"shear/{fill}_{interp}"],
                               atol=TOL, rtol=0)


def test_shear_channels_first_matches_keras():
    layer = keras.layers.RandomShear(0.5, 0.5, data_format="channels_first",
                                     seed=1)
    x = np.moveaxis(KERAS["shear/images"], -1, 1)
    batch = layer._to_last(x)
    got = layer._from_last(layer._images(
        batch, {"shear_factor": KERAS["shear/factor"]}, "bilinear"))
    np.testing.assert_allclose(got, KERAS["shear/channels_first"], atol=TOL)
    assert layer(x).shape == x.shape


def test_shear_pinned_factors_give_keras_images_up_to_the_sign():
    """Keras draws the sign of each image's shear: with the factors
    pinned, each of its images is ours sheared by +(0.3, 0.2) or its
    negation."""
    x = KERAS["shear/images"]
    layer = keras.layers.RandomShear((0.3, 0.3), (0.2, 0.2))
    want = KERAS["shear/pinned"]
    for i in range(len(x)):
        plus = layer._images(x[i:i + 1], {"shear_factor": np.array(
            [[0.3, 0.2]], np.float32)}, "bilinear")[0]
        minus = layer._images(x[i:i + 1], {"shear_factor": np.array(
            [[-0.3, -0.2]], np.float32)}, "bilinear")[0]
        assert min(np.abs(plus - want[i]).max(),
                   np.abs(minus - want[i]).max()) < TOL


def test_shear_draws_both_signs_within_the_factors():
    layer = keras.layers.RandomShear((0.1, 0.3), (0.2, 0.4), seed=3)
    t = layer._draw(np.random.default_rng(0), 400, 5, 5)
    s = t["shear_factor"]
    sign = np.sign(s[:, 0])
    assert set(sign) == {-1.0, 1.0} and np.all(np.sign(s[:, 1]) == sign)
    assert np.all((np.abs(s[:, 0]) >= 0.1) & (np.abs(s[:, 0]) <= 0.3))
    assert np.all((np.abs(s[:, 1]) >= 0.2) & (np.abs(s[:, 1]) <= 0.4))


def test_shear_zero_factor_is_identity_and_number_means_symmetric():
    x = _images((2, 6, 5, 3))
    np.testing.assert_allclose(keras.layers.RandomShear(seed=1)(x), x,
                               atol=1e-4)
    assert keras.layers.RandomShear(0.3).x_factor == (-0.3, 0.3)


# ---- RandomPerspective -----------------------------------------------------

@pytest.mark.parametrize("interp", ["bilinear", "nearest"])
def test_perspective_matches_keras(interp):
    layer = keras.layers.RandomPerspective(interpolation=interp,
                                           fill_value=3.0)
    t = {"apply_perspective": KERAS["perspective/apply"],
         "start_points": KERAS["perspective/start"],
         "end_points": KERAS["perspective/end"]}
    got = layer._images(KERAS["perspective/images"], t, interp)
    np.testing.assert_allclose(got, KERAS[f"perspective/{interp}"],
                               atol=3e-5 * 255)
    # the image not selected passes unchanged
    np.testing.assert_array_equal(got[1], KERAS["perspective/images"][1])


def test_perspective_draw_moves_corners_within_scale():
    layer = keras.layers.RandomPerspective(factor=(1.0, 1.0), scale=0.4)
    t = layer._draw(np.random.default_rng(1), 50, 9, 11)
    assert t["apply_perspective"].all()
    start, end = t["start_points"], t["end_points"]
    np.testing.assert_array_equal(start[0], [[0, 0], [10, 0], [0, 8],
                                             [10, 8]])
    shift = np.abs(end - start)
    assert np.all(shift <= 0.2 * start + 1e-6)
    assert layer._draw(np.random.default_rng(1), 50, 9, 11)[
        "apply_perspective"].all()
    never = keras.layers.RandomPerspective(factor=0.0)
    assert not never._draw(np.random.default_rng(1), 50, 9, 11)[
        "apply_perspective"].any()


def test_perspective_scale_zero_is_identity():
    x = _images((3, 7, 6, 2))
    out = keras.layers.RandomPerspective(factor=(1.0, 1.0), scale=0.0)(x)
    np.testing.assert_allclose(out, x, atol=1e-3)


# ---- elastic_transform -----------------------------------------------------

CASES = [("default", "bilinear", "reflect"), ("wide", "bilinear", "constant"),
         ("nearest", "nearest", "wrap"), ("mirror", "bilinear", "mirror"),
         ("edge", "bilinear", "nearest")]


@pytest.mark.parametrize("name,interp,fill", CASES,
                         ids=[c[0] for c in CASES])
def test_elastic_warp_matches_keras_recipe(name, interp, fill):
    alpha, sigma = KERAS[f"elastic/{name}_args"]
    got = _elastic.warp(KERAS["elastic/images"], KERAS["elastic/noise_x"],
                        KERAS["elastic/noise_y"], alpha, sigma, interp, fill,
                        5.0)
    np.testing.assert_allclose(got, KERAS[f"elastic/{name}"], atol=TOL)


def test_blur_fields_is_a_zero_padded_gaussian_convolution():
    rng = np.random.default_rng(2)
    f = rng.standard_normal((2, 6, 9))
    sigma = 0.8
    size = int(6 * sigma) | 1
    k = _elastic.gaussian_kernel_1d(size, sigma)
    k2 = np.outer(k, k)
    r = size // 2
    padded = np.pad(f, ((0, 0), (r, r), (r, r)))
    want = np.zeros_like(f)
    for i in range(6):
        for j in range(9):
            want[:, i, j] = (padded[:, i:i + size, j:j + size] * k2).sum(
                axis=(1, 2))
    np.testing.assert_allclose(_elastic.blur_fields(f, sigma), want,
                               atol=1e-12)
    assert abs(k.sum() - 1) < 1e-12 and size == 5


def test_elastic_transform_op_seed_shapes_and_formats():
    x = _images((2, 12, 10, 3), 4)
    a = ops.image.elastic_transform(x, alpha=5.0, sigma=2.0, seed=3)
    b = ops.image.elastic_transform(x, alpha=5.0, sigma=2.0, seed=3)
    c = ops.image.elastic_transform(x, alpha=5.0, sigma=2.0, seed=4)
    assert a.shape == x.shape and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1.0
    # channels_first gives the same warp on the moved axes
    cf = ops.image.elastic_transform(np.moveaxis(x, -1, 1), alpha=5.0,
                                     sigma=2.0, seed=3,
                                     data_format="channels_first")
    np.testing.assert_allclose(np.moveaxis(cf, 1, -1), a, atol=1e-4)
    single = ops.image.elastic_transform(x[0], alpha=5.0, sigma=2.0, seed=3)
    assert single.shape == x[0].shape
    # alpha 0: no displacement, the identity
    np.testing.assert_allclose(
        ops.image.elastic_transform(x, alpha=0.0, sigma=2.0, seed=1), x,
        atol=1e-4)
    # nearest taps only copy input pixel values
    near = ops.image.elastic_transform(x[:1], alpha=6.0, sigma=1.5, seed=2,
                                       interpolation="nearest",
                                       fill_mode="nearest")
    assert np.isin(near, x[:1]).all()


def test_elastic_transform_op_errors():
    x = _images((1, 5, 5, 1))
    with pytest.raises(ValueError, match="interpolation"):
        ops.image.elastic_transform(x, interpolation="bicubic")
    with pytest.raises(ValueError, match="fill_mode"):
        ops.image.elastic_transform(x, fill_mode="edge")
    with pytest.raises(ValueError, match="rank"):
        ops.image.elastic_transform(x[0, 0])


# ---- RandomElasticTransform -----------------------------------------------

def test_elastic_layer_uses_keras_alpha_sigma_and_clips():
    layer = keras.layers.RandomElasticTransform(value_range=(10, 200),
                                                fill_mode="constant")
    x = KERAS["elastic/images"]
    t = {"apply_transform": np.array([True, False]),
         "distortion_factor": 0.5, "noise_x": KERAS["elastic/noise_x"],
         "noise_y": KERAS["elastic/noise_y"]}
    got = layer._images(x, t, "bilinear")
    alpha, sigma = 0.1 * 0.5 * 10, 0.05 * 0.5 * 9
    want = _elastic.warp(x[:1], t["noise_x"][:1], t["noise_y"][:1], alpha,
                         sigma, "bilinear", "constant", 0.0)
    np.testing.assert_allclose(got[0], np.clip(want[0], 10, 200), atol=1e-3)
    np.testing.assert_allclose(got[1], np.clip(x[1], 10, 200))


def test_elastic_layer_zero_scale_or_factor_is_identity():
    x = _images((2, 8, 8, 1)) * 2    # beyond value_range: not clipped
    for layer in (keras.layers.RandomElasticTransform(scale=0.0),
                  keras.layers.RandomElasticTransform(factor=0.0)):
        np.testing.assert_array_equal(layer(x), x)


def test_elastic_layer_deforms_when_applied():
    x = _images((3, 16, 16, 2))
    layer = keras.layers.RandomElasticTransform(factor=(1.0, 1.0),
                                                scale=(0.8, 0.8), seed=5)
    out = layer(x)
    assert out.shape == x.shape and np.abs(out - x).max() > 1.0
    assert out.min() >= 0 and out.max() <= 255


# ---- shared: seeds, inference, layouts, dicts, configs, errors ----------

LAYERS = [
    lambda **k: keras.layers.RandomShear(0.3, 0.3, **k),
    lambda **k: keras.layers.RandomPerspective(factor=(1.0, 1.0), **k),
    lambda **k: keras.layers.RandomElasticTransform(factor=(1.0, 1.0), **k),
]


@pytest.mark.parametrize("make", LAYERS, ids=["shear", "perspective",
                                              "elastic"])
def test_seed_inference_single_image_and_dict(make):
    x = _images((3, 10, 9, 2), 7)
    a, b = make(seed=11), make(seed=11)
    out = a(x)
    np.testing.assert_array_equal(out, b(x))
    assert np.abs(out - x).max() > 0.5
    # the next call draws anew
    assert np.abs(a(x) - out).max() > 0.5
    # inference: unchanged (also through predict in a model)
    np.testing.assert_array_equal(a(x, training=False), x)
    model = keras.Sequential([keras.Input((10, 9, 2)), make(seed=1)])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    # one image
    assert a(x[0]).shape == x[0].shape
    # dict: labels pass, segmentation masks follow with nearest taps
    masks = np.repeat(np.arange(90, dtype=np.float32).reshape(
        1, 10, 9, 1), 3, axis=0)
    d = make(seed=11)({"images": x, "labels": np.eye(3),
                       "segmentation_masks": masks})
    np.testing.assert_array_equal(d["images"], out)
    np.testing.assert_array_equal(d["labels"], np.eye(3))
    assert d["segmentation_masks"].shape == masks.shape
    assert np.isin(d["segmentation_masks"], masks).all()


@pytest.mark.parametrize("make", LAYERS, ids=["shear", "perspective",
                                              "elastic"])
def test_channels_first_equals_channels_last(make):
    x = _images((2, 9, 8, 3), 8)
    last = make(seed=2)(x)
    first = make(seed=2, data_format="channels_first")(np.moveaxis(x, -1, 1))
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), last, atol=1e-3)


def test_bad_arguments_raise_keras_error_types():
    with pytest.raises(ValueError, match="x_factor"):
        keras.layers.RandomShear(x_factor=1.5)
    with pytest.raises(ValueError):
        keras.layers.RandomShear(y_factor=(0.1, 0.2, 0.3))
    with pytest.raises(ValueError):
        keras.layers.RandomShear(x_factor=(-1.5, 0.2))
    with pytest.raises(NotImplementedError, match="fill_mode"):
        keras.layers.RandomShear(fill_mode="mirror")
    with pytest.raises(NotImplementedError, match="interpolation"):
        keras.layers.RandomShear(interpolation="bicubic")
    with pytest.raises(ValueError, match="scale"):
        keras.layers.RandomPerspective(scale=1.5)
    with pytest.raises(ValueError, match="factor"):
        keras.layers.RandomPerspective(factor=2.0)
    with pytest.raises(NotImplementedError):
        keras.layers.RandomPerspective(interpolation="lanczos3")
    with pytest.raises(ValueError, match="scale"):
        keras.layers.RandomElasticTransform(scale=-0.5)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        keras.layers.RandomElasticTransform(fill_mode="edge")
    with pytest.raises(ValueError, match="rank"):
        keras.layers.RandomShear(0.2)(np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match="images"):
        keras.layers.RandomShear(0.2)({"labels": np.eye(2)})
    with pytest.raises(ValueError, match="bounding_box_format"):
        keras.layers.RandomShear(0.2)({
            "images": np.zeros((1, 4, 4, 1)),
            "bounding_boxes": {"boxes": np.zeros((1, 1, 4)),
                               "labels": np.zeros((1, 1))}})


def test_backward_refuses():
    layer = keras.layers.RandomShear(0.2)
    with pytest.raises(NotImplementedError, match="no backward"):
        layer.backward(np.zeros((1, 4, 4, 1), np.float32))


# ---- bounding boxes -------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xyxy", "rel_xywh", "center_xywh", "yxyx"])
def test_shear_boxes_match_keras(fmt):
    layer = keras.layers.RandomShear(0.5, 0.5, bounding_box_format=fmt)
    h, w = KERAS["shear/images"].shape[1:3]
    boxes = {"boxes": KERAS[f"shear_boxes/{fmt}/in"],
             "labels": KERAS["boxes/labels"]}
    out = layer._boxes(boxes, {"shear_factor": KERAS["shear/factor"]}, h, w)
    np.testing.assert_allclose(out["boxes"], KERAS[f"shear_boxes/{fmt}/boxes"],
                               atol=1e-5)
    np.testing.assert_array_equal(out["labels"],
                                  KERAS[f"shear_boxes/{fmt}/labels"])
    assert (out["labels"] == -1).any()      # a box clipped away


def test_perspective_boxes_match_keras():
    layer = keras.layers.RandomPerspective(bounding_box_format="xyxy")
    t = {"apply_perspective": KERAS["perspective/apply"],
         "start_points": KERAS["perspective/start"],
         "end_points": KERAS["perspective/end"]}
    boxes = {"boxes": KERAS["boxes/xyxy"], "labels": KERAS["boxes/labels"]}
    out = layer._boxes(boxes, t, 9, 8)
    np.testing.assert_allclose(out["boxes"], KERAS["perspective_boxes/boxes"],
                               atol=1e-4)
    np.testing.assert_array_equal(out["labels"],
                                  KERAS["perspective_boxes/labels"])


def test_boxes_through_a_call_and_formats_round_trip():
    from seqcore.layers.preprocessing import _boxes
    xyxy = KERAS["boxes/xyxy"][:, :3]
    for fmt in _boxes.FORMATS:
        back = _boxes.to_xyxy(_boxes.from_xyxy(xyxy, fmt, 8, 7), fmt, 8, 7)
        np.testing.assert_allclose(back, xyxy, atol=1e-5)
    x = _images((3, 8, 7, 2))
    labels = KERAS["boxes/labels"][:, :3]
    layer = keras.layers.RandomShear(0.3, bounding_box_format="xyxy",
                                     seed=2)
    out = layer({"images": x, "bounding_boxes": {"boxes": xyxy,
                                                 "labels": labels}})
    assert out["bounding_boxes"]["boxes"].shape == (3, 3, 4)
    inference = layer({"images": x, "bounding_boxes": {
        "boxes": xyxy, "labels": labels}}, training=False)
    np.testing.assert_array_equal(inference["bounding_boxes"]["boxes"], xyxy)
    one = layer({"images": x[0], "bounding_boxes": {"boxes": xyxy[0],
                                                    "labels": labels[0]}})
    assert one["bounding_boxes"]["boxes"].shape == (3, 4)
    with pytest.raises(NotImplementedError):
        keras.layers.RandomElasticTransform(bounding_box_format="xyxy")(
            {"images": x, "bounding_boxes": {"boxes": xyxy,
                                             "labels": labels}})
    with pytest.raises(ValueError, match="bounding_box_format"):
        keras.layers.RandomShear(bounding_box_format="xyz")
