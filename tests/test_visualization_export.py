"""keras.visualization's drawing functions against Keras 3's images
(fixtures written by tests/fixtures/make_visualization_fixtures.py, with
OpenCV in the peer), the plotting functions' matplotlib requirement, and
keras.export's clear refusal."""
import os

import numpy as np
import pytest

import seqcore as keras
from seqcore import visualization as vis
from seqcore.utils import bounding_boxes as bb
from seqcore.visualization.draw import rectangle_mask

K = np.load(os.path.join(os.path.dirname(__file__), "fixtures",
                         "keras_visualization.npz"))
DATA = {"boxes": K["boxes"], "labels": K["labels"]}


def identical(got, key):
    expected = K[key]
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("thickness", [1, 2, 3])
def test_draw_bounding_boxes_matches_keras(thickness):
    got = vis.draw_bounding_boxes(K["images"], dict(DATA), "xyxy",
                                  line_thickness=thickness,
                                  color=(255, 0, 9))
    identical(got, f"boxes/t{thickness}")


def test_draw_bounding_boxes_unit_images_other_format_channels_first():
    boxes = bb.convert_format(K["boxes"], "xyxy", "xywh")
    data = {"boxes": boxes, "labels": K["labels"]}
    identical(vis.draw_bounding_boxes(K["unit"], data, "xywh"),
              "boxes/unit_xywh")
    first = vis.draw_bounding_boxes(K["unit"].transpose(0, 3, 1, 2), data,
                                    "xywh", data_format="channels_first")
    np.testing.assert_array_equal(first.transpose(0, 2, 3, 1),
                                  K["boxes/unit_xywh"])


def test_draw_bounding_boxes_labels_need_opencv():
    data = {**DATA, "confidences": np.full((2, 3), 0.5, "float32")}
    try:
        import cv2  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="OpenCV"):
            vis.draw_bounding_boxes(K["images"], data, "xyxy",
                                    class_mapping={0: "cat", 2: "dog"})
        return
    identical(vis.draw_bounding_boxes(K["images"], data, "xyxy",
                                      class_mapping={0: "cat", 2: "dog"}),
              "boxes/text")


def test_rectangle_mask_reference():
    mask = rectangle_mask(6, 7, 1, 1, 4, 3, 1)
    expected = np.zeros((6, 7), bool)
    expected[1, 1:5] = expected[3, 1:5] = True
    expected[1:4, 1] = expected[1:4, 4] = True
    np.testing.assert_array_equal(mask, expected)
    thick = rectangle_mask(12, 14, 2, 3, 9, 8, 2)
    assert thick[2, 2] and not thick[2, 1] and thick[3, 1]
    assert not thick[5:7, 4:8].any()


def test_draw_bounding_boxes_errors():
    with pytest.raises(ValueError, match="batched 4D"):
        vis.draw_bounding_boxes(K["images"][0], DATA, "xyxy")
    with pytest.raises(TypeError, match="should be a dict"):
        vis.draw_bounding_boxes(K["images"], K["boxes"], "xyxy")
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        vis.draw_bounding_boxes(K["images"], {"boxes": K["boxes"]}, "xyxy")


def test_draw_segmentation_masks_matches_keras():
    images, masks = K["images"], K["masks"]
    identical(vis.draw_segmentation_masks(images, masks), "masks/default")
    identical(vis.draw_segmentation_masks(images, masks, num_classes=4,
                                          alpha=0.3), "masks/classes")
    identical(vis.draw_segmentation_masks(
        images, masks, num_classes=3,
        color_mapping={0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 255)},
        ignore_index=0), "masks/mapping")
    identical(vis.draw_segmentation_masks(images, masks, num_classes=4,
                                          blend=False), "masks/no_blend")
    with pytest.raises(TypeError, match="integer dtype"):
        vis.draw_segmentation_masks(images, masks.astype("float32"))
    with pytest.raises(ValueError, match="batched 4D"):
        vis.draw_segmentation_masks(images[0], masks[0])


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def test_plot_functions_need_matplotlib(tmp_path):
    images = K["images"]
    calls = [
        lambda p: vis.plot_image_gallery(images, path=p),
        lambda p: vis.plot_bounding_box_gallery(
            images, "xyxy", y_true=dict(DATA), path=p),
        lambda p: vis.plot_segmentation_mask_gallery(
            images, num_classes=4, y_true=K["masks"], path=p),
    ]
    for i, call in enumerate(calls):
        path = str(tmp_path / f"gallery{i}.png")
        if not _has_matplotlib():
            with pytest.raises(ImportError, match="matplotlib"):
                call(path)
        else:
            import matplotlib
            matplotlib.use("Agg")
            call(path)
            assert os.path.getsize(path) > 0


def test_plot_image_gallery_argument_errors():
    if not _has_matplotlib():
        pytest.skip("matplotlib is not installed")
    with pytest.raises(ValueError, match="either `path`"):
        vis.plot_image_gallery(K["images"], path="x.png", show=True)
    with pytest.raises(ValueError, match="label_map"):
        vis.plot_image_gallery(K["images"], y_true=[0, 1])


def test_export_raises_clearly(tmp_path):
    with pytest.raises(NotImplementedError, match="model.keras"):
        keras.export.ExportArchive()
    with pytest.raises(ValueError, match="Unsupported format"):
        keras.export.ExportArchive(format="zip")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(NotImplementedError, match="TensorFlow"):
        model.export(str(tmp_path / "saved"))
    with pytest.raises(NotImplementedError, match="onnx"):
        model.export(str(tmp_path / "m.onnx"), format="onnx")
    with pytest.raises(ValueError, match="Unrecognized format=tflite"):
        model.export(str(tmp_path / "m"), format="tflite")
    assert not os.path.exists(tmp_path / "saved")
