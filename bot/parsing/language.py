"""The language a visitor writes in, per message: lingua names it.

`lingua-language-detector` ships its models inside the wheel. Its high-accuracy mode costs
about 30 MB of memory per language (some 700 MB for the languages below), so it runs in
low-accuracy mode (trigram models, about 60 MB for all of them). That mode is good at naming
the language of a message that is not English, but it also misnames one short English
message in a hundred or so ("market analyst covering helpdesk vendors" -> Tagalog). So the
caller may pass `english`: the probability, from the understanding layer's trained
language head, that the message is English; with it, lingua is asked only to name a
language the head says is not English. Without it, lingua alone decides.

A message with too few letters (a name, "ok", "50k", an e-mail address) says nothing about
its language: `detect_language` returns None and the conversation keeps the language it has.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from lingua import LanguageDetector

# The languages lingua chooses among: those of the website visitors a B2B vendor sees most,
# in Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, CJK and Hangul scripts.
LANGUAGES = (
    "en", "de", "fr", "es", "pt", "it", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk", "sl",
    "hr", "ro", "hu", "el", "tr", "ru", "uk", "bg", "ja", "zh", "ko", "ar", "he", "hi", "th",
    "vi", "id", "ms", "tl", "et", "lv", "lt",
)
# Letters a message needs before its language counts.
MIN_LETTERS = 12
# How sure lingua must be of a non-English language when no head vouches either way.
MIN_CONFIDENCE_ALONE = 0.9
# ...and when the head already says "not English": lingua only names the language.
MIN_CONFIDENCE_NAMING = 0.3
# Below this probability of English (from the head) a message is read as another language.
ENGLISH_THRESHOLD = 0.5

# Addresses, handles and digits carry no language; they only mislead the trigram models.
_NOISE_RE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|[@#]\w+|\d+")

_lock = threading.Lock()
_detector: LanguageDetector | None = None


def _get_detector() -> LanguageDetector:
    """The process's detector, built on first use (about 0.2 s, ~60 MB)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                languages = [
                    Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                    for code in LANGUAGES
                ]
                _detector = (
                    LanguageDetectorBuilder.from_languages(*languages)
                    .with_preloaded_language_models()
                    .with_low_accuracy_mode()
                    .build()
                )
    return _detector


def warm_up() -> None:
    """Load lingua's models now, so the first visitor does not wait for them."""
    _get_detector()


def letters_in(text: str) -> int:
    """How many letters a message has once addresses, handles and digits are removed."""
    return sum(ch.isalpha() for ch in _NOISE_RE.sub(" ", text or ""))


def ranked_languages(text: str) -> list[tuple[str, float]]:
    """(ISO 639-1 code, confidence) of the candidate languages, most likely first."""
    cleaned = _NOISE_RE.sub(" ", text or "")
    values = _get_detector().compute_language_confidence_values(cleaned)
    return [(v.language.iso_code_639_1.name.lower(), float(v.value)) for v in values]


def detect_language(text: str, english: float | None = None) -> str | None:
    """ISO 639-1 code of the language `text` is written in, or None when it cannot tell.

    `english`: the probability that the message is English, from the trained language head
    (see the module docstring); None lets lingua decide alone.
    """
    if letters_in(text) < MIN_LETTERS:
        return None
    if english is not None and english >= ENGLISH_THRESHOLD:
        return "en"
    ranked = ranked_languages(text)
    if english is None:
        code, confidence = ranked[0]
        return code if code == "en" or confidence >= MIN_CONFIDENCE_ALONE else "en"
    code, confidence = next(((c, v) for c, v in ranked if c != "en"), ("en", 1.0))
    return code if confidence >= MIN_CONFIDENCE_NAMING else None


def language_name(code: str, in_language: str = "en") -> str:
    """The language's name ("Swedish"), in English or in `in_language` ("svenska")."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(in_language).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name or code
