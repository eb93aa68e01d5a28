"""Pretrained image models (`keras.applications`): Keras 3's constructors,
architectures, layer names and weight order, with Keras's weight files
read offline (see docs/applications.md)."""
from seqcore.applications import (convnext, densenet, efficientnet,
                                  imagenet_utils, inception_v3, mobilenet,
                                  mobilenet_v2, mobilenet_v3, resnet,
                                  resnet50, resnet_v2, vgg16, vgg19,
                                  xception)
from seqcore.applications.convnext import (ConvNeXtBase, ConvNeXtLarge,
                                           ConvNeXtSmall, ConvNeXtTiny,
                                           ConvNeXtXLarge)
from seqcore.applications.densenet import (DenseNet121, DenseNet169,
                                           DenseNet201)
from seqcore.applications.efficientnet import (
    EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3,
    EfficientNetB4, EfficientNetB5, EfficientNetB6, EfficientNetB7)
from seqcore.applications.inception_v3 import InceptionV3
from seqcore.applications.mobilenet import MobileNet
from seqcore.applications.mobilenet_v2 import MobileNetV2
from seqcore.applications.mobilenet_v3 import (MobileNetV3Large,
                                               MobileNetV3Small)
from seqcore.applications.resnet import ResNet50, ResNet101, ResNet152
from seqcore.applications.resnet_v2 import (ResNet50V2, ResNet101V2,
                                            ResNet152V2)
from seqcore.applications.vgg16 import VGG16
from seqcore.applications.vgg19 import VGG19
from seqcore.applications.xception import Xception

__all__ = [
    "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny",
    "ConvNeXtXLarge", "DenseNet121", "DenseNet169", "DenseNet201",
    "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3",
    "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
    "InceptionV3", "MobileNet", "MobileNetV2", "MobileNetV3Large",
    "MobileNetV3Small", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2",
    "ResNet101V2", "ResNet152V2", "VGG16", "VGG19", "Xception",
    "convnext", "densenet", "efficientnet", "imagenet_utils",
    "inception_v3", "mobilenet", "mobilenet_v2", "mobilenet_v3", "resnet",
    "resnet50", "resnet_v2", "vgg16", "vgg19", "xception"]

from seqcore.applications import efficientnet_v2  # noqa: E402
from seqcore.applications.efficientnet_v2 import (  # noqa: E402
    EfficientNetV2B0, EfficientNetV2B1, EfficientNetV2B2, EfficientNetV2B3,
    EfficientNetV2L, EfficientNetV2M, EfficientNetV2S)

__all__ += [
    "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2",
    "EfficientNetV2B3", "EfficientNetV2S", "EfficientNetV2M",
    "EfficientNetV2L", "efficientnet_v2"]

from seqcore.applications import inception_resnet_v2  # noqa: E402
from seqcore.applications.inception_resnet_v2 import (  # noqa: E402
    InceptionResNetV2)

__all__ += ["InceptionResNetV2", "inception_resnet_v2"]

from seqcore.applications import nasnet  # noqa: E402
from seqcore.applications.nasnet import NASNetLarge, NASNetMobile  # noqa

__all__ += ["NASNetLarge", "NASNetMobile", "nasnet"]
