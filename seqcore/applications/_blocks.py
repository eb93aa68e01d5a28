"""Layer sequences the families build again and again: a convolution
followed by BatchNormalization and an activation (or the pre-activation
order), ReLU6, and the channel rounding of the MobileNets. Every layer
keeps the name and arguments the caller gives, so the models' layers,
names and weights stay Keras's."""
from seqcore import layers


def activate(x, act, name=None):
    """x through `act`: None (x itself), an activation's name (an
    Activation layer called `name`) or a callable x -> y."""
    if act is None:
        return x
    if isinstance(act, str):
        return layers.Activation(act, name=name)(x)
    return act(x)


def relu6(name=None):
    """A callable applying ReLU(6.0) named `name` (the MobileNets')."""
    return lambda x: layers.ReLU(6.0, name=name)(x)


def conv_bn(x, conv, axis, bn_name=None, act=None, act_name=None,
            **bn_kwargs):
    """conv(x) -> BatchNormalization -> act.

    Args:
        x: the 4-D input tensor.
        conv: a convolution layer (built by the caller, with its name).
        axis: the channel axis of the normalization.
        bn_name: the normalization's name (None: automatic).
        act: see `activate`; None for no activation.
        act_name: the Activation's name when `act` is a string.
        **bn_kwargs: more BatchNormalization arguments (epsilon, ...).
    """
    x = conv(x)
    x = layers.BatchNormalization(axis=axis, name=bn_name, **bn_kwargs)(x)
    return activate(x, act, act_name)


def bn_act_conv(x, conv, axis, bn_name, act, act_name, **bn_kwargs):
    """The pre-activation order: BatchNormalization -> act -> conv.

    Args:
        x: the 4-D input tensor.
        conv: a convolution layer (built by the caller, with its name).
        axis: the channel axis of the normalization.
        bn_name, act, act_name, **bn_kwargs: as in `conv_bn`.
    """
    x = layers.BatchNormalization(axis=axis, name=bn_name, **bn_kwargs)(x)
    return conv(activate(x, act, act_name))


def make_divisible(v, divisor=8, min_value=None):
    """`v` rounded to a multiple of `divisor`, never 10% below `v`.

    Args:
        v: the scaled channel count.
        divisor: the multiple.
        min_value: the smallest result (divisor by default).
    """
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v
