"""Preprocessing layers: what turns raw data into a model's input inside
the model (scaling, normalisation, image resizing, categorical encodings,
vocabularies, text) and the image augmentations used in training."""
from seqcore.layers.preprocessing.augmentation import (RandomBrightness,
                                                        RandomContrast,
                                                        RandomCrop,
                                                        RandomFlip,
                                                        RandomRotation,
                                                        RandomTranslation,
                                                        RandomZoom)
from seqcore.layers.preprocessing.augmentation_geometric import (
    RandomElasticTransform, RandomPerspective, RandomShear)
from seqcore.layers.preprocessing.augmentation_mixing import (CutMix, MixUp,
                                                               RandomErasing)
from seqcore.layers.preprocessing.bounding_boxes import MaxNumBoundingBoxes
from seqcore.layers.preprocessing.pipeline import Pipeline
from seqcore.layers.preprocessing.augmentation_color import (
    RandomColorDegeneration, RandomColorJitter, RandomGrayscale, RandomHue,
    RandomSaturation)
from seqcore.layers.preprocessing.augmentation_histogram import (
    AutoContrast, ContrastLimitedAdaptiveHistogramEqualization, Equalization)
from seqcore.layers.preprocessing.augmentation_tone import (
    RandomGaussianBlur, RandomInvert, RandomPosterization, RandomSharpness,
    Solarization)
from seqcore.layers.preprocessing.augmentation_policies import (AugMix,
                                                                 RandAugment)
from seqcore.layers.preprocessing.categorical import (CategoryEncoding,
                                                       Discretization)
from seqcore.layers.preprocessing.hashing import Hashing
from seqcore.layers.preprocessing.lookup import IntegerLookup, StringLookup
from seqcore.layers.preprocessing.normalization import Normalization
from seqcore.layers.preprocessing.rescaling import Rescaling
from seqcore.layers.preprocessing.resizing import CenterCrop, Resizing
from seqcore.layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "AugMix", "RandAugment",
    "CategoryEncoding", "CenterCrop", "Discretization", "Hashing",
    "IntegerLookup",
    "Normalization", "RandomBrightness", "RandomContrast", "RandomCrop",
    "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom",
    "Rescaling", "Resizing", "StringLookup", "TextVectorization",
    "CutMix", "MaxNumBoundingBoxes", "MixUp", "Pipeline",
    "RandomElasticTransform", "RandomErasing", "RandomPerspective",
    "RandomShear",
    "AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization",
    "Equalization", "RandomColorDegeneration", "RandomColorJitter",
    "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert",
    "RandomPosterization", "RandomSaturation", "RandomSharpness",
    "Solarization",
]
