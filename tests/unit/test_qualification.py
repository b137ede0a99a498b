"""The qualification decision: every status with the reasons a rep reads.

The question planner's tests live in tests/unit/test_planner.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pytest

from bot.decisions.profile import LeadProfile
from bot.decisions.qualification import decide
from bot.decisions.scoring import Score, score_lead
from bot.policies.qualification import QualificationPolicy
from tests.unit.repo_policies import POLICIES

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
BANT = frozenset({"need", "budget", "authority", "timeline"})


def lead(**overrides: Any) -> LeadProfile:
    """A sales-ready lead (as far as BANT goes), with some facts changed."""
    base: dict[str, Any] = dict(
        need="shared inbox", budget_amount=20000.0, budget_currency="USD",
        budget_status="estimate", authority="decision_maker", timeline_months=3.0,
        email="dana@redwoodrides.com", answered=BANT,
    )
    base.update(overrides)
    return LeadProfile(**base)


def decided(profile: LeadProfile, policy: QualificationPolicy | None = None) -> Any:
    score = score_lead(profile, (), POLICIES.scoring, NOW)
    return decide(profile, score, policy or POLICIES.qualification)


def fit_of(fit: int) -> Score:
    return Score(fit=fit, engagement=0, total=round(0.7 * fit), band="cold", reasons=())


# ------------------------------------------------------------------------ qualified


def test_a_lead_meeting_every_criterion_is_qualified_and_says_why():
    decision = decided(lead())
    assert decision.status == "qualified"
    assert decision.reasons == [
        "need stated", "budget ~20,000 USD/year (estimate) >= 5,000",
        "authority decision maker", "timeline 3 months <= 6", "fit 55 >= 30",
    ]


def test_a_real_lead_with_unknown_firmographics_still_qualifies_at_the_minimum():
    # The eval's bar: need, >= 5,000 USD/year, influencer, within 6 months.
    bare = LeadProfile(need="chat", budget_amount=5000.0, budget_status="allocated",
                       authority="influencer", timeline_months=6.0, answered=BANT)
    assert decided(bare).status == "qualified"
    # ...and so does one writing from a free-mail address.
    assert decided(replace(bare, email="dana@gmail.com")).status == "qualified"


def test_other_currencies_are_converted_before_comparing():
    assert decided(lead(budget_amount=15000.0, budget_currency="GBP")).status == "qualified"


# -------------------------------------------------------------------------- nurture


@pytest.mark.parametrize("overrides,reason", [
    ({"need": None}, "no need stated"),
    ({"budget_status": "none", "budget_amount": None}, "budget not yet available"),
    ({"budget_status": "unknown", "budget_amount": None}, "budget unknown"),
    ({"budget_status": "allocated", "budget_amount": None}, "budget allocated but no amount"),
    ({"budget_amount": 3000.0}, "budget ~3,000 USD/year < 5,000"),
    ({"budget_amount": 40000.0, "budget_currency": "SEK"}, "budget ~3,800 USD/year < 5,000"),
    ({"budget_amount": 100.0, "budget_currency": "XYZ"},
     "budget currency XYZ has no conversion rate"),
    ({"authority": "user"}, "authority user"),
    ({"authority": "unknown"}, "authority unknown"),
    ({"timeline_months": 14.0}, "timeline 14 months > 6"),
    ({"timeline_months": None}, "no timeline"),
])
def test_a_real_lead_missing_one_criterion_is_nurture_with_the_reason(overrides, reason):
    decision = decided(lead(**overrides))
    assert decision.status == "nurture"
    assert reason in decision.reasons


def test_a_fit_below_the_minimum_is_nurture():
    decision = decide(lead(), fit_of(25), POLICIES.qualification)
    assert (decision.status, decision.reasons) == ("nurture", ["fit 25 < 30"])


def test_a_disposable_address_in_a_low_fit_industry_falls_below_the_fit_minimum():
    # need 10 + budget 15 + authority 15 + timeline 15 - disposable 20 - government 10 = 25
    decision = decided(lead(email="x@mailinator.com", industry="government"))
    assert (decision.status, decision.reasons) == ("nurture", ["fit 25 < 30"])


def test_every_missed_criterion_is_listed():
    decision = decided(lead(authority="user", timeline_months=14.0, budget_amount=3000.0))
    assert decision.status == "nurture"
    assert decision.reasons[:3] == [
        "budget ~3,000 USD/year < 5,000", "authority user", "timeline 14 months > 6"]


def test_the_fit_minimum_can_be_switched_off():
    policy = POLICIES.qualification.model_copy(deep=True)
    policy.qualified.min_fit = 0
    decision = decide(lead(), fit_of(0), policy)
    assert decision.status == "qualified"
    assert not any(r.startswith("fit") for r in decision.reasons)


# --------------------------------------------------------------------- disqualified


@pytest.mark.parametrize("overrides,reason", [
    ({"email": "mateus@ticketmint.dev"}, "competitor domain ticketmint.dev"),
    ({"email": "a@eu.zendesk.com"}, "competitor domain eu.zendesk.com"),
    ({"country": "KP"}, "country KP is blocked"),
    ({"country": "ir"}, "country IR is blocked"),
    ({"company_size": 1}, "company size 1 < 2"),
    ({"job_title": "PhD student"}, "job title PhD student is not a buyer"),
    ({"job_title": "student"}, "job title student is not a buyer"),
])
def test_disqualified_with_the_reason(overrides, reason):
    decision = decided(lead(**overrides))
    assert decision.status == "disqualified"
    assert decision.reasons == [reason]


@pytest.mark.parametrize("overrides", [
    {"email": "jo@notzendesk.com"},  # a look-alike, not a subdomain
    {"company_size": 2},
    {"job_title": "Student Services Manager"},
    {"country": "US"},
])
def test_near_misses_are_not_disqualified(overrides):
    assert decided(lead(**overrides)).status == "qualified"


def test_disqualified_wins_over_qualified_and_nurture_and_lists_every_reason():
    decision = decided(lead(email="a@ticketmint.dev", country="RU", company_size=1,
                            answered=frozenset({"need"})))
    assert decision.status == "disqualified"
    assert decision.reasons == [
        "competitor domain ticketmint.dev", "country RU is blocked", "company size 1 < 2"]


# ---------------------------------------------------------- in progress, redirected


def test_until_bant_is_answered_the_lead_is_in_progress():
    decision = decided(lead(authority="unknown", timeline_months=None,
                            answered=frozenset({"need", "budget"})))
    assert decision.status == "in_progress"
    assert decision.reasons == ["not asked yet: authority, timeline"]


def test_a_skipped_question_counts_as_answered():
    decision = decided(lead(authority="unknown"))  # "authority" in answered: skipped
    assert decision.status == "nurture"


def test_a_lead_meeting_every_criterion_is_qualified_before_bant_is_marked_answered():
    assert decided(lead(answered=frozenset())).status == "qualified"


def test_a_redirected_lead_stays_redirected():
    decision = decided(lead(redirect_reason="support", email="a@ticketmint.dev"))
    assert (decision.status, decision.reasons) == ("redirected", ["not a sales lead: support"])
