"""The placeholder qualification decision and the question planner (pure functions)."""

from __future__ import annotations

import pytest

from bot.conversation import FORM_FIELDS, next_question
from bot.policies import qualification_policy
from bot.qualification import LeadFacts, decide, simple_score

BANT = frozenset({"need", "budget", "authority", "timeline"})


def facts(**overrides: object) -> LeadFacts:
    base: dict[str, object] = dict(
        need="shared inbox", budget_amount=20000.0, budget_currency="USD",
        budget_status="estimate", authority="decision_maker", timeline_months=3.0,
        answered=BANT,
    )
    base.update(overrides)
    return LeadFacts(**base)  # type: ignore[arg-type]


def test_a_lead_meeting_every_criterion_is_qualified():
    decision = decide(facts(), qualification_policy())
    assert decision.status == "qualified"


@pytest.mark.parametrize("overrides,reason", [
    ({"budget_status": "none", "budget_amount": None}, "budget not yet available"),
    ({"budget_amount": 3000.0}, "budget ~3,000 USD/year < 5,000"),
    ({"budget_amount": 40000.0, "budget_currency": "SEK"}, "budget ~3,800 USD/year < 5,000"),
    ({"authority": "user"}, "authority user"),
    ({"timeline_months": 14.0}, "timeline 14 months > 6"),
    ({"timeline_months": None}, "no timeline"),
])
def test_a_real_lead_missing_one_criterion_is_nurture_with_the_reason(overrides, reason):
    decision = decide(facts(**overrides), qualification_policy())
    assert decision.status == "nurture"
    assert reason in decision.reasons


def test_other_currencies_are_converted_before_comparing():
    assert decide(facts(budget_amount=15000.0, budget_currency="GBP"),
                  qualification_policy()).status == "qualified"


def test_until_bant_is_answered_the_lead_is_in_progress():
    decision = decide(facts(authority="unknown", answered=frozenset({"need", "budget"})),
                      qualification_policy())
    assert decision.status == "in_progress"
    assert "authority" in decision.reasons[0] and "timeline" in decision.reasons[0]


def test_a_redirected_lead_stays_redirected():
    decision = decide(facts(redirect_reason="support"), qualification_policy())
    assert (decision.status, decision.reasons) == ("redirected", ["not a sales lead: support"])


def test_the_score_explains_every_point():
    score = simple_score(facts(authority="user"), qualification_policy())
    assert score["total"] == 75 and isinstance(score["total"], int)
    rules = {r["rule"]: r["points"] for r in score["reasons"]}  # type: ignore[union-attr]
    assert rules["bant_authority"] == 0 and rules["bant_budget"] == 25


def test_questions_come_in_order_and_skip_what_is_known():
    assert next_question(set(), [], 7) == "need"
    assert next_question({"need", "budget"}, ["need", "budget"], 7) == "authority"
    assert next_question({"need", "budget", "authority", "timeline"}, [], 7) == "name"


def test_the_question_budget_stops_the_form():
    asked = list(FORM_FIELDS[:7])
    assert next_question(set(asked), asked, 7) is None
    # a question already asked (being rephrased) does not count twice
    assert next_question(set(asked[:6]), asked, 7) == asked[6]


def test_contact_details_come_first_after_asking_for_a_person():
    assert next_question({"need"}, ["need"], 7, first=("email", "name")) == "email"
