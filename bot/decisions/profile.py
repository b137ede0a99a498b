"""A stored lead as the scoring and qualification rules see it: plain, frozen values.

The store's lead is copied into a `LeadProfile` and its activities into `EngagementSignal`
values (`bot.conversation.redeciding`), so the rules stay pure (no database, no clock) and
can be tested and re-run on any policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

ACTIVITY_KINDS = (
    "page_view", "visit", "utm", "referrer", "question_answered", "human_requested",
    "email_opened", "whitepaper_downloaded", "webinar_attended",
)


@dataclass(frozen=True)
class LeadProfile:
    """What is known about a lead. Unknown values are None / "unknown"."""

    need: str | None = None
    budget_amount: float | None = None  # per year (already annualised), in budget_currency
    budget_currency: str | None = None
    budget_status: str = "unknown"  # allocated | estimate | none | unknown
    authority: str = "unknown"  # decision_maker | influencer | user | unknown
    timeline_months: float | None = None
    company_size: int | None = None
    industry: str | None = None  # lower-case label (policies/industries.yml)
    country: str | None = None  # ISO 3166-1 alpha-2
    job_title: str | None = None
    email: str | None = None
    company: str | None = None
    answered: frozenset[str] = frozenset()  # fields with any answer (skipped ones included)
    redirect_reason: str | None = None


def _frozen_detail() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class EngagementSignal:
    """Something the lead did, at a time (tz-aware UTC). Unknown kinds are ignored.

    detail by kind: page_view {"url"}; visit {"visit_number", "pages_viewed"};
    utm {"source", "medium", "campaign"}; referrer {"url"}; question_answered {"field"};
    the others are free (a whitepaper's title, a webinar's name, ...).
    """

    kind: str
    at: datetime
    detail: Mapping[str, Any] = field(default_factory=_frozen_detail)
