"""RandomErasing, CutMix, MixUp and MaxNumBoundingBoxes: the transforms
with given parameters against Keras 3.15
(make_augmentation_geometric_fixtures.py), the random draws by their
properties (MixUp: convex combinations with the labels' weights; CutMix:
one pasted box, label weights from its area; Erasing: filled rectangles),
seeds, inference identity, dict inputs and bad arguments."""
import pathlib

import numpy as np
import pytest

import seqcore as keras

KERAS = np.load(pathlib.Path(__file__).parent / "fixtures" /
                "keras_augmentation_geometric.npz")


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype(
        np.float32)


# ---- RandomErasing ----------------------------------------------------------

@pytest.mark.parametrize("name,fill", [("constant", 300.0), ("inside", 12.5)])
def test_erasing_matches_keras(name, fill):
    layer = keras.layers.RandomErasing(fill_value=fill)
    box = KERAS["erasing/box"]
    t = {"apply_erasing": KERAS["erasing/apply"],
         "box": tuple(box.T)}
    got = layer._images(KERAS["erasing/images"], t, None)
    np.testing.assert_array_equal(got, KERAS[f"erasing/{name}"])


def test_erasing_fills_one_rectangle_per_image():
    x = _images((40, 12, 10, 3), 1)
    layer = keras.layers.RandomErasing(factor=(1.0, 1.0), scale=(0.1, 0.3),
                                       fill_value=-1.0,
                                       value_range=(-1, 255), seed=3)
    out = layer(x)
    for i in range(len(x)):
        erased = np.all(out[i] == -1.0, axis=-1)
        assert erased.any()
        rows, cols = np.nonzero(erased)
        # a full rectangle, and nothing else changed
        assert erased[rows.min():rows.max() + 1,
                      cols.min():cols.max() + 1].all()
        np.testing.assert_array_equal(out[i][~erased], x[i][~erased])
        # each side is sqrt(0.1..0.3) of the image's (+-1 pixel)
        h = rows.max() - rows.min() + 1
        w = cols.max() - cols.min() + 1
        assert np.sqrt(0.1) * 12 - 1 <= h <= np.sqrt(0.3) * 12 + 1
        assert np.sqrt(0.1) * 10 - 1 <= w <= np.sqrt(0.3) * 10 + 1


def test_erasing_noise_fill_is_clipped_and_channel_list_fills_per_channel():
    x = np.full((6, 10, 10, 3), 100.0, np.float32)
    out = keras.layers.RandomErasing(factor=(1.0, 1.0), seed=1)(x)
    changed = out != 100.0
    assert changed.any() and out.min() >= 0 and out.max() <= 255
    # the noise is one value per pixel, the same in every channel
    np.testing.assert_array_equal(out[..., 0], out[..., 1])
    per = keras.layers.RandomErasing(factor=(1.0, 1.0), scale=(0.3, 0.3),
                                     fill_value=[1.0, 2.0, 3.0], seed=1)(x)
    erased = per[..., 0] != 100.0
    assert erased.any()
    np.testing.assert_array_equal(per[erased], np.tile([1.0, 2.0, 3.0],
                                                       (erased.sum(), 1)))


def test_erasing_factor_zero_and_inference_are_identity():
    x = _images((4, 8, 8, 3))
    np.testing.assert_array_equal(
        keras.layers.RandomErasing(factor=0.0, seed=1)(x), x)
    np.testing.assert_array_equal(
        keras.layers.RandomErasing(seed=1)(x, training=False), x)


# ---- MixUp -----------------------------------------------------------------

def _mix_inputs():
    return (KERAS["mix/images"], KERAS["mix/labels"], KERAS["mix/order"],
            KERAS["mix/weight"])


def test_mixup_matches_keras():
    x, labels, order, weight = _mix_inputs()
    layer = keras.layers.MixUp()
    t = {"mix_weight": weight, "permutation_order": order}
    np.testing.assert_allclose(layer._images(x, t, None),
                               KERAS["mixup/images"], rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(layer._labels(labels, t),
                               KERAS["mixup/labels"], rtol=1e-6, atol=1e-7)


def test_mixup_is_a_convex_combination_with_the_labels_weights():
    x = _images((16, 5, 4, 2), 2)
    labels = np.eye(16, dtype=np.float32)
    out = keras.layers.MixUp(alpha=0.8, seed=7)({"images": x,
                                                 "labels": labels})
    mixed, y = out["images"], out["labels"]
    assert y.shape == labels.shape
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-6)
    for i in range(16):
        partner = [j for j in range(16) if j != i and y[i, j] > 0]
        assert len(partner) <= 1
        if partner:
            lam, j = y[i, i], partner[0]
            want = lam * x[i] + (1 - lam) * x[j]
        else:
            want = x[i]
        np.testing.assert_allclose(mixed[i], want, rtol=1e-5, atol=1e-3)
    # some images did get mixed with a partner
    assert np.count_nonzero(y - labels > 1e-3) > 0


def test_mixup_seed_single_image_and_inference():
    x = _images((6, 4, 4, 1), 3)
    a = keras.layers.MixUp(seed=2)(x)
    np.testing.assert_array_equal(a, keras.layers.MixUp(seed=2)(x))
    np.testing.assert_array_equal(
        keras.layers.MixUp(seed=2)(x, training=False), x)
    np.testing.assert_allclose(keras.layers.MixUp(seed=2)(x[0]), x[0],
                               rtol=1e-6)


# ---- CutMix ----------------------------------------------------------------

def test_cutmix_matches_keras():
    x, labels, order, _ = _mix_inputs()
    layer = keras.layers.CutMix()
    box = KERAS["cutmix/box"]
    h, w = x.shape[1:3]
    x0, x1, y0, y1 = box.T
    t = {"permutation_order": order, "box": (x0, x1, y0, y1),
         "mix_weight": 1.0 - (x1 - x0) * (y1 - y0) / np.float32(w * h)}
    np.testing.assert_array_equal(layer._images(x, t, None),
                                  KERAS["cutmix/images"])
    np.testing.assert_allclose(layer._labels(labels, t),
                               KERAS["cutmix/labels"], rtol=1e-6, atol=1e-7)


def test_cutmix_pastes_one_box_and_weights_labels_by_its_area():
    n, h, w = 12, 16, 20
    # image i is constant i: a pasted pixel tells its source
    x = np.repeat(np.arange(n, dtype=np.float32), h * w * 2).reshape(
        n, h, w, 2)
    labels = np.eye(n, dtype=np.float32)
    layer = keras.layers.CutMix(factor=(1.0, 1.0), seed=4)
    out = layer({"images": x, "labels": labels})
    y = out["labels"]
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-6)
    pasted_any = False
    for i in range(n):
        other = out["images"][i, ..., 0] != i
        if not other.any():
            continue
        pasted_any = True
        rows, cols = np.nonzero(other)
        assert other[rows.min():rows.max() + 1,
                     cols.min():cols.max() + 1].all()
        src = np.unique(out["images"][i][other])
        assert len(src) == 1
        j = int(src[0])
        # the box's continuous area (Keras's label weight) is within a
        # pixel border of the pasted pixel count
        area = 1.0 - y[i, i]
        count = other.sum() / (h * w)
        bh, bw = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        assert (bh - 1) * (bw - 1) / (h * w) - 1e-6 <= area <= \
            (bh + 1) * (bw + 1) / (h * w) + 1e-6
        assert abs(y[i, j] - area) < 1e-6 and count > 0
    assert pasted_any


def test_cutmix_single_image_seed_and_inference():
    x = _images((5, 8, 8, 3), 5)
    np.testing.assert_array_equal(keras.layers.CutMix(seed=1)(x[0]), x[0])
    np.testing.assert_array_equal(keras.layers.CutMix(seed=1)(x),
                                  keras.layers.CutMix(seed=1)(x))
    np.testing.assert_array_equal(keras.layers.CutMix(seed=1)(
        x, training=False), x)
    d = keras.layers.CutMix(seed=1)({"images": x, "labels": np.eye(5)},
                                    training=False)
    np.testing.assert_array_equal(d["labels"], np.eye(5))


def test_cutmix_channels_first_equals_channels_last():
    x = _images((6, 7, 9, 2), 6)
    last = keras.layers.CutMix(seed=3)(x)
    first = keras.layers.CutMix(seed=3, data_format="channels_first")(
        np.moveaxis(x, -1, 1))
    np.testing.assert_array_equal(np.moveaxis(first, 1, -1), last)


# ---- MaxNumBoundingBoxes ---------------------------------------------------

@pytest.mark.parametrize("m", [3, 7])
def test_max_num_bounding_boxes_matches_keras(m):
    layer = keras.layers.MaxNumBoundingBoxes(m, fill_value=-2,
                                             bounding_box_format="xyxy")
    x = KERAS["maxboxes/images"]
    boxes = {"boxes": KERAS["maxboxes/boxes"],
             "labels": KERAS["maxboxes/labels"]}
    for training in (True, False):
        out = layer({"images": x, "bounding_boxes": boxes},
                    training=training)
        np.testing.assert_array_equal(out["images"], x)
        np.testing.assert_array_equal(out["bounding_boxes"]["boxes"],
                                      KERAS[f"maxboxes/{m}/boxes"])
        np.testing.assert_array_equal(out["bounding_boxes"]["labels"],
                                      KERAS[f"maxboxes/{m}/labels"])


def test_max_num_bounding_boxes_single_image_lists_and_errors():
    layer = keras.layers.MaxNumBoundingBoxes(2, bounding_box_format="xyxy")
    out = layer({"images": np.zeros((4, 4, 1)),
                 "bounding_boxes": {"boxes": np.ones((3, 4)),
                                    "labels": np.array([1, 2, 3])}})
    assert out["bounding_boxes"]["boxes"].shape == (2, 4)
    np.testing.assert_array_equal(out["bounding_boxes"]["labels"], [1, 2])
    ragged = layer({"images": np.zeros((2, 4, 4, 1)), "bounding_boxes": {
        "boxes": [[[0, 0, 1, 1]], [[0, 0, 2, 2], [1, 1, 3, 3], [0, 1, 2, 3]]],
        "labels": [[5], [6, 7, 8]]}})
    np.testing.assert_array_equal(ragged["bounding_boxes"]["labels"],
                                  [[5, -1], [6, 7]])
    with pytest.raises(ValueError, match="bounding_box_format"):
        keras.layers.MaxNumBoundingBoxes(2)({
            "images": np.zeros((1, 4, 4, 1)),
            "bounding_boxes": {"boxes": np.ones((1, 3, 4)),
                               "labels": np.ones((1, 3))}})
    with pytest.raises(ValueError, match="max_number"):
        keras.layers.MaxNumBoundingBoxes(0)
    with pytest.raises(KeyError, match="unsupported"):
        layer({"images": np.zeros((1, 4, 4, 1)), "bounding_boxes": {
            "boxes": np.ones((1, 3, 4)), "labels": np.ones((1, 3)),
            "scores": np.ones((1, 3))}})
    shape = layer.compute_output_shape({
        "images": (None, 4, 4, 1),
        "bounding_boxes": {"boxes": (None, 9, 4), "labels": (None, 9)}})
    assert shape["bounding_boxes"]["boxes"] == [None, 2, 4]


def test_other_layers_boxes_follow_keras():
    x = _images((3, 6, 6, 1))
    boxes = {"boxes": np.arange(24, dtype=np.float32).reshape(3, 2, 4),
             "labels": np.array([[1, 2], [3, 4], [5, 6]])}
    erased = keras.layers.RandomErasing(bounding_box_format="xyxy", seed=1)(
        {"images": x, "bounding_boxes": boxes})
    np.testing.assert_array_equal(erased["bounding_boxes"]["boxes"],
                                  boxes["boxes"])
    mixed = keras.layers.MixUp(bounding_box_format="xyxy", seed=1)(
        {"images": x, "bounding_boxes": boxes})
    assert mixed["bounding_boxes"]["boxes"].shape == (3, 4, 4)
    np.testing.assert_array_equal(mixed["bounding_boxes"]["boxes"][:, :2],
                                  boxes["boxes"])
    with pytest.raises(NotImplementedError):
        keras.layers.CutMix(bounding_box_format="xyxy", seed=1)(
            {"images": x, "bounding_boxes": boxes})


# ---- errors ---------------------------------------------------------------

def test_bad_arguments_raise_keras_error_types():
    with pytest.raises(ValueError, match="factor"):
        keras.layers.RandomErasing(factor=1.5)
    with pytest.raises(ValueError, match="scale"):
        keras.layers.RandomErasing(scale=(0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="fill_value"):
        keras.layers.RandomErasing(fill_value=[1.0, 2.0])
    with pytest.raises(ValueError, match="value_range"):
        keras.layers.RandomErasing(value_range=5)
    with pytest.raises(ValueError, match="factor"):
        keras.layers.CutMix(factor="big")
    with pytest.raises(ValueError, match="alpha"):
        keras.layers.MixUp(alpha=-1.0)
    with pytest.raises(ValueError, match="rank"):
        keras.layers.MixUp()(np.zeros((2, 3), np.float32))
