"""Normalised answer values and how they fold into a lead's current columns."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from bot.store.models import Lead
from bot.vocabulary import AUTHORITIES, BUDGET_PERIODS, BUDGET_STATUSES, DERIVED

_TEXT_FIELDS = ("need", "name", "company", "job_title", "phone")


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
    normalise = _NORMALISERS.get(field)
    if normalise is not None:
        return normalise(field, value)
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
    for field in (*_TEXT_FIELDS, "email", "industry", "country", "company_size"):
        answer = current.get(field)
        if answer is None and field == "email":
            # A lead created by an activity import knows its e-mail without any answer.
            continue
        setattr(lead, field, None if answer is None else answer.value)
    authority = current.get("authority")
    lead.authority = (authority.value if authority else None) or "unknown"
    timeline = current.get("timeline")
    lead.timeline_months = timeline.value.get("months") if timeline and timeline.value else None
    budget = current.get("budget")
    value: Mapping[str, Any] = budget.value if budget and budget.value else {}
    lead.budget_amount = value.get("amount")
    lead.budget_currency = value.get("currency")
    lead.budget_period = value.get("period")
    lead.budget_status = value.get("status") or "unknown"


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected a string, got {value!r}")
    return value.strip()


def _email(field: str, value: Any) -> str:
    return _text(field, value).lower()


def _industry(field: str, value: Any) -> str:
    return _text(field, value).lower()


def _country(field: str, value: Any) -> str:
    code = _text(field, value).upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"{field}: expected an ISO 3166-1 alpha-2 code, got {value!r}")
    return code


def _number(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{field}: expected a number, got {value!r}")
    return float(value)


def _company_size(field: str, value: Any) -> int:
    number = _number(field, value)
    if not number.is_integer() or number < 0:
        raise ValueError(f"{field}: expected a whole number of employees, got {value!r}")
    return int(number)


def _authority(field: str, value: Any) -> str:
    if value not in AUTHORITIES:
        raise ValueError(f"{field}: expected one of {sorted(AUTHORITIES)}, got {value!r}")
    return str(value)


def _dict(field: str, value: Any, keys: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{field}: expected a dict, got {value!r}")
    unknown = set(value) - keys
    if unknown:
        raise ValueError(f"{field}: unexpected keys {sorted(unknown)}")
    return value


def _budget(field: str, value: Any) -> dict[str, Any]:
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
    months = _dict(field, value, frozenset({"months"})).get("months")
    return {"months": None if months is None else _number(f"{field}.months", months)}


_NORMALISERS: dict[str, Callable[[str, Any], Any]] = {
    **{field: _text for field in _TEXT_FIELDS},
    "email": _email,
    "industry": _industry,
    "country": _country,
    "company_size": _company_size,
    "authority": _authority,
    "budget": _budget,
    "timeline": _timeline,
}
