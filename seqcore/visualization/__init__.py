"""keras.visualization: drawing bounding boxes and segmentation masks on
image batches (numpy; box labels need OpenCV, as in Keras) and plotting
image galleries (matplotlib, a clear ImportError without it)."""
from seqcore.visualization.draw import (draw_bounding_boxes,
                                        draw_segmentation_masks)
from seqcore.visualization.plots import (plot_bounding_box_gallery,
                                         plot_image_gallery,
                                         plot_segmentation_mask_gallery)

__all__ = ["draw_bounding_boxes", "draw_segmentation_masks",
           "plot_bounding_box_gallery", "plot_image_gallery",
           "plot_segmentation_mask_gallery"]
