"""What one visitor message means, as the conversation uses it.

`Understanding.read(text, asked)` runs the sentence encoder and the trained heads once
(`classifier.py`) and asks lingua for the language (`bot/parsing/language.py`), with the
language head vouching for English. The result is a `Meaning`: per head the most likely
class, its probability and the whole distribution, and the message's language.

The conversation may ask for the same message more than once in a turn (Rasa can run the
form's validation twice, and a side question's action reads it too): readings are kept in
a small LRU cache keyed by the text and the question asked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from bot.parsing.facts import warm_up as warm_up_parsing
from bot.parsing.language import detect_language
from bot.parsing.language import warm_up as warm_up_language
from bot.understanding.classifier import Classifier, LabelReading, Reading, get_classifier

PROSPECT = "prospect"
CACHE_SIZE = 512


@dataclass(frozen=True)
class Meaning:
    """One message's reading by every head, and the language it is written in."""

    reading: Reading
    language: str | None  # ISO 639-1; None when the message is too short to tell

    @property
    def kind(self) -> LabelReading:
        """Which kind of visitor the message shows (prospect, support, vendor, ...)."""
        return self.reading.kind

    @property
    def act(self) -> LabelReading:
        """What the message does: answer, question, person, stop or other."""
        return self.reading.act

    @property
    def authority(self) -> LabelReading | None:
        """The visitor's part in the decision, if the message is about it."""
        return self.reading.authority

    @property
    def budget(self) -> LabelReading | None:
        """The budget's status, if the message is about the budget."""
        return self.reading.budget

    @property
    def topic(self) -> LabelReading | None:
        """What a question is about (meaningful when the act is `question`)."""
        return self.reading.topic

    def kind_probability(self, kind: str) -> float:
        """The probability that the message shows a visitor of `kind`."""
        return self.reading.kind.distribution.get(kind, 0.0)

    def act_probability(self, act: str) -> float:
        """The probability that the message does `act`."""
        return self.reading.act.distribution.get(act, 0.0)

    def strongest_non_lead(self) -> tuple[str, float]:
        """The most likely kind other than prospect, and its probability."""
        others = [(k, p) for k, p in self.reading.kind.distribution.items() if k != PROSPECT]
        return max(others, key=lambda item: item[1]) if others else (PROSPECT, 0.0)


class Understanding:
    """Reads messages with the trained heads and lingua; thread-safe, with an LRU cache."""

    def __init__(self, classifier: Classifier, cache_size: int = CACHE_SIZE) -> None:
        """`classifier`: the trained heads (with the encoder they were trained over)."""
        self._classifier = classifier
        self._cache: OrderedDict[tuple[str, str | None], Meaning] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def read(self, text: str, asked: str | None = None) -> Meaning:
        """The meaning of `text`, given the slot the assistant had just asked (or None)."""
        key = (text, asked)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        reading = self._classifier.read(text, asked)
        english = reading.language.distribution.get("en") if reading.language else None
        meaning = Meaning(reading=reading, language=detect_language(text, english))
        with self._lock:
            self._cache[key] = meaning
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return meaning

    def warm_up(self) -> None:
        """Load the encoder, the heads and lingua now (about 1 s) instead of on a visitor."""
        self.read("hello, we are looking for a help desk")
        warm_up_language()
        warm_up_parsing()


_lock = threading.Lock()
_understanding: Understanding | None = None


def get_understanding(heads_path: Path | None = None) -> Understanding:
    """The process's Understanding over the trained heads of the current corpus.

    Raises FileNotFoundError when the heads were not trained (`leadbot train` trains them).
    """
    global _understanding
    if _understanding is None:
        with _lock:
            if _understanding is None:
                _understanding = Understanding(get_classifier(heads_path))
    return _understanding
