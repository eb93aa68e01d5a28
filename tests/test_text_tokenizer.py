"""Keras 2's text Tokenizer (seqcore/legacy/_text_tokenizer.py, behind R
keras's text_tokenizer()) against Keras's own (fixtures from
make_tokenizer_fixtures.py)."""
import json
import pathlib

import numpy as np
import pytest

from seqcore.legacy._text_tokenizer import (Tokenizer, text_to_word_sequence,
                                            tokenizer_from_json)

KERAS = json.loads((pathlib.Path(__file__).parent / "fixtures" /
                    "keras_tokenizer.json").read_text())


@pytest.mark.parametrize("case", sorted(KERAS["cases"]))
def test_tokenizer_matches_keras(case):
    want = KERAS["cases"][case]
    tokenizer = Tokenizer(**want["settings"])
    tokenizer.fit_on_texts(KERAS["texts"])
    texts = KERAS["texts"] + KERAS["new_texts"]
    assert tokenizer.word_index == want["word_index"]
    assert list(tokenizer.word_index) == list(want["word_index"])
    assert dict(tokenizer.word_counts) == want["word_counts"]
    assert tokenizer.document_count == want["document_count"]
    sequences = tokenizer.texts_to_sequences(texts)
    assert sequences == want["sequences"]
    assert tokenizer.sequences_to_texts(sequences) == want["texts"]
    for mode, matrix in want["matrices"].items():
        np.testing.assert_allclose(tokenizer.texts_to_matrix(texts, mode),
                                   matrix, rtol=1e-12)
    again = tokenizer_from_json(tokenizer.to_json())
    assert again.texts_to_sequences(texts) == sequences
    np.testing.assert_allclose(again.texts_to_matrix(texts, "tfidf"),
                               want["matrices"]["tfidf"], rtol=1e-12)


def test_word_sequence_and_errors():
    assert text_to_word_sequence("Hello, World! It's a test.") == \
        KERAS["text_to_word_sequence"]
    with pytest.raises(ValueError, match="Specify a dimension"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="tfidf"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="onehot")
    with pytest.raises(TypeError, match="Unrecognized keyword"):
        Tokenizer(vocab=3)
