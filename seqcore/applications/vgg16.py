"""VGG16 (`keras.applications.vgg16`)."""
from seqcore.applications import _frame
from seqcore.applications.vgg import variant

VGG16 = variant("VGG16", (2, 2, 3, 3, 3), __name__)
preprocess_input, decode_predictions = _frame.preprocessing("caffe",
                                                            __name__)
