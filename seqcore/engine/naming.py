"""Automatic, unique object names: `dense`, `dense_1`, ... per class."""
import collections
import re

_name_counts = collections.defaultdict(int)


def to_snake_case(name):
    """'MaxPooling2D' -> 'max_pooling2d', 'SimpleRNN' -> 'simple_rnn'."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def uniquify(prefix):
    """The first call for a prefix returns it as is, later ones `prefix_N`."""
    count = _name_counts[prefix]
    _name_counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def auto_name(class_name):
    return uniquify(to_snake_case(class_name))


def reset_names():
    """Forget every name given so far (`seqcore.utils.clear_session()`)."""
    _name_counts.clear()
