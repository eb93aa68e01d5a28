"""Image galleries with matplotlib (an ImportError naming it when it is
not installed), with Keras 3's arguments."""
import functools
import math

import numpy as np

from seqcore.config import image_data_format
from seqcore.visualization.draw import (draw_bounding_boxes,
                                        draw_segmentation_masks)


def _pyplot(function):
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            f"The `{function}` function requires the `matplotlib` package. "
            f"Please install it with `pip install matplotlib`.") from None
    return plt


def _channels_last_batch(images, data_format):
    """A batch of images (n, h, w, c), Keras's error for another rank."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: "
                         f"images.shape={images.shape}")
    if (data_format or image_data_format()) == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    return images


def _to_pixel_range(images, value_range):
    low, high = value_range
    images = np.asarray(images, np.float32)
    return (images - low) * (255.0 / (high - low))


def plot_image_gallery(images, y_true=None, y_pred=None, label_map=None,
                       rows=None, cols=None, value_range=(0, 255), scale=2,
                       path=None, show=None, transparent=True, dpi=60,
                       legend_handles=None, data_format=None):
    """Show (or save to `path`) a grid of images, titled with their true
    and predicted labels when given.

    Args:
        images: `(batch, height, width, channels)` (or channels first).
        y_true, y_pred: class ids per image (need `label_map`).
        label_map: {class id: name}.
        rows, cols: the grid (default: a square-ish grid of the batch).
        value_range: the images' value range, mapped to 0-255.
        scale: inches per grid cell.
        path: a file to save the figure to (then nothing is shown).
        show: show the figure (default: when `path` is None).
        transparent, dpi: savefig options.
        legend_handles: matplotlib handles for a figure legend.
        data_format: 'channels_last' or 'channels_first'.
    """
    plt = _pyplot("plot_image_gallery")
    if path is not None and show:
        raise ValueError("plot_gallery() expects either `path` to be set, "
                         "or `show` to be true.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a "
                         "`label_map` must also be provided.")
    show = show if show is not None else path is None
    data_format = data_format or image_data_format()
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError("`plot_images_gallery()` requires you to batch "
                         "your `np.array` samples together.")
    batch = images.shape[0]
    rows = rows or int(math.ceil(math.sqrt(batch)))
    cols = cols or int(math.ceil(batch // rows))
    images = images[:min(rows * cols, batch)]
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    fig, axes = plt.subplots(nrows=rows, ncols=cols,
                             figsize=(cols * scale, rows * scale),
                             frameon=False, layout="tight", squeeze=True,
                             sharex="row", sharey="col")
    fig.subplots_adjust(wspace=0, hspace=0)
    if isinstance(axes, np.ndarray) and axes.ndim == 1:
        axes = np.expand_dims(axes, 0 if rows == 1 else -1)
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")
    images = _to_pixel_range(images, value_range)
    y_true = None if y_true is None else np.asarray(y_true)
    y_pred = None if y_pred is None else np.asarray(y_pred)
    for row in range(rows):
        for col in range(cols):
            index = row * cols + col
            axis = axes[row, col] if isinstance(axes, np.ndarray) else axes
            if index < len(images):
                axis.imshow(images[index].astype("uint8"))
            axis.margins(x=0, y=0)
            axis.axis("off")
            title = []
            if y_true is not None and index < len(y_true):
                title.append(f"Label: "
                             f"{label_map.get(y_true[index], 'Unknown')}")
            if y_pred is not None and index < len(y_pred):
                title.append(f"Pred: "
                             f"{label_map.get(y_pred[index], 'Unknown')}")
            if title:
                axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        plt.savefig(fname=path, pad_inches=0, bbox_inches="tight",
                    transparent=transparent, dpi=dpi)
        plt.close()
    elif show:
        plt.show()
        plt.close()


def plot_bounding_box_gallery(images, bounding_box_format, y_true=None,
                              y_pred=None, value_range=(0, 255),
                              true_color=(0, 188, 212),
                              pred_color=(255, 235, 59), line_thickness=2,
                              font_scale=1.0, text_thickness=None,
                              class_mapping=None, ground_truth_mapping=None,
                              prediction_mapping=None, legend=False,
                              legend_handles=None, rows=None, cols=None,
                              data_format=None, **kwargs):
    """A gallery of images with their true (`y_true`) and predicted
    (`y_pred`) boxes drawn; other keyword arguments go to
    plot_image_gallery."""
    _pyplot("plot_bounding_box_gallery")
    from matplotlib import patches
    prediction_mapping = prediction_mapping or class_mapping
    ground_truth_mapping = ground_truth_mapping or class_mapping
    images = _channels_last_batch(images, data_format)
    draw = functools.partial(
        draw_bounding_boxes, bounding_box_format=bounding_box_format,
        line_thickness=line_thickness, text_thickness=text_thickness,
        font_scale=font_scale, data_format="channels_last")
    plotted = images
    if y_true is not None:
        plotted = draw(plotted, y_true, color=true_color,
                       class_mapping=ground_truth_mapping)
    if y_pred is not None:
        plotted = draw(plotted, y_pred, color=pred_color,
                       class_mapping=prediction_mapping)
    if legend:
        if legend_handles:
            raise ValueError("Only pass `legend` OR `legend_handles` to "
                             "`keras.visualization."
                             "plot_bounding_box_gallery()`.")
        legend_handles = [
            patches.Patch(color=np.array(true_color) / 255.0,
                          label="Ground Truth"),
            patches.Patch(color=np.array(pred_color) / 255.0,
                          label="Prediction")]
    return plot_image_gallery(plotted, value_range=value_range,
                              legend_handles=legend_handles, rows=rows,
                              cols=cols, data_format="channels_last",
                              **kwargs)


def plot_segmentation_mask_gallery(images, num_classes, value_range=(0, 255),
                                   y_true=None, y_pred=None,
                                   color_mapping=None, blend=True, alpha=0.8,
                                   ignore_index=-1, data_format=None,
                                   **kwargs):
    """A gallery with, per image, the image and its true and predicted
    masks painted over it (one row per image)."""
    _pyplot("plot_segmentation_mask_gallery")
    images = _channels_last_batch(images, data_format)
    draw = functools.partial(
        draw_segmentation_masks, num_classes=num_classes,
        color_mapping=color_mapping, alpha=alpha, ignore_index=ignore_index,
        blend=blend, data_format="channels_last")
    columns = [images]
    for masks in (y_true, y_pred):
        if masks is not None:
            masks = np.asarray(masks)
            if data_format == "channels_first":
                masks = masks.transpose(0, 2, 3, 1)
            columns.append(draw(images, masks.astype("int32")))
    gallery = np.stack([column[i] for i in range(images.shape[0])
                        for column in columns], axis=0)
    return plot_image_gallery(gallery, value_range=value_range,
                              rows=images.shape[0], cols=len(columns),
                              data_format="channels_last", **kwargs)
