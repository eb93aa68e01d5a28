"""Vocabulary lookup layers: IntegerLookup and StringLookup.

Index layout (Keras's): with output_mode='int' and a mask token, index 0
is the mask; then `num_oov_indices` out-of-vocabulary indices; then the
vocabulary. Other output modes give the mask no index (masked inputs count
for nothing). adapt() orders the vocabulary by decreasing frequency, ties
broken by the larger token first. Several OOV indices share unknown
tokens by integer modulo (IntegerLookup's default) or FarmHash64.
"""
import collections
import math

import numpy as np

from seqcore.engine.layer import Layer
from seqcore.layers.preprocessing import _base
from seqcore.layers.preprocessing.categorical import encode, encoded_shape
from seqcore.layers.preprocessing.hashing import hash_bucket
from seqcore.saving.serialization import register_builtin

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(Layer):
    """What IntegerLookup and StringLookup share (see the module doc)."""

    _kind = None    # "int" or "string"

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token,
                 vocabulary, idf_weights, invert, output_mode, sparse,
                 pad_to_max_tokens, oov_method="floormod", salt=None,
                 **kwargs):
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(**kwargs)
        cls = self.__class__.__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If `max_tokens` is set for `{cls}`, it must "
                             f"be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if not isinstance(num_oov_indices, int) or num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or "
                             f"equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"{cls}: output_mode must be one of "
                             f"{list(OUTPUT_MODES)}, received "
                             f"output_mode={output_mode!r}")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` "
                             f"is true. Received: output_mode={output_mode}")
        if sparse:
            raise ValueError(f"{cls}: sparse=True is not supported by "
                             f"seqcore (outputs are dense arrays)")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"{cls}: oov_method must be 'floormod' or "
                             f"'farmhash', received {oov_method!r}")
        if salt is not None:
            raise ValueError(f"{cls}: `salt` selects salted SipHash64 for "
                             f"OOV tokens, which seqcore does not implement. "
                             f"Received: salt={salt}")
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = None if vocabulary is None \
            else list(vocabulary)
        self.input_idf_weights = None if idf_weights is None \
            else list(idf_weights)
        self._tokens = []           # the learned or given vocabulary
        self._index = {}            # token -> index
        self.idf_weights = None
        self._counts = collections.Counter()
        self._doc_counts = collections.Counter()
        self._num_documents = 0
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif output_mode == "tf_idf" and idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if "
                             "`vocabulary` is also set")
        del vocabulary_size     # recomputed from the vocabulary

    # ---- the vocabulary -----------------------------------------------------

    def _oov_start(self):
        return 1 if self.mask_token is not None and \
            self.output_mode == "int" else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def _specials(self):
        return [self.mask_token] * self._oov_start() + \
            [self.oov_token] * self.num_oov_indices

    def _token(self, value):
        return int(value) if self._kind == "int" else str(value)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (without or with the leading special tokens)
        and, for tf_idf, one IDF weight per vocabulary entry."""
        vocab = [self._token(v) for v in vocabulary]
        if not vocab:
            raise ValueError(f"Cannot set an empty vocabulary. Received: "
                             f"vocabulary={vocabulary}")
        specials = self._specials()
        start = self._token_start()
        tokens = vocab[start:] if vocab[:start] == specials else vocab
        repeated = sorted(t for t, n in collections.Counter(tokens).items()
                          if n > 1)
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one "
                             f"repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(
                f"Found reserved mask token at unexpected location in "
                f"`vocabulary`. Either remove all mask and OOV tokens, or "
                f"include them only at the start of the vocabulary in "
                f"precisely this order: {specials}. Received: "
                f"mask_token={self.mask_token}")
        if self.invert and self.oov_token is not None and \
                self.oov_token in tokens:
            raise ValueError(
                f"Found reserved OOV token at unexpected location in "
                f"`vocabulary`. Either remove all mask and OOV tokens, or "
                f"include them only at the start of the vocabulary in "
                f"precisely this order: {specials}. Received: "
                f"oov_token={self.oov_token}")
        if self.max_tokens is not None and start + len(tokens) > \
                self.max_tokens:
            raise ValueError(
                f"Attempted to set a vocabulary larger than the maximum vocab "
                f"size. Received vocabulary size is {start + len(tokens)}; "
                f"`max_tokens` is {self.max_tokens}.")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("When specifying the `vocabulary` argument, "
                                 "in TF-IDF output mode, the `idf_weights` "
                                 "argument must also be provided.")
            weights = np.asarray(idf_weights, np.float32)
            if len(weights) != len(vocab):
                raise ValueError(
                    f"`idf_weights` must be the same length as vocabulary. "
                    f"len(idf_weights) is {len(weights)}; len(vocabulary) "
                    f"is {len(vocab)}")
            if len(vocab) == len(tokens):    # pad the special tokens' slots
                weights = np.concatenate(
                    [np.full(start, weights.mean(), np.float32), weights])
            self.idf_weights = self._padded(weights)
        self._set_tokens(tokens)

    def _set_tokens(self, tokens):
        self._tokens = list(tokens)
        start = self._token_start()
        self._index = {t: start + i for i, t in enumerate(self._tokens)}

    def _padded(self, weights):
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = np.pad(weights, (0, self.max_tokens - len(weights)))
        return weights.astype(np.float32)

    def _config_vocabulary(self):
        """(vocabulary, idf_weights) for the config: the given ones, else
        the adapted ones (with the special tokens), so that a saved model
        keeps what adapt() learnt (Keras keeps it in an asset file)."""
        if self.input_vocabulary is not None or not self._tokens:
            return self.input_vocabulary, self.input_idf_weights
        vocab = self.get_vocabulary()
        idf = None if self.idf_weights is None else \
            [float(w) for w in self.idf_weights[:len(vocab)]]
        return vocab, idf

    def vocabulary_size(self):
        """The vocabulary's size with the mask and OOV indices."""
        return len(self._tokens) + self._token_start()

    def get_vocabulary(self, include_special_tokens=True):
        vocab = self._specials() + self._tokens
        return vocab if include_special_tokens else self._tokens

    # ---- adapt --------------------------------------------------------------

    def _adapt_values(self, data):
        raise NotImplementedError

    def adapt(self, data, steps=None):
        """Learn the vocabulary (most frequent tokens first, at most
        max_tokens entries with the special ones) from an array or an
        iterable of batches; for tf_idf also the IDF weights
        log(1 + documents / (1 + documents containing the token))."""
        if self.input_vocabulary is not None:
            raise ValueError(f"{self.__class__.__name__}: adapt() cannot "
                             f"change a vocabulary given to the constructor")
        batches = [data] if isinstance(data, np.ndarray) or \
            not hasattr(data, "__iter__") or isinstance(data, str) \
            else list(data)[:steps]
        documents = []
        for batch in batches:
            values = self._adapt_values(batch)
            rows = values.reshape(values.shape[0], -1) if values.ndim > 1 \
                else values.reshape(-1, 1)
            documents += [[self._token(v) for v in row] for row in rows]
        self._learn(documents)

    def _learn(self, documents):
        """Set the vocabulary (and IDF weights) from lists of tokens."""
        counts, docs = collections.Counter(), collections.Counter()
        for document in documents:
            counts.update(document)
            docs.update(set(document))
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        order = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start()]
        self._set_tokens(order)
        if self.output_mode == "tf_idf":
            idf = np.array([math.log(1 + len(documents) / (1 + docs[t]))
                            for t in order], np.float32)
            mean = idf.mean() if idf.size else 0.0
            self.idf_weights = self._padded(np.concatenate(
                [np.full(self._token_start(), mean, np.float32), idf]))

    # ---- lookup -------------------------------------------------------------

    def _lookup(self, values):
        flat = values.reshape(-1)
        out = np.empty(flat.shape, np.int64)
        oov = self._oov_start()
        masked = np.zeros(flat.shape, bool)
        for i, value in enumerate(flat):
            token = self._token(value)
            if self.mask_token is not None and token == self.mask_token:
                out[i] = 0
                masked[i] = True
                continue
            index = self._index.get(token)
            if index is None:
                if self.num_oov_indices == 0:
                    raise ValueError(
                        f"When `num_oov_indices=0` all inputs should be in "
                        f"vocabulary, found OOV value {token!r}, consider "
                        f"setting `num_oov_indices=1`.")
                index = oov + self._oov_bucket(token)
            out[i] = index
        return out.reshape(values.shape), masked.reshape(values.shape)

    def _oov_bucket(self, token):
        """Which OOV index an unknown token takes: integers modulo the
        count (oov_method='floormod'), else FarmHash64 of the text."""
        if self.num_oov_indices <= 1:
            return 0
        if self._kind == "int" and self.oov_method == "floormod":
            return token % self.num_oov_indices
        return hash_bucket(token, self.num_oov_indices)

    def _invert(self, ids):
        vocab = self.get_vocabulary()
        flat = ids.reshape(-1)
        out = []
        for index in flat:
            index = int(index)
            if self.mask_token is not None and index == 0:
                out.append(self.mask_token)
            elif self._token_start() <= index < len(vocab):
                out.append(vocab[index])
            else:
                out.append(self.oov_token)
        dtype = np.int64 if self._kind == "int" else object
        return np.array(out, dtype=dtype).reshape(ids.shape)

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens \
            else self.vocabulary_size()

    def call(self, inputs, training=None):
        if self.invert:
            return self._invert(_base.as_ints(self.name, inputs))
        ids, masked = self._lookup(inputs)
        if self.output_mode == "int":
            return ids
        if self.output_mode != "int" and not self._tokens and \
                not self.pad_to_max_tokens:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and "
                f"`pad_to_max_tokens=False`, you must set the layer's "
                f"vocabulary before calling it. Either pass a `vocabulary` "
                f"argument to the layer, or call `adapt` with some sample "
                f"data.")
        depth = self._depth()
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        if masked.any():
            # The mask token has no index outside 'int' mode: it counts for
            # nothing (an extra column, dropped).
            ids = np.where(masked, depth, ids)
            out = encode(self, ids, mode, depth + 1)[..., :depth]
        else:
            out = encode(self, ids, mode, depth)
        if self.output_mode == "tf_idf":
            out = out * self.idf_weights
        return out

    def backward(self, dy):
        return None

    def compute_mask(self, inputs, mask=None):
        return None

    def _output_dtype(self, input_dtype):
        if self.invert:
            return "int64" if self._kind == "int" else "string"
        return "int64" if self.output_mode == "int" else "float32"

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else \
            (self.vocabulary_size() if self._tokens else None)
        return encoded_shape(self.output_mode, input_shape, depth)

    def get_config(self):
        config = super().get_config()
        config.update({
            "invert": self.invert, "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token, "mask_token": self.mask_token,
            "output_mode": self.output_mode, "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "idf_weights": self._config_vocabulary()[1],
            "vocabulary": self._config_vocabulary()[0],
            "vocabulary_size": self.vocabulary_size(),
            "oov_method": self.oov_method, "salt": self.salt})
        return config


@register_builtin
class IntegerLookup(IndexLookup):
    """Maps integer tokens to contiguous indices (or back, with invert).

    Args:
        max_tokens: the largest vocabulary (special indices included).
        num_oov_indices: indices for unknown tokens (several: token modulo
            their number).
        mask_token: a token that means padding (index 0 in 'int' mode).
        oov_token: what invert=True returns for unknown indices (-1).
        vocabulary: the tokens (or call adapt()).
        vocabulary_dtype: 'int64' (Keras's; 'int32' accepted).
        idf_weights: for output_mode='tf_idf' with a given vocabulary.
        invert: map indices back to tokens.
        output_mode: 'int', 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        pad_to_max_tokens: encode over max_tokens columns.
    """

    _kind = "int"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None,
                 oov_token=-1, vocabulary=None, vocabulary_dtype="int64",
                 idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod",
                 salt=None, name=None, **kwargs):
        if vocabulary_dtype not in ("int64", "int32"):
            raise ValueError(f"IntegerLookup: vocabulary_dtype must be "
                             f"'int64' or 'int32', received "
                             f"{vocabulary_dtype!r}")
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If `max_tokens` is set for `IntegerLookup`, "
                             f"it must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"The value of `num_oov_indices` argument for "
                             f"`IntegerLookup` must >= 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(
            max_tokens, num_oov_indices,
            None if mask_token is None else int(mask_token),
            None if oov_token is None else int(oov_token), vocabulary,
            idf_weights, invert, output_mode, sparse, pad_to_max_tokens,
            oov_method, salt, name=name, **kwargs)

    def _convert_input(self, inputs):
        return _base.as_ints(self.name, inputs)

    def _adapt_values(self, data):
        return _base.as_ints(self.name, data)

    def get_config(self):
        config = super().get_config()
        config["vocabulary_dtype"] = self.vocabulary_dtype
        return config


@register_builtin
class StringLookup(IndexLookup):
    """Maps string tokens to contiguous indices (or back, with invert).

    Args: as IntegerLookup, with oov_token '[UNK]', string tokens and
    `encoding` (for bytes inputs, 'utf-8'); several OOV indices share the
    unknown tokens by FarmHash64.
    """

    _kind = "string"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None,
                 oov_token="[UNK]", vocabulary=None, idf_weights=None,
                 invert=False, output_mode="int", pad_to_max_tokens=False,
                 sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        self.vocabulary_dtype = "string"
        super().__init__(
            max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
            idf_weights, invert, output_mode, sparse, pad_to_max_tokens,
            salt=salt, name=name, **kwargs)

    def _convert_input(self, inputs):
        if self.invert:
            return _base.as_ints(self.name, inputs)
        return _base.as_strings(self.name, inputs)

    def _adapt_values(self, data):
        return _base.as_strings(self.name, data)

    def get_config(self):
        config = super().get_config()
        config["encoding"] = self.encoding
        return config
