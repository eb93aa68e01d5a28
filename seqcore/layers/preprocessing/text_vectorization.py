"""TextVectorization: strings -> token indices or bag-of-words vectors.

Each input string is standardised ('lower_and_strip_punctuation' by
default), split into tokens ('whitespace' by default), optionally turned
into n-grams (joined by a space, all 1-grams first, then 2-grams, ...),
and looked up in a vocabulary learnt by adapt() (a StringLookup with
mask token '' at index 0 and '[UNK]' at index 1 in 'int' mode).
"""
import re

import numpy as np

from seqcore.engine.layer import Layer
from seqcore.layers.preprocessing import _base
from seqcore.layers.preprocessing.lookup import StringLookup
from seqcore.saving.serialization import register_builtin

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")


@register_builtin
class TextVectorization(Layer):
    """Args:
        max_tokens: the largest vocabulary (with '' and '[UNK]').
        standardize: None, 'lower_and_strip_punctuation', 'lower',
            'strip_punctuation' or a callable str -> str.
        split: None (each string is one token), 'whitespace', 'character'
            or a callable str -> list of str.
        ngrams: None, an int n (1- to n-grams) or a tuple of widths.
        output_mode: 'int' (default), 'multi_hot', 'count' or 'tf_idf'.
        output_sequence_length: in 'int' mode, pad with 0 or truncate to it
            (else pad to the longest string of the batch).
        pad_to_max_tokens: encode over max_tokens columns.
        vocabulary, idf_weights: a given vocabulary (instead of adapt()).
        sparse, ragged: must be False (seqcore's outputs are dense).
        encoding: of bytes inputs ('utf-8').
    Shape: strings (batch,) or (batch, 1) -> (batch, length) int64, or
    (batch, vocabulary size) float32.
    """

    def __init__(self, max_tokens=None,
                 standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False,
                 vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(name=name, **kwargs)
        if not (standardize is None or callable(standardize) or
                standardize in STANDARDIZE):
            raise ValueError(f"TextVectorization: standardize must be None, "
                             f"a callable or one of {list(STANDARDIZE)}, "
                             f"received standardize={standardize!r}")
        if not (split is None or callable(split) or split in SPLIT):
            raise ValueError(f"TextVectorization: split must be None, a "
                             f"callable or one of {list(SPLIT)}, received "
                             f"split={split!r}")
        if output_mode not in ("int", "multi_hot", "count", "tf_idf",
                               "binary"):
            raise ValueError(f"TextVectorization: output_mode must be one of "
                             f"['int', 'multi_hot', 'count', 'tf_idf'], "
                             f"received output_mode={output_mode!r}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if ngrams is not None and not (
                isinstance(ngrams, int) and ngrams > 0 or
                isinstance(ngrams, (list, tuple)) and
                all(isinstance(n, int) and n > 0 for n in ngrams)):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple "
                             f"of integers. Received: ngrams={ngrams}")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError(f"`output_sequence_length` must not be set if "
                             f"`output_mode` is not 'int'. Received "
                             f"output_sequence_length="
                             f"{output_sequence_length}.")
        if ragged or sparse:
            raise ValueError("TextVectorization: ragged and sparse outputs "
                             "are not supported by seqcore")
        if split is None and ngrams is not None:
            raise ValueError("When `ngrams` is specified, `split` must be "
                             "set.")
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = list(ngrams) if isinstance(ngrams, tuple) \
            else ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) \
            else (None if ngrams is None else tuple(ngrams))
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._ragged = False
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary,
            idf_weights=idf_weights, pad_to_max_tokens=pad_to_max_tokens,
            mask_token="", output_mode=output_mode, encoding=encoding,
            name=f"{self.name}_string_lookup")

    # ---- text to tokens ----------------------------------------------------

    def _standardized(self, text):
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self._standardize in ("strip_punctuation",
                                 "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        if callable(self._standardize):
            text = self._standardize(text)
        return text

    def _tokens(self, text):
        text = self._standardized(text)
        if self._split is None:
            return [text]
        if self._split == "whitespace":
            tokens = text.split()
        elif self._split == "character":
            tokens = list(text)
        else:
            tokens = list(self._split(text))
        if self._ngrams is None:
            return tokens
        grams = []
        for n in self._ngrams:
            grams += [" ".join(tokens[i:i + n])
                      for i in range(len(tokens) - n + 1)]
        return grams

    def _documents(self, inputs):
        strings = _base.as_strings(self.name, inputs)
        if strings.ndim > 1:
            if strings.shape[-1] != 1 or strings.ndim > 2:
                raise ValueError(
                    f"When using `TextVectorization` to tokenize strings, "
                    f"the input rank must be 1 or the last shape dimension "
                    f"must be 1. Received: inputs.shape={strings.shape}")
            strings = strings[:, 0]
        return [self._tokens(s) for s in strings.reshape(-1)]

    # ---- vocabulary ---------------------------------------------------------

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary from strings (an array or list, or an
        iterable of batches of them)."""
        if self._lookup_layer.input_vocabulary is not None:
            raise ValueError("TextVectorization: adapt() cannot change a "
                             "vocabulary given to the constructor")
        if isinstance(data, (str, bytes)):
            data = [data]
        if isinstance(data, np.ndarray):
            batches = [data]
        else:
            items = list(data)
            single = all(isinstance(i, (str, bytes)) for i in items)
            batches = [items] if single else items
        documents = []
        for batch in batches[:steps] if steps else batches:
            documents += self._documents(batch)
        self._lookup_layer._learn(documents)

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    # ---- call ---------------------------------------------------------------

    def _convert_input(self, inputs):
        return _base.as_strings(self.name, inputs)

    def call(self, inputs, training=None):
        documents = self._documents(inputs)
        lookup = self._lookup_layer
        if self._output_mode != "int":
            rows = [lookup(np.array(d if d else [""], dtype=object))
                    for d in documents]
            return np.stack(rows).astype(np.float32)
        ids = [lookup._lookup(np.array(d, dtype=object))[0] if d
               else np.zeros(0, np.int64) for d in documents]
        length = self._output_sequence_length
        if length is None:
            length = max((len(i) for i in ids), default=0)
        out = np.zeros((len(ids), length), np.int64)
        for row, i in enumerate(ids):
            out[row, :min(len(i), length)] = i[:length]
        return out

    def backward(self, dy):
        return None

    def _output_dtype(self, input_dtype):
        return "int64" if self._output_mode == "int" else "float32"

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        depth = self._lookup_layer.max_tokens \
            if self._lookup_layer.pad_to_max_tokens else \
            (self.vocabulary_size() if self._lookup_layer._tokens else None)
        return (input_shape[0], depth)

    def get_config(self):
        config = super().get_config()
        lookup = self._lookup_layer
        config.update({
            "max_tokens": lookup.max_tokens,
            "standardize": self._standardize, "split": self._split,
            "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": False, "ragged": False,
            "vocabulary": lookup._config_vocabulary()[0],
            "idf_weights": lookup._config_vocabulary()[1],
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size()})
        return config
