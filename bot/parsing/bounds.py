"""Plausible facts only: the bounds a parsed value must hold to be stored as a fact.

The numbers live in `policies/questions.yml` (`bounds:`), validated by bot/policies/questions.py and
handed to `use_bounds` when a process starts the conversation; the defaults here are the
same, so parsing without a policy (tests, the CLI) behaves alike. A value out of bounds is
no answer: the visitor's words are kept as raw text and the question is rephrased once,
like any unclear answer. Pure and a leaf: nothing here imports the rest of bot/.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Bounds:
    """Per-field limits of what a visitor could plausibly mean."""

    budget_max_per_year: float = 50_000_000  # in the currency given; a one-off amount too
    timeline_max_months: float = 60
    company_size_max: int = 5_000_000
    seats_max: int = 1_000_000
    name_max_chars: int = 80
    name_max_words: int = 5
    job_title_max_chars: int = 80
    company_max_chars: int = 100
    # An answer longer than this is no name, company or job title (a pasted text is not).
    short_answer_max_chars: int = 300
    phone_min_digits: int = 7
    phone_max_digits: int = 15


DEFAULT_BOUNDS = Bounds()
_active: list[Bounds] = [DEFAULT_BOUNDS]

# Letters (any script), with the marks names use between them: "Anne-Marie O'Neil Jr."
_NAME_RE = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]*)*\.?", re.UNICODE)


def use_bounds(bounds: Bounds) -> None:
    """Make `bounds` the process's limits (from the policy file, at start-up)."""
    _active[0] = bounds


def active_bounds() -> Bounds:
    """The process's limits: the policy's after `use_bounds`, else the defaults."""
    return _active[0]


def within_bounds(field: str, value: Any, bounds: Bounds | None = None) -> bool:
    """Whether `value`, parsed for `field`, is plausible enough to be stored as a fact."""
    limits = bounds or active_bounds()
    check = _CHECKS.get(field)
    return True if check is None else check(value, limits)


def short_enough(text: str, bounds: Bounds | None = None) -> bool:
    """Whether `text` can be an answer naming a person, a company or a job title."""
    return len(text) <= (bounds or active_bounds()).short_answer_max_chars


def _budget(value: Any, b: Bounds) -> bool:
    amount = value.get("amount") if isinstance(value, dict) else None
    if amount is None:
        return True  # "no budget yet" / "not decided"
    # A monthly budget is already stored per year ("2k a month" is 24,000).
    return 0 < amount <= b.budget_max_per_year


def _timeline(value: Any, b: Bounds) -> bool:
    months = value.get("months") if isinstance(value, dict) else value
    return months is None or 0 <= months <= b.timeline_max_months


def _count(limit: str) -> Any:
    def check(value: Any, b: Bounds) -> bool:
        return isinstance(value, int) and 1 <= value <= getattr(b, limit)

    return check


def _name(value: Any, b: Bounds) -> bool:
    if not isinstance(value, str) or len(value) > b.name_max_chars:
        return False
    words = value.split()
    return 0 < len(words) <= b.name_max_words and all(_NAME_RE.fullmatch(w) for w in words)


def _text(limit: str) -> Any:
    def check(value: Any, b: Bounds) -> bool:
        return isinstance(value, str) and 0 < len(value) <= getattr(b, limit) and any(
            unicodedata.category(ch).startswith("L") for ch in value
        )

    return check


def _phone(value: Any, b: Bounds) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\+\d+", value):
        return False  # stored as E.164: a plus and digits only
    return b.phone_min_digits <= len(value) - 1 <= b.phone_max_digits


_CHECKS = {
    "budget": _budget,
    "timeline": _timeline,
    "company_size": _count("company_size_max"),
    "seats": _count("seats_max"),
    "name": _name,
    "job_title": _text("job_title_max_chars"),
    "company": _text("company_max_chars"),
    "phone": _phone,
}
