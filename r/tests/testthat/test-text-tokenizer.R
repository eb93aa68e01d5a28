# R keras 2's text_tokenizer() family (Keras 2's Tokenizer; its numbers are
# checked against Keras's in the Python tests).

test_that("a fitted tokenizer ranks words and converts texts", {
  texts <- c("The cat sat on the mat.", "The dog ate my homework!",
             "the cat, the dog")
  tokenizer <- text_tokenizer(num_words = 4) %>% fit_text_tokenizer(texts)
  index <- tokenizer$word_index
  expect_equal(index$the, 1L)           # 5 times
  expect_equal(index$cat, 2L)           # 2 times, before dog
  expect_equal(index$dog, 3L)
  expect_equal(tokenizer$document_count, 3L)
  sequences <- texts_to_sequences(tokenizer, c("the cat ate the dog", "mat"))
  expect_equal(sequences, list(c(1L, 2L, 1L, 3L), integer(0)))
  m <- texts_to_matrix(tokenizer, c("the cat the", "dog"), mode = "count")
  expect_equal(m, rbind(c(0, 2, 1, 0), c(0, 0, 0, 1)))
  expect_equal(sequences_to_matrix(tokenizer, list(c(1L, 1L, 3L), 2L),
                                   mode = "freq"),
               rbind(c(0, 2 / 3, 0, 1 / 3), c(0, 0, 1, 0)))
  expect_equal(sequences_to_texts(tokenizer, list(c(1L, 2L), 3L)),
               c("the cat", "dog"))
  padded <- pad_sequences(sequences, maxlen = 5)
  expect_equal(dim(padded), c(2L, 5L))
  expect_error(texts_to_matrix(tokenizer, "x", mode = "onehot"),
               "should be one of")
})

test_that("an out-of-vocabulary token and a saved tokenizer", {
  tokenizer <- text_tokenizer(oov_token = "<unk>") %>%
    fit_text_tokenizer(c("a b b", "c"))
  expect_equal(tokenizer$word_index[["<unk>"]], 1L)
  expect_equal(texts_to_sequences(tokenizer, "b z a")[[1]], c(2L, 1L, 3L))
  path <- tempfile(fileext = ".json")
  save_text_tokenizer(tokenizer, path)
  again <- load_text_tokenizer(path)
  expect_equal(texts_to_sequences(again, "b z a c"),
               texts_to_sequences(tokenizer, "b z a c"))
  expect_equal(texts_to_matrix(again, c("a b", "c"), mode = "tfidf"),
               texts_to_matrix(tokenizer, c("a b", "c"), mode = "tfidf"))
})
