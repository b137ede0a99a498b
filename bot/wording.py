"""One wording of each buying fact (budget, timeline, authority), for every place that shows it.

The visitor's read-back ("Noted: budget USD 2,000 a month"), the handoff summaries, the
rep pages and the CLI all word these values here, from the stored lead fields, so a figure
cannot mean one thing in one place and another elsewhere. Three audiences:

- ``visitor``: short, in the chat's read-back ("budget USD 2,000 a month (allocated)");
- ``rep``: complete, for summaries and pages ("2,000 USD a month (24,000 a year), estimate");
- ``compact``: a table cell of the CLI ("24,000 USD/yr", "3 mo").

The store keeps ``budget_amount`` per year for a recurring budget (lead-record contract);
the amount as the visitor said it is derived here (:func:`stated_amount`: a monthly budget
is the yearly amount / 12). A quarterly or weekly budget is stored as a yearly one (see
``bot/parsing/budget.py``) and is worded per year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Audience = Literal["visitor", "rep", "compact"]

_AUTHORITY_WORDS: dict[str, dict[Audience, str]] = {
    "decision_maker": {"visitor": "decides", "rep": "decision maker"},
    "influencer": {"visitor": "recommends, someone else signs off", "rep": "influencer"},
    "user": {"visitor": "would use it", "rep": "user"},
    "unknown": {"visitor": "not sure who decides", "rep": "unknown"},
}

# How a stored period is said after an amount, per audience.
_PERIOD_WORDS: dict[Audience, dict[str, str]] = {
    "visitor": {"year": " a year", "month": " a month", "one_time": " one-off"},
    "rep": {"year": " a year", "month": " a month", "one_time": " one-off"},
    "compact": {"year": "/yr", "month": "/yr", "one_time": " once"},
}
_STATUS_WORDS: dict[str, str] = {
    "allocated": "allocated", "estimate": "estimate", "none": "no budget yet",
    "unknown": "status unknown",
}
_NO_AMOUNT: dict[Audience, dict[str, str]] = {
    "visitor": {"none": "no budget yet"},
    "rep": {"none": "no budget yet", "unknown": "unknown",
            "allocated": "allocated, amount unknown", "estimate": "estimate, amount unknown"},
    "compact": {"unknown": "-"},
}
DAYS_PER_MONTH = 30.44


def stated_amount(amount: float | None, period: str | None) -> float | None:
    """The amount as the visitor said it, from the stored one: a monthly budget is stored
    per year (24,000 for "2k a month"), so it is the stored amount / 12; any other is as
    stored.
    """
    if amount is None:
        return None
    return amount / 12 if period == "month" else amount


def number_text(value: float) -> str:
    """A money figure with thousands separators: whole units unless cents were given."""
    if abs(value - round(value)) < 0.005:
        return f"{round(value):,}"
    return f"{value:,.2f}"


def budget_text(amount: float | None, currency: str | None, period: str | None,
                status: str | None, *, audience: Audience = "rep") -> str:
    """The budget as `audience` reads it, from the stored fields (`amount` per year for a
    monthly budget, as in the lead record).

    visitor: "budget USD 2,000 a month", "budget EUR 30,000 a year (allocated)",
    "no budget yet", "budget not decided";
    rep: "2,000 USD a month (24,000 a year), estimate", "50,000 EUR one-off, allocated";
    compact: "24,000 USD/yr" (always the yearly figure, comparable down a column).
    """
    status = status or "unknown"
    if amount is None:
        fallback = "budget not decided" if audience == "visitor" else status
        return _NO_AMOUNT[audience].get(status, fallback)
    per = _PERIOD_WORDS[audience].get(period or "", "")
    if audience == "compact":
        return f"{_money(amount, currency)}{per}"
    said = stated_amount(amount, period) or 0.0
    if audience == "visitor":
        code = f"{currency} " if currency else ""
        allocated = " (allocated)" if status == "allocated" else ""
        return f"budget {code}{number_text(said)}{per}{allocated}"
    yearly = f" ({number_text(amount)} a year)" if period == "month" else ""
    return f"{_money(said, currency)}{per}{yearly}, {_STATUS_WORDS.get(status, status)}"


def _money(value: float, currency: str | None) -> str:
    return f"{number_text(value)} {currency}" if currency else number_text(value)


def timeline_text(months: float | None, *, audience: Audience = "rep") -> str:
    """When the visitor wants a solution, as `audience` reads it (`months` from now, 0 =
    now / as soon as possible, None = not said).

    visitor: "wanted in about 3 months", "wanted in about 2 weeks", "needed now";
    rep: "within 3 months", "within 2 weeks", "now / as soon as possible", "unknown";
    compact: "3 mo", "2 wk", "now", "-".
    """
    if months is None:
        return {"visitor": "no fixed timeline", "rep": "unknown", "compact": "-"}[audience]
    if months <= 0:
        return {"visitor": "needed now", "rep": "now / as soon as possible",
                "compact": "now"}[audience]
    if months < 1:
        weeks = max(1, round(months * DAYS_PER_MONTH / 7))
        if audience == "compact":
            return f"{weeks} wk"
        span = _plural(weeks, "week")
    else:
        count = f"{round(months, 1):g}"
        if audience == "compact":
            return f"{count} mo"
        span = _plural(round(months, 1), "month")
    return f"wanted in about {span}" if audience == "visitor" else f"within {span}"


def _plural(count: float, unit: str) -> str:
    return f"{count:g} {unit}" if count == 1 else f"{count:g} {unit}s"


def authority_text(authority: str | None, *, audience: Audience = "rep") -> str:
    """The visitor's role in the decision: "decision maker" (rep, compact), "decides"
    (visitor).
    """
    value = authority or "unknown"
    words = _AUTHORITY_WORDS.get(value)
    if words is None:
        return value.replace("_", " ")
    return words["visitor"] if audience == "visitor" else words["rep"]


def answer_text(field: str, value: Any, *, audience: Audience = "rep") -> str | None:
    """A stored answer's value worded like the lead's own (budget, timeline, authority), or
    None for other fields. `value` is as the store keeps it: a budget is ``{amount,
    currency, period, status}``, a timeline ``{months}`` (or a number), an authority a
    string.
    """
    if field == "budget" and isinstance(value, Mapping):
        return budget_text(value.get("amount"), value.get("currency"), value.get("period"),
                           value.get("status"), audience=audience)
    if field == "timeline":
        months = value.get("months") if isinstance(value, Mapping) else value
        return timeline_text(months if isinstance(months, int | float) else None,
                             audience=audience)
    if field == "authority" and (value is None or isinstance(value, str)):
        return authority_text(value, audience=audience)
    return None
