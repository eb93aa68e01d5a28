"""keras.layers: one family per module."""
from seqcore.engine.input_layer import Input, InputLayer
from seqcore.engine.layer import Layer
from seqcore.engine.input_spec import InputSpec
from seqcore.layers.convolutional import Conv1D, Conv2D
from seqcore.layers.core import Activation, Dense, Embedding, Identity
from seqcore.layers.normalization import BatchNormalization, LayerNormalization
from seqcore.layers.pooling import (AveragePooling1D, AveragePooling2D,
                                    GlobalAveragePooling1D,
                                    GlobalAveragePooling2D, GlobalMaxPooling1D,
                                    GlobalMaxPooling2D, MaxPooling1D,
                                    MaxPooling2D)
from seqcore.layers.recurrent import GRU, LSTM, SimpleRNN
from seqcore.layers.regularization import Dropout
from seqcore.layers.reshaping import Flatten, Permute, RepeatVector, Reshape
# issue 16: the rest of the catalogue
from seqcore.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from seqcore.layers.cropping import Cropping1D, Cropping2D, Cropping3D
from seqcore.layers.padding import ZeroPadding1D, ZeroPadding2D, ZeroPadding3D
from seqcore.layers.upsampling import UpSampling1D, UpSampling2D, UpSampling3D
from seqcore.layers.masking import Masking
from seqcore.layers.noise import AlphaDropout, GaussianDropout, GaussianNoise
from seqcore.layers.regularization import (ActivityRegularization,
                                           SpatialDropout1D, SpatialDropout2D,
                                           SpatialDropout3D)
from seqcore.layers.wrappers import Bidirectional, TimeDistributed
from seqcore.layers.preprocessing import (
    CategoryEncoding, CenterCrop, Discretization, Hashing, IntegerLookup,
    Normalization,
    RandomBrightness, RandomContrast, RandomCrop, RandomFlip, RandomRotation,
    RandomTranslation, RandomZoom, Rescaling, Resizing, StringLookup,
    TextVectorization)

# Keras's aliases
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, \
    GlobalAveragePooling2D
Convolution1D, Convolution2D = Conv1D, Conv2D

__all__ = [
    "Activation", "AveragePooling1D", "AveragePooling2D", "AvgPool1D",
    "AvgPool2D", "BatchNormalization", "Conv1D", "Conv2D", "Convolution1D",
    "Convolution2D", "Dense", "Dropout", "Embedding", "Flatten",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GRU", "Identity", "Input",
    "InputLayer", "InputSpec", "Layer", "LayerNormalization", "LSTM",
    "MaxPool1D", "MaxPool2D", "MaxPooling1D", "MaxPooling2D", "Permute",
    "RepeatVector", "Reshape", "SimpleRNN",
    # issue 16
    "ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax",
    "Cropping1D", "Cropping2D", "Cropping3D",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    "UpSampling1D", "UpSampling2D", "UpSampling3D",
    "ActivityRegularization", "AlphaDropout", "GaussianDropout",
    "GaussianNoise", "Masking", "SpatialDropout1D", "SpatialDropout2D",
    "SpatialDropout3D", "Bidirectional", "TimeDistributed",
    "CategoryEncoding", "CenterCrop", "Discretization", "Hashing",
    "IntegerLookup", "Normalization", "RandomBrightness", "RandomContrast",
    "RandomCrop", "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom",
    "Rescaling", "Resizing", "StringLookup", "TextVectorization",
]
