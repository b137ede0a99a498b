"""Character n-gram TF-IDF features: the surface of a message, next to its embedding.

all-MiniLM-L6-v2 was trained on English and blurs what short, misspelt or non-English
messages say ("bugdet frozen", "het budget is bevroren"). Character n-grams inside word
boundaries (" bu", "bud", "udg", ...) are learned from the corpus like everything else
here, and carry exactly that: on the held-out split they raised macro-F1 by 0.06-0.08 on
every label (`python -m bot.understanding.report --no-char-ngrams` gives the figures
without them).

Numpy and the standard library only: the same code builds the vocabulary at training and
turns messages into (indices, values) rows at run time.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.understanding.encoder import MAX_CHARS

NGRAM_RANGE = (2, 5)
MIN_DF = 2  # an n-gram seen in one training message only is noise, not vocabulary

SparseRow = tuple[np.ndarray, np.ndarray]  # (int64 column indices, float64 values)


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


@dataclass(frozen=True)
class CharNgrams:
    """A fitted vocabulary: n-gram -> column, and each column's inverse document frequency."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    @classmethod
    def fit(cls, texts: Iterable[str], min_df: int = MIN_DF) -> CharNgrams:
        """Vocabulary of the n-grams in at least `min_df` texts; smooth idf as scikit-learn."""
        texts = list(texts)
        df: Counter[str] = Counter()
        for text in texts:
            df.update(char_ngrams(text).keys())
        kept = sorted(g for g, count in df.items() if count >= min_df)
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float64)
        return cls(vocabulary={g: i for i, g in enumerate(kept)}, idf=idf)

    @property
    def size(self) -> int:
        """How many columns the n-gram block has."""
        return len(self.vocabulary)

    def transform(self, texts: Sequence[str]) -> list[SparseRow]:
        """Each text as a unit-length row of sublinear tf x idf over the known n-grams."""
        rows = []
        for text in texts:
            pairs = sorted(
                (self.vocabulary[g], 1.0 + math.log(c))
                for g, c in char_ngrams(text).items()
                if g in self.vocabulary
            )
            index = np.array([i for i, _ in pairs], dtype=np.int64)
            values = np.array([v for _, v in pairs], dtype=np.float64) * self.idf[index]
            norm = float(np.linalg.norm(values))
            rows.append((index, values / norm if norm else values))
        return rows
