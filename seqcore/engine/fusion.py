"""Layers that a model runs as one kernel: a convolution and the max
pooling after it (conv_pool.c), in Sequential stacks and functional
graphs alike."""


def fuses(layer, following):
    """Whether a model may run `layer` and `following` as one kernel: a
    built convolution and a max pooling that fuses_with it."""
    fuses_with = getattr(following, "fuses_with", None)
    return layer.built and fuses_with is not None and fuses_with(layer)


def call_fused(conv, pool, x, training):
    """conv then pool on x, as their __call__s would (input checks,
    building) but in one kernel; returns the pooled output."""
    x = conv._convert_input(x)
    conv._check_input(x.shape)
    pool._maybe_build(conv.compute_output_shape(x.shape))
    return conv._call_pooled(x, pool, training)
