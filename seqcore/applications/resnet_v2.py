"""ResNet50V2/101V2/152V2 (`keras.applications.resnet_v2`):
pre-activation residual networks; "tf" preprocessing ([-1, 1])."""
from seqcore.applications import _frame
from seqcore.applications.resnet import variant

ResNet50V2 = variant("ResNet50V2", (3, 4, 6, 3), True, __name__)
ResNet101V2 = variant("ResNet101V2", (3, 4, 23, 3), True, __name__)
ResNet152V2 = variant("ResNet152V2", (3, 8, 36, 3), True, __name__)

preprocess_input, decode_predictions = _frame.preprocessing("tf", __name__)
