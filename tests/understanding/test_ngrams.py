"""Character and word n-gram TF-IDF rows."""

from __future__ import annotations

import time

import numpy as np

from bot.understanding.ngrams import Ngrams, char_ngrams, joined, word_ngrams


def test_ngrams_stay_inside_words_padded_with_a_space() -> None:
    grams = char_ngrams("Hi  yo")
    assert grams[" h"] == 1 and grams["hi "] == 1 and grams[" hi "] >= 1
    assert not any(" " in g.strip() for g in grams)  # never across two words
    assert char_ngrams("HÉLLO") == char_ngrams("héllo")  # lowercased, NFKC


def test_fit_keeps_ngrams_of_two_texts_or_more() -> None:
    ngrams = Ngrams.fit(["budget frozen", "budget approved", "zzz"])
    assert " bu" in ngrams.vocabulary and "zzz" not in ngrams.vocabulary
    assert ngrams.size == len(ngrams.idf)


def test_rows_are_unit_length_and_ignore_unknown_ngrams() -> None:
    ngrams = Ngrams.fit(["budget frozen", "budget approved", "frozen solid"])
    (index, values), (empty_index, empty_values) = ngrams.transform(["the budget", "qqq"])
    assert len(index) > 0 and abs(np.linalg.norm(values) - 1.0) < 1e-12
    assert list(index) == sorted(index)
    assert len(empty_index) == 0 and len(empty_values) == 0


def test_rarer_ngrams_weigh_more() -> None:
    ngrams = Ngrams.fit(["budget frozen", "budget approved", "our budget", "frozen"])
    idf = {g: ngrams.idf[i] for g, i in ngrams.vocabulary.items()}
    assert idf[" bu"] < idf["fro"]  # in 3 texts vs in 2


def test_a_10000_character_message_is_cut_and_fast() -> None:
    ngrams = Ngrams.fit(["word one", "word two"])
    started = time.perf_counter()
    ((index, _),) = ngrams.transform(["word " * 2000])
    elapsed = time.perf_counter() - started
    print(f"\nn-grams of 10,000 characters: {elapsed * 1000:.1f} ms")
    assert len(index) > 0
    assert char_ngrams("word " * 2000)[" wo"] < 2000  # only the first MAX_CHARS are read


def test_word_ngrams_are_words_and_word_pairs_in_their_own_namespace() -> None:
    grams = word_ngrams("We're an agency, we don't resell")
    assert grams["w:we're"] == 1 and grams["w:an agency"] == 1 and grams["w:don't resell"] == 1
    assert all(g.startswith("w:") for g in grams)  # never the name of a char n-gram


def test_joined_blocks_follow_each_other_and_stay_unit_length_each() -> None:
    texts = ["budget frozen now", "budget approved now"]
    chars = Ngrams.fit(texts, analyzer="char")
    words = Ngrams.fit(texts, analyzer="word")
    ((index, values),) = joined((chars, words), ["budget frozen"])
    in_chars = index < chars.size
    assert in_chars.any() and (~in_chars).any()
    assert (index[~in_chars] < chars.size + words.size).all()
    assert abs(np.linalg.norm(values[in_chars]) - 1.0) < 1e-12
    assert abs(np.linalg.norm(values[~in_chars]) - 1.0) < 1e-12
