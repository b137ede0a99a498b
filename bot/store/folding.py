"""Normalised answer values and how they fold into a lead's current columns.

`LEAD_COLUMNS` declares, once per answer field that has lead columns, how its value is
checked and which columns it sets. It lives here and not with the field registry
(bot/parsing/fields.py) because the store re-folds a lead on its own, with no conversation
running (a merge, answers turned into claims, erased personal data), and may import nothing
of bot/parsing. Any other field (`current_tool`, `seats`, `follow_up_consent`) is kept as
an answer only, checked to be JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from bot.store.models import Lead
from bot.vocabulary import AUTHORITIES, BUDGET_PERIODS, BUDGET_STATUSES, DERIVED


class FoldableAnswer(Protocol):
    """What folding needs from an answer (the ORM `Answer` has it)."""

    field: str
    value: Any
    source: str


_Answer = TypeVar("_Answer", bound=FoldableAnswer)


def normalise_value(field: str, value: Any) -> Any:
    """Check `value` for `field` and return its canonical form; raises ValueError."""
    if value is None:
        return None
    columns = LEAD_COLUMNS.get(field)
    if columns is not None:
        return columns.normalise(field, value)
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: value is not JSON-serialisable: {exc}") from exc
    return value


def current_answers(answers: Iterable[_Answer]) -> dict[str, _Answer]:
    """The answer each field currently takes its value from.

    `answers` must be in order (at, id): a later answer wins, except that a derived
    answer never replaces one the visitor gave.
    """
    current: dict[str, _Answer] = {}
    for answer in answers:
        previous = current.get(answer.field)
        if previous is not None and answer.source == DERIVED and previous.source != DERIVED:
            continue
        current[answer.field] = answer
    return current


def fold_answers(lead: Lead, answers: Iterable[FoldableAnswer]) -> None:
    """Set the lead's profile/BANT columns from its answers, starting from a blank lead.

    The one exception: with no e-mail answer at all, the lead keeps the e-mail it has.
    """
    current = current_answers(answers)
    for field, columns in LEAD_COLUMNS.items():
        answer = current.get(field)
        if answer is None and columns.kept_without_answer:
            continue
        columns.fold(lead, None if answer is None else answer.value)


def _text(field: str, value: Any) -> str:
    """A trimmed string."""
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected a string, got {value!r}")
    return value.strip()


def _email(field: str, value: Any) -> str:
    """An e-mail address, lower-cased."""
    return _text(field, value).lower()


def _industry(field: str, value: Any) -> str:
    """An industry label, lower-cased."""
    return _text(field, value).lower()


def _country(field: str, value: Any) -> str:
    """An ISO 3166-1 alpha-2 country code, upper-cased."""
    code = _text(field, value).upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"{field}: expected an ISO 3166-1 alpha-2 code, got {value!r}")
    return code


def _number(field: str, value: Any) -> float:
    """A finite number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{field}: expected a number, got {value!r}")
    return float(value)


def _company_size(field: str, value: Any) -> int:
    """A whole, non-negative number of employees."""
    number = _number(field, value)
    if not number.is_integer() or number < 0:
        raise ValueError(f"{field}: expected a whole number of employees, got {value!r}")
    return int(number)


def _authority(field: str, value: Any) -> str:
    """One of the closed set of authorities."""
    if value not in AUTHORITIES:
        raise ValueError(f"{field}: expected one of {sorted(AUTHORITIES)}, got {value!r}")
    return str(value)


def _dict(field: str, value: Any, keys: frozenset[str]) -> Mapping[str, Any]:
    """A mapping with no keys but `keys`."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{field}: expected a dict, got {value!r}")
    unknown = set(value) - keys
    if unknown:
        raise ValueError(f"{field}: unexpected keys {sorted(unknown)}")
    return value


def _budget(field: str, value: Any) -> dict[str, Any]:
    """A budget: amount, currency, period and status, each checked."""
    budget = _dict(field, value, frozenset({"amount", "currency", "period", "status"}))
    amount = budget.get("amount")
    currency = budget.get("currency")
    period = budget.get("period")
    status = budget.get("status") or "unknown"
    if period is not None and period not in BUDGET_PERIODS:
        raise ValueError(f"{field}: period must be one of {sorted(BUDGET_PERIODS)} or None")
    if status not in BUDGET_STATUSES:
        raise ValueError(f"{field}: status must be one of {sorted(BUDGET_STATUSES)}")
    return {
        "amount": None if amount is None else _number(f"{field}.amount", amount),
        "currency": None if currency is None else _text(f"{field}.currency", currency).upper(),
        "period": period,
        "status": status,
    }


def _timeline(field: str, value: Any) -> dict[str, Any]:
    """A timeline: months from the answer, or None."""
    months = _dict(field, value, frozenset({"months"})).get("months")
    return {"months": None if months is None else _number(f"{field}.months", months)}


def _column(name: str) -> Callable[[Lead, Any], None]:
    """A fold into the lead's column of the same name (None clears it)."""
    return lambda lead, value: setattr(lead, name, value)


def _fold_authority(lead: Lead, value: Any) -> None:
    """The lead's authority: 'unknown' without an answer."""
    lead.authority = value or "unknown"


def _fold_timeline(lead: Lead, value: Any) -> None:
    """The lead's timeline in months."""
    lead.timeline_months = value.get("months") if value else None


def _fold_budget(lead: Lead, value: Any) -> None:
    """The lead's four budget columns (status 'unknown' without an answer)."""
    budget: Mapping[str, Any] = value or {}
    lead.budget_amount = budget.get("amount")
    lead.budget_currency = budget.get("currency")
    lead.budget_period = budget.get("period")
    lead.budget_status = budget.get("status") or "unknown"


@dataclass(frozen=True)
class LeadColumns:
    """How one answer field's value is checked and folded into the lead's columns."""

    normalise: Callable[[str, Any], Any]  # (field, value) -> canonical value; ValueError
    fold: Callable[[Lead, Any], None]  # the current answer's value, None without one
    # A lead created by an activity import knows its e-mail without any answer.
    kept_without_answer: bool = False


LEAD_COLUMNS: dict[str, LeadColumns] = {
    "need": LeadColumns(_text, _column("need")),
    "name": LeadColumns(_text, _column("name")),
    "company": LeadColumns(_text, _column("company")),
    "job_title": LeadColumns(_text, _column("job_title")),
    "phone": LeadColumns(_text, _column("phone")),
    "email": LeadColumns(_email, _column("email"), kept_without_answer=True),
    "industry": LeadColumns(_industry, _column("industry")),
    "country": LeadColumns(_country, _column("country")),
    "company_size": LeadColumns(_company_size, _column("company_size")),
    "authority": LeadColumns(_authority, _fold_authority),
    "budget": LeadColumns(_budget, _fold_budget),
    "timeline": LeadColumns(_timeline, _fold_timeline),
}
