"""keras.utils.bounding_boxes: numpy bounding-box utilities (format
conversion, clipping, affine transforms, cropping, padding, anchor
deltas, IoU and CIoU), with Keras 3's signatures."""
from seqcore.utils.bounding_boxes.converters import (affine_transform,
                                                     clip_to_image_size,
                                                     convert_format, crop,
                                                     decode_deltas_to_boxes,
                                                     encode_box_to_deltas,
                                                     pad)
from seqcore.utils.bounding_boxes.iou import compute_ciou, compute_iou

__all__ = ["affine_transform", "clip_to_image_size", "compute_ciou",
           "compute_iou", "convert_format", "crop", "decode_deltas_to_boxes",
           "encode_box_to_deltas", "pad"]
