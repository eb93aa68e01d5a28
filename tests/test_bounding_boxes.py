"""keras.utils.bounding_boxes against Keras 3's results (fixtures written
by tests/fixtures/make_bounding_box_fixtures.py) and hand-computed
values."""
import os

import numpy as np
import pytest

import seqcore as keras
from seqcore.utils import bounding_boxes as bb

K = np.load(os.path.join(os.path.dirname(__file__), "fixtures",
                         "keras_bounding_boxes.npz"))
FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
           "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")
H, W = 48, 64


def close(got, key):
    expected = K[key]
    assert np.shape(got) == expected.shape, key
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)


def test_namespace_has_keras_names():
    assert keras.utils.bounding_boxes is bb
    for name in ("affine_transform", "clip_to_image_size", "compute_ciou",
                 "compute_iou", "convert_format", "crop",
                 "decode_deltas_to_boxes", "encode_box_to_deltas", "pad"):
        assert callable(getattr(bb, name))


@pytest.mark.parametrize("source", FORMATS)
def test_convert_format_every_pair(source):
    boxes = K[f"as/{source}"]
    for target in FORMATS:
        got = bb.convert_format(boxes, source, target, height=H, width=W)
        assert got.dtype == np.float32
        close(got, f"convert/{source}/{target}")


def test_convert_format_hand_values_dict_and_errors():
    boxes = np.array([[10, 20, 30, 40], [50, 60, 70, 80]])
    np.testing.assert_array_equal(
        bb.convert_format(boxes, "xyxy", "xywh"),
        [[10, 20, 20, 20], [50, 60, 20, 20]])
    np.testing.assert_allclose(
        bb.convert_format(boxes, "XYXY", "rel_xyxy", height=200, width=300),
        [[10 / 300, 0.1, 0.1, 0.2], [50 / 300, 0.3, 70 / 300, 0.4]],
        rtol=1e-6)
    data = {"boxes": boxes, "labels": np.array([1, 2])}
    result = bb.convert_format(data, "xyxy", "center_xywh")
    assert result is data
    np.testing.assert_array_equal(result["boxes"][0], [20, 30, 20, 20])
    assert bb.convert_format(boxes, "xyxy", "xyxy", dtype="float64").dtype \
        == np.float64
    with pytest.raises(ValueError, match="last dimension of 4"):
        bb.convert_format(np.zeros((2, 3)), "xyxy", "xywh")
    with pytest.raises(ValueError, match="Supported formats"):
        bb.convert_format(boxes, "xyxy", "corners")
    with pytest.raises(ValueError, match="`height` and `width`"):
        bb.convert_format(boxes, "xyxy", "rel_xyxy")


def test_clip_to_image_size():
    got = bb.clip_to_image_size({"boxes": K["xyxy"], "labels": K["labels"]},
                                height=H, width=W)
    close(got["boxes"], "clip/boxes")
    np.testing.assert_array_equal(got["labels"], K["clip/labels"])
    rel = bb.clip_to_image_size({"boxes": K["rel_clip/input"],
                                 "labels": K["labels"]},
                                bounding_box_format="rel_xyxy")
    close(rel["boxes"], "rel_clip/boxes")
    np.testing.assert_array_equal(rel["labels"], K["rel_clip/labels"])
    with pytest.raises(ValueError, match="`height` and `width` must be"):
        bb.clip_to_image_size({"boxes": K["xyxy"]})
    with pytest.raises(NotImplementedError):
        bb.clip_to_image_size({"boxes": K["xyxy"]}, H, W, "xywh")


def test_affine_transform():
    params = {name: K[f"affine/{name}"] for name in (
        "angle", "translate_x", "translate_y", "scale", "shear_x",
        "shear_y")}
    close(bb.affine_transform(K["xyxy"], height=H, width=W, **params),
          "affine/result")
    close(bb.affine_transform(K["xyxy"], height=H, width=W, center_x=0.3,
                              center_y=0.6, **params), "affine/centred")
    identity = {k: np.zeros(2, np.float32) for k in params}
    identity["scale"] = np.ones(2, np.float32)
    np.testing.assert_allclose(
        bb.affine_transform(K["xyxy"], height=H, width=W, **identity),
        K["xyxy"], atol=1e-4)
    with pytest.raises(NotImplementedError):
        bb.affine_transform(K["xyxy"], height=H, width=W,
                            bounding_box_format="yxyx", **params)


def test_crop_and_pad():
    close(bb.crop(K["xyxy"], top=5, left=7, height=30, width=40), "crop")
    close(bb.pad(K["xyxy"], top=3, left=9), "pad")
    np.testing.assert_array_equal(
        bb.crop(np.array([[10, 20, 50, 60], [70, 80, 100, 120]]), top=10,
                left=20, height=40, width=30),
        [[0, 10, 30, 40], [30, 40, 30, 40]])
    with pytest.raises(NotImplementedError):
        bb.pad(K["xyxy"], 1, 1, bounding_box_format="xywh")


def test_box_deltas_round_trip():
    anchors = K["xyxy"][0]
    deltas = bb.encode_box_to_deltas(anchors, K["xyxy"], "xyxy", "xyxy")
    close(deltas, "deltas")
    close(bb.encode_box_to_deltas(anchors, K["xyxy"][1], "xyxy", "xyxy",
                                  encoding_format="center_xywh",
                                  variance=[0.1, 0.1, 0.2, 0.2]),
          "deltas_var_xywh")
    close(bb.decode_deltas_to_boxes(anchors, K["deltas"], "xyxy", "xyxy"),
          "decoded")
    np.testing.assert_allclose(K["decoded"], K["xyxy"], atol=1e-3)
    close(bb.decode_deltas_to_boxes(
        anchors, K["deltas_var_xywh"], "xyxy", "rel_yxyx",
        encoded_format="center_xywh", variance=[0.1, 0.1, 0.2, 0.2],
        image_shape=(H, W, 3)), "decoded_var_rel")
    levels = bb.decode_deltas_to_boxes({"p3": anchors},
                                       {"p3": K["deltas"]}, "xyxy", "xyxy")
    np.testing.assert_allclose(levels["p3"], K["decoded"], atol=1e-4)
    with pytest.raises(ValueError, match="length 4"):
        bb.encode_box_to_deltas(anchors, anchors, "xyxy", "xyxy",
                                variance=[1, 1])
    with pytest.raises(ValueError, match="encoding_format"):
        bb.encode_box_to_deltas(anchors, anchors, "xyxy", "xyxy",
                                encoding_format="xyxy")


def test_compute_iou():
    x = K["xyxy"]
    close(bb.compute_iou(x[0], x[1, :5], "xyxy"), "iou/unbatched")
    close(bb.compute_iou(x, x, "xyxy"), "iou/batched")
    close(bb.compute_iou(x[0, :4], x, "xyxy"), "iou/mixed")
    close(bb.compute_iou(K["iou/masked_input"], K["iou/masked_input"],
                         "xyxy", use_masking=True, mask_val=-2),
          "iou/masked")
    rel = bb.convert_format(x, "xyxy", "rel_xyxy", height=H, width=W)
    close(bb.compute_iou(rel[0], rel[1], "rel_xyxy", image_shape=(H, W, 3)),
          "iou/rel")
    # Two unit squares overlapping by half: 0.5 / 1.5.
    np.testing.assert_allclose(
        bb.compute_iou(np.array([[0., 0, 1, 1]]), np.array([[0.5, 0, 1.5, 1]]),
                       "xyxy"), [[1 / 3]], rtol=1e-5)
    with pytest.raises(ValueError, match="boxes1 to be batched"):
        bb.compute_iou(np.zeros(4), x[0], "xyxy")
    with pytest.raises(ValueError, match="image_shape"):
        bb.compute_iou(rel[0], rel[1], "rel_xyxy")


def test_compute_ciou():
    close(bb.compute_ciou(K["xyxy"][0], K["xyxy"][1], "xyxy"), "ciou")
    close(bb.compute_ciou(K["as/xywh"][0], K["as/xywh"][1], "xywh"),
          "ciou/xywh")
    same = bb.compute_ciou(K["xyxy"][0], K["xyxy"][0], "xyxy")
    np.testing.assert_allclose(same, 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="relative"):
        bb.compute_ciou(K["xyxy"][0], K["xyxy"][1], "rel_xyxy")
