"""Corrections: "actually make that 50k", "sorry, my email is ...", "wait, we're 250 people"."""

from __future__ import annotations

import re

CORRECTION_CUES = (
    "actually", "sorry", "correction", "i meant", "make that", "my bad", "my mistake", "wait",
    "oops", "scratch that", "typo", "should be", "should have said", "to be precise",
    "let me correct", "got that wrong", "got it wrong", "i was wrong", "hang on", "not right",
    "that was wrong", "misspoke",
)
_CUE_RE = re.compile(
    r"\b(" + "|".join(re.escape(c.strip()) for c in CORRECTION_CUES) + r")\b", re.IGNORECASE
)

# Which field a correction is about, from the words around the new value. Order matters:
# the first field whose pattern matches wins.
FIELD_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"@|\be-?mail\b", re.I)),
    ("phone", re.compile(r"\b(phone|number|mobile|cell)\b", re.I)),
    ("name", re.compile(r"\bmy name\b|\bcall me\b", re.I)),
    ("company_size", re.compile(r"\b(people|employees|staff|headcount|ftes?)\b", re.I)),
    ("budget", re.compile(
        r"[$€£¥₹]|\b\d+(?:[.,]\d+)?\s*(k|m|grand)\b|\bbudget\b|\b(usd|eur|gbp|sek|sgd|chf)\b"
        r"|\b(monthly|per month|a month|annual|yearly|per year|a year)\b", re.I)),
    ("timeline", re.compile(
        r"\b(weeks?|months?|quarter|q[1-4]|asap|timeline|deadline|january|february|march|"
        r"april|may|june|july|august|september|october|november|december)\b", re.I)),
    ("company", re.compile(r"\b(company|organi[sz]ation|we're called|work (at|for))\b", re.I)),
    ("job_title", re.compile(r"\b(title|role|position)\b", re.I)),
)


def correction_field(text: str) -> str | None:
    """The field a correction message is about, or None when it is not a correction."""
    if not _CUE_RE.search(text):
        return None
    for field, pattern in FIELD_HINTS:
        if pattern.search(text):
            return field
    return None
