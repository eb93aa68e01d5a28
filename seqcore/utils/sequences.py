"""pad_sequences: lists of sequences of different lengths as one array."""
import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre",
                  truncating="pre", value=0.0):
    """Pad (or cut) every sequence to the same length.

    Args:
        sequences: a list of sequences (lists or arrays); each element of a
            sequence may itself be an array, all of one shape.
        maxlen: the output length (default: the longest sequence).
        dtype: the output dtype (default "int32"; `object` for strings).
        padding: "pre" or "post": pad before or after each sequence.
        truncating: "pre" or "post": drop values from the start or the end
            of sequences longer than `maxlen`.
        value: the padding value.

    Returns:
        An array of shape (len(sequences), maxlen) + element shape.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences: `sequences` must be a list of "
                         f"sequences, received {type(sequences).__name__}")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood: expected '
                         f'"pre" or "post"')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood: '
                         f'expected "pre" or "post"')
    lengths, element_shape = [], None
    for index, seq in enumerate(sequences):
        if not hasattr(seq, "__len__"):
            raise ValueError(f"pad_sequences: `sequences` must be a list of "
                             f"iterables; element {index} is "
                             f"{type(seq).__name__} {seq!r}")
        lengths.append(len(seq))
        if element_shape is None and len(seq):
            element_shape = np.asarray(seq).shape[1:]
    element_shape = element_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    if isinstance(maxlen, bool) or int(maxlen) != maxlen or maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be a non-negative "
                         f"integer, received {maxlen!r}")
    maxlen = int(maxlen)
    dtype_is_text = np.issubdtype(np.dtype(dtype), np.str_) or \
        np.issubdtype(np.dtype(dtype), np.bytes_)
    if isinstance(value, str) and dtype is not object and not dtype_is_text:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s "
                         f"type: {type(value)}. Set `dtype=object` for "
                         f"variable length strings.")
    out = np.full((len(sequences), maxlen) + tuple(element_shape), value,
                  dtype=dtype)
    if maxlen == 0:
        return out
    for index, seq in enumerate(sequences):
        if not len(seq):
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != tuple(element_shape):
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence "
                             f"at position {index} is different from "
                             f"expected shape {tuple(element_shape)}")
        if padding == "post":
            out[index, :len(kept)] = kept
        else:
            out[index, maxlen - len(kept):] = kept
    return out
