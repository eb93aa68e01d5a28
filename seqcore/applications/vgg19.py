"""VGG19 (`keras.applications.vgg19`)."""
from seqcore.applications import _frame
from seqcore.applications.vgg import variant

VGG19 = variant("VGG19", (2, 2, 4, 4, 4), __name__)
preprocess_input, decode_predictions = _frame.preprocessing("caffe",
                                                            __name__)
