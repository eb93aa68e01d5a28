"""Keras 2's text Tokenizer (keras.preprocessing.text.Tokenizer), which
Keras 3 keeps only internally (keras.src.legacy.preprocessing.text) and R
keras's text_tokenizer() family still calls.

Words are ranked by how often they occur over all fitted texts (ties keep
the order of first appearance); index 0 is never a word, the out-of-vocabulary
token (when given) is index 1. `num_words` keeps the indices below it when
texts become sequences or matrices, not when fitting.
"""
import collections
import json

import numpy as np

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(text, filters=FILTERS, lower=True, split=" "):
    """The words of `text`: lower-cased, every filter character read as
    `split`, empty pieces dropped."""
    if lower:
        text = text.lower()
    text = text.translate({ord(c): split for c in filters})
    return [word for word in text.split(split) if word]


class Tokenizer:
    """Words to integer indices, fitted on texts.

    Args:
        num_words: keep only the indices below it when converting (None:
            all).
        filters: characters removed from texts.
        lower: lower-case texts first.
        split: the word separator.
        char_level: every character is a token.
        oov_token: the token standing for unknown words (index 1), or None
            to drop them.
        analyzer: a function text -> tokens, replacing the splitting.
    """

    def __init__(self, num_words=None, filters=FILTERS, lower=True, split=" ",
                 char_level=False, oov_token=None, analyzer=None,
                 document_count=0, **kwargs):
        if "nb_words" in kwargs:            # Keras 1's name
            num_words = kwargs.pop("nb_words")
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
        self.num_words = num_words
        self.filters = filters
        self.lower = lower
        self.split = split
        self.char_level = char_level
        self.oov_token = oov_token
        self.analyzer = analyzer
        self.document_count = document_count
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.index_docs = collections.defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if not self.lower:
                return text
            return [t.lower() for t in text] if isinstance(text, list) \
                else text.lower()
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, self.filters, self.lower,
                                     self.split)

    def fit_on_texts(self, texts):
        """Count the words of `texts` (strings, or lists of tokens) and
        re-rank the vocabulary."""
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for token in tokens:
                self.word_counts[token] = self.word_counts.get(token, 0) + 1
            for token in set(tokens):
                self.word_docs[token] += 1
        # sorted() is stable: equal counts keep first-appearance order
        ranked = sorted(self.word_counts, key=self.word_counts.get,
                        reverse=True)
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + \
            ranked
        self.word_index = {w: i for i, w in enumerate(vocabulary, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        for word, docs in self.word_docs.items():
            self.index_docs[self.word_index[word]] = docs

    def fit_on_sequences(self, sequences):
        """Count documents per index from sequences (for tfidf)."""
        self.document_count += len(sequences)
        for sequence in sequences:
            for index in set(sequence):
                self.index_docs[index] += 1

    def _kept(self, index):
        """The index a known word's index becomes, or None to drop it."""
        if self.num_words and index >= self.num_words:
            return self.word_index.get(self.oov_token)
        return index

    def texts_to_sequences(self, texts):
        """Each text as a list of word indices."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        oov = self.word_index.get(self.oov_token)
        for text in texts:
            sequence = []
            for token in self._tokens(text):
                index = self.word_index.get(token)
                index = oov if index is None else self._kept(index)
                if index is not None:
                    sequence.append(index)
            yield sequence

    def sequences_to_texts(self, sequences):
        """Each sequence of indices as a text (words joined by spaces)."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        oov = self.word_index.get(self.oov_token)
        for sequence in sequences:
            words = []
            for index in sequence:
                if index in self.index_word:
                    index = self._kept(index)
                elif self.oov_token is not None:
                    index = oov
                else:
                    index = None
                if index is not None:
                    words.append(self.index_word[index])
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary"):
        """(texts, num_words) float64 matrix: see sequences_to_matrix."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """One row per sequence, one column per index below num_words (or
        the vocabulary size + 1): "binary" presence, "count", "freq"
        (count / sequence length) or "tfidf" ((1 + log count) *
        log(1 + documents / (1 + documents with the index)))."""
        if mode not in MODES:
            raise ValueError(f"Unknown vectorization mode: {mode!r}; "
                             f"expected one of {MODES}")
        width = self.num_words
        if not width:
            if not self.word_index:
                raise ValueError("Specify a dimension (`num_words` "
                                 "argument), or fit on some text data "
                                 "first.")
            width = len(self.word_index) + 1
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using "
                             "tfidf mode.")
        matrix = np.zeros((len(sequences), width))
        for row, sequence in enumerate(sequences):
            counts = collections.Counter(i for i in sequence if i < width)
            for index, count in counts.items():
                if mode == "binary":
                    value = 1.0
                elif mode == "count":
                    value = count
                elif mode == "freq":
                    value = count / len(sequence)
                else:
                    value = (1.0 + np.log(count)) * np.log(
                        1.0 + self.document_count /
                        (1.0 + self.index_docs.get(index, 0)))
                matrix[row, index] = value
        return matrix

    def get_config(self):
        """The settings and fitted state, JSON-encoded where Keras does."""
        return {
            "num_words": self.num_words, "filters": self.filters,
            "lower": self.lower, "split": self.split,
            "char_level": self.char_level, "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index)}

    def to_json(self, **kwargs):
        """Keras's tokenizer JSON ({"class_name": "Tokenizer", "config":
        ...}); read it back with tokenizer_from_json."""
        return json.dumps({"class_name": type(self).__name__,
                           "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """The Tokenizer that `Tokenizer.to_json()` wrote."""
    config = dict(json.loads(json_string).get("config", {}))
    state = {key: json.loads(config.pop(key)) for key in
             ("word_counts", "word_docs", "index_docs", "index_word",
              "word_index")}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = collections.OrderedDict(state["word_counts"])
    tokenizer.word_docs = collections.defaultdict(int, state["word_docs"])
    # JSON keys are strings: the indices become integers again
    tokenizer.index_docs = collections.defaultdict(
        int, {int(k): v for k, v in state["index_docs"].items()})
    tokenizer.index_word = {int(k): v for k, v in state["index_word"].items()}
    tokenizer.word_index = state["word_index"]
    return tokenizer
