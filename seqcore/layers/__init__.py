"""keras.layers: one family per module."""
from seqcore.engine.input_layer import Input, InputLayer
from seqcore.engine.layer import Layer
from seqcore.engine.input_spec import InputSpec
from seqcore.layers.attention import (GroupedQueryAttention,
                                      MultiHeadAttention)
from seqcore.layers.convolutional import Conv1D, Conv2D
from seqcore.layers.convolutional_3d import Conv3D, Conv3DTranspose
from seqcore.layers.convolutional_depthwise import DepthwiseConv1D, \
    DepthwiseConv2D
from seqcore.layers.convolutional_separable import SeparableConv1D, \
    SeparableConv2D
from seqcore.layers.convolutional_transpose import Conv1DTranspose, \
    Conv2DTranspose
from seqcore.layers.core import Activation, Dense, Embedding, Identity
from seqcore.layers.dot_attention import AdditiveAttention, Attention
from seqcore.layers.einsum_dense import EinsumDense
from seqcore.layers.foreign_frameworks import (FlaxLayer, JaxLayer,
                                               TFSMLayer, TorchModuleWrapper)
from seqcore.layers.lambda_layer import Lambda
from seqcore.layers.masking import Masking
from seqcore.layers.merging import (Add, Average, Concatenate, Dot, Maximum,
                                    Minimum, Multiply, Subtract, add, average,
                                    concatenate, dot, maximum, minimum,
                                    multiply, subtract)
from seqcore.layers.normalization import BatchNormalization, LayerNormalization
from seqcore.layers.normalization_extra import (GroupNormalization,
                                                SpectralNormalization,
                                                UnitNormalization)
from seqcore.layers.pooling import (AveragePooling1D, AveragePooling2D,
                                    GlobalAveragePooling1D,
                                    GlobalAveragePooling2D, GlobalMaxPooling1D,
                                    GlobalMaxPooling2D, MaxPooling1D,
                                    MaxPooling2D)
from seqcore.layers.pooling_3d import AveragePooling3D, \
    GlobalAveragePooling3D, GlobalMaxPooling3D, MaxPooling3D
from seqcore.layers.recurrent import GRU, LSTM, SimpleRNN
from seqcore.layers.recurrent_cells import (GRUCell, LSTMCell, SimpleRNNCell,
                                            StackedRNNCells)
from seqcore.layers.rnn import RNN
from seqcore.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from seqcore.layers.regularization import Dropout
from seqcore.layers.reshaping import Flatten, Permute, RepeatVector, Reshape
# issue 16: the rest of the catalogue
from seqcore.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from seqcore.layers.cropping import Cropping1D, Cropping2D, Cropping3D
from seqcore.layers.padding import ZeroPadding1D, ZeroPadding2D, ZeroPadding3D
from seqcore.layers.upsampling import UpSampling1D, UpSampling2D, UpSampling3D
from seqcore.layers.noise import AlphaDropout, GaussianDropout, GaussianNoise
from seqcore.layers.regularization import (ActivityRegularization,
                                           SpatialDropout1D, SpatialDropout2D,
                                           SpatialDropout3D)
from seqcore.layers.wrappers import Bidirectional, TimeDistributed
from seqcore.layers.wrappers import Wrapper
from seqcore.layers.pooling_adaptive import (AdaptiveAveragePooling1D,
                                             AdaptiveAveragePooling2D,
                                             AdaptiveAveragePooling3D,
                                             AdaptiveMaxPooling1D,
                                             AdaptiveMaxPooling2D,
                                             AdaptiveMaxPooling3D)
from seqcore.layers.normalization_rms import RMSNormalization
from seqcore.layers.reversible_embedding import ReversibleEmbedding
from seqcore.layers.spectrogram import MelSpectrogram, STFTSpectrogram
from seqcore.layers.preprocessing.hashed_crossing import HashedCrossing
from seqcore.layers.preprocessing import (
    CategoryEncoding, CenterCrop, Discretization, Hashing, IntegerLookup,
    Normalization,
    RandomBrightness, RandomContrast, RandomCrop, RandomFlip, RandomRotation,
    RandomTranslation, RandomZoom, Rescaling, Resizing, StringLookup,
    TextVectorization)
from seqcore.layers.preprocessing import AugMix, RandAugment  # policies
from seqcore.layers.preprocessing import (  # geometric and mixing
    CutMix, MaxNumBoundingBoxes, MixUp, Pipeline, RandomElasticTransform,
    RandomErasing, RandomPerspective, RandomShear)
from seqcore.layers.preprocessing import (
    AutoContrast, ContrastLimitedAdaptiveHistogramEqualization, Equalization,
    RandomColorDegeneration, RandomColorJitter, RandomGaussianBlur,
    RandomGrayscale, RandomHue, RandomInvert, RandomPosterization,
    RandomSaturation, RandomSharpness, Solarization)

# Keras's aliases
GroupQueryAttention = GroupedQueryAttention    # Keras's exported name
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, \
    GlobalAveragePooling2D
Convolution1D, Convolution2D = Conv1D, Conv2D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, \
    Conv2DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, \
    SeparableConv2D
Convolution3D, Convolution3DTranspose = Conv3D, Conv3DTranspose
MaxPool3D, AvgPool3D = MaxPooling3D, AveragePooling3D
GlobalMaxPool3D, GlobalAvgPool3D = GlobalMaxPooling3D, GlobalAveragePooling3D

from seqcore.layers.serialization import deserialize, serialize  # noqa: E402,F401

__all__ = [
    "AugMix", "RandAugment",
    "FlaxLayer", "JaxLayer", "TFSMLayer", "TorchModuleWrapper",
    "AdditiveAttention", "Attention", "EinsumDense", "GroupNormalization",
    "GroupedQueryAttention", "GroupQueryAttention", "MultiHeadAttention",
    "SpectralNormalization", "UnitNormalization",
    "Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply",
    "Subtract", "add", "average", "concatenate", "dot", "maximum", "minimum",
    "multiply", "subtract",
    "Activation", "AveragePooling1D", "AveragePooling2D", "AvgPool1D",
    "AvgPool2D", "BatchNormalization", "Conv1D", "Conv2D", "Convolution1D",
    "Convolution2D", "Dense", "Dropout", "Embedding", "Flatten",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GRU", "Identity", "Input",
    "InputLayer", "InputSpec", "Lambda", "Layer", "LayerNormalization",
    "LSTM", "Masking", "MaxPool1D", "MaxPool2D", "MaxPooling1D",
    "MaxPooling2D", "Permute",
    "RepeatVector", "Reshape", "SimpleRNN",
    # issue 16, convolutions
    "Conv1DTranspose", "Conv2DTranspose", "Convolution1DTranspose",
    "Convolution2DTranspose", "DepthwiseConv1D", "DepthwiseConv2D",
    "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
    "SeparableConvolution2D", "Conv3D", "Conv3DTranspose", "Convolution3D",
    "Convolution3DTranspose", "MaxPooling3D", "AveragePooling3D",
    "MaxPool3D", "AvgPool3D", "GlobalMaxPooling3D", "GlobalAveragePooling3D",
    "GlobalMaxPool3D", "GlobalAvgPool3D",
    # issue 16
    "ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax",
    "Cropping1D", "Cropping2D", "Cropping3D",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    "UpSampling1D", "UpSampling2D", "UpSampling3D",
    "ActivityRegularization", "AlphaDropout", "GaussianDropout",
    "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D",
    "SpatialDropout3D", "Bidirectional", "TimeDistributed",
    "CategoryEncoding", "CenterCrop", "Discretization", "Hashing",
    "IntegerLookup", "Normalization", "RandomBrightness", "RandomContrast",
    "RandomCrop", "RandomFlip", "RandomRotation", "RandomTranslation",
    "RandomZoom",
    "Rescaling", "Resizing", "StringLookup", "TextVectorization",
    # issue 16, recurrent cells
    "GRUCell", "LSTMCell", "RNN", "SimpleRNNCell", "StackedRNNCells",
    "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
    # issue 16, colour/intensity image layers
    "AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization",
    "Equalization", "RandomColorDegeneration", "RandomColorJitter",
    "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert",
    "RandomPosterization", "RandomSaturation", "RandomSharpness",
    "Solarization",
    # issue 16, the remaining non-image layers
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "HashedCrossing",
    "MelSpectrogram", "ReversibleEmbedding", "RMSNormalization",
    "STFTSpectrogram", "Wrapper",
    "serialize", "deserialize",
    # issue 16, geometric and mixing augmentation
    "CutMix", "MaxNumBoundingBoxes", "MixUp", "Pipeline",
    "RandomElasticTransform", "RandomErasing", "RandomPerspective",
    "RandomShear",
]
