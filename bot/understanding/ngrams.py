"""Character and word n-gram TF-IDF features: the surface of a message, next to its embedding.

all-MiniLM-L6-v2 was trained on English and blurs what short, misspelt or non-English
messages say ("bugdet frozen", "het budget is bevroren"). Character n-grams inside word
boundaries (" bu", "bud", "udg", ...) are learned from the corpus like everything else
here, and carry exactly that: on the held-out split they raised macro-F1 by 0.06-0.08 on
every label (`python -m bot.understanding.report --no-char-ngrams` gives the figures
without them). Word unigrams and bigrams ("our account", "your team", "book a") add who
the message is about: on the 8,000-message corpus they raised held-out macro-F1 by
0.01-0.03 on every head.

Numpy and the standard library only: the same code builds the vocabulary at training and
turns messages into (indices, values) rows at run time.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.understanding.encoder import MAX_CHARS

NGRAM_RANGE = (2, 5)
MIN_DF = 2  # an n-gram seen in one training message only is noise, not vocabulary

SparseRow = tuple[np.ndarray, np.ndarray]  # (int64 column indices, float64 values)


WORD_NGRAM_RANGE = (1, 2)
# Words are sequences of letters and digits; an apostrophe stays inside ("don't", "we're").
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def word_ngrams(text: str, low: int = WORD_NGRAM_RANGE[0],
                high: int = WORD_NGRAM_RANGE[1]) -> Counter[str]:
    """Counts of the word n-grams (low..high words) of a message, lower-cased, NFKC; each
    prefixed with "w:" so that it never shares a column name with a character n-gram.
    """
    normal = unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower()
    words = _WORD_RE.findall(normal)
    counts: Counter[str] = Counter()
    for n in range(low, high + 1):
        counts.update("w:" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return counts


def char_ngrams(text: str, low: int = NGRAM_RANGE[0], high: int = NGRAM_RANGE[1]) -> Counter[str]:
    """Counts of the n-grams (low..high characters) of each word padded with one space."""
    normal = unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower()
    counts: Counter[str] = Counter()
    for word in normal.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) < n:
                counts[padded] += 1  # a short word counts once, whole
                break
            counts.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return counts


ANALYZERS: dict[str, Callable[[str], Counter[str]]] = {"char": char_ngrams, "word": word_ngrams}


@dataclass(frozen=True)
class Ngrams:
    """A fitted vocabulary of one analyzer (`char` or `word` n-grams): n-gram -> column, and
    each column's inverse document frequency.
    """

    vocabulary: dict[str, int]
    idf: np.ndarray
    analyzer: str = "char"

    @classmethod
    def fit(cls, texts: Iterable[str], min_df: int = MIN_DF, analyzer: str = "char") -> Ngrams:
        """Vocabulary of the n-grams in at least `min_df` texts; smooth idf as scikit-learn."""
        grams_of = ANALYZERS[analyzer]
        texts = list(texts)
        df: Counter[str] = Counter()
        for text in texts:
            df.update(grams_of(text).keys())
        kept = sorted(g for g, count in df.items() if count >= min_df)
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float64)
        return cls(vocabulary={g: i for i, g in enumerate(kept)}, idf=idf, analyzer=analyzer)

    @property
    def size(self) -> int:
        """How many columns the n-gram block has."""
        return len(self.vocabulary)

    def transform(self, texts: Sequence[str]) -> list[SparseRow]:
        """Each text as a unit-length row of sublinear tf x idf over the known n-grams."""
        grams_of = ANALYZERS[self.analyzer]
        rows = []
        for text in texts:
            pairs = sorted(
                (self.vocabulary[g], 1.0 + math.log(c))
                for g, c in grams_of(text).items()
                if g in self.vocabulary
            )
            index = np.array([i for i, _ in pairs], dtype=np.int64)
            values = np.array([v for _, v in pairs], dtype=np.float64) * self.idf[index]
            norm = float(np.linalg.norm(values))
            rows.append((index, values / norm if norm else values))
        return rows


def joined(blocks: Sequence[Ngrams], texts: Sequence[str]) -> list[SparseRow]:
    """The rows of several n-gram blocks side by side (each block unit-length on its own):
    the second block's columns follow the first's, and so on.
    """
    per_block = [block.transform(texts) for block in blocks]
    rows = []
    for parts in zip(*per_block, strict=True):
        offset = 0
        indices, values = [], []
        for block, (index, value) in zip(blocks, parts, strict=True):
            indices.append(index + offset)
            values.append(value)
            offset += block.size
        rows.append((np.concatenate(indices) if indices else np.zeros(0, np.int64),
                     np.concatenate(values) if values else np.zeros(0)))
    return rows
