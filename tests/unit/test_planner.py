"""Which question comes next: BANT, contact, then a few profile questions per visit."""

from __future__ import annotations

from bot.conversation.planner import QuestionPlan, next_question

PLAN = QuestionPlan()
BANT = set(PLAN.bant)
CONTACT = set(PLAN.contact)


def test_questions_come_in_order_and_skip_what_is_known():
    assert next_question(set(), [], PLAN) == "need"
    assert next_question({"need", "budget"}, ["need", "budget"], PLAN) == "authority"
    assert next_question(BANT, [], PLAN) == "name"


def test_a_visitor_who_says_nothing_gets_bant_and_contact_within_the_cap():
    asked: list[str] = []
    known: set[str] = set()
    while (nxt := next_question(known, asked, PLAN)) is not None:
        asked.append(nxt)
        known.add(nxt)
    assert asked == [*PLAN.bant, *PLAN.contact]
    assert len(asked) <= PLAN.max_questions


def test_profile_questions_wait_for_bant_and_are_capped_per_visit():
    known = BANT | CONTACT
    asked: list[str] = []
    while (nxt := next_question(known, asked, PLAN)) is not None:
        asked.append(nxt)
        known.add(nxt)
    assert asked == list(PLAN.profile[: PLAN.max_profile_per_visit])
    # without BANT no profile question is asked, even when contact is known
    assert next_question(CONTACT | {"need"}, [], PLAN) == "budget"


def test_the_question_budget_stops_the_form():
    plan = QuestionPlan(max_questions=3)
    asked = ["need", "budget", "authority"]
    assert next_question(set(asked), asked, plan) is None


def test_a_question_being_rephrased_does_not_count_twice():
    asked = [*PLAN.bant, *PLAN.contact]
    known = set(asked) - {"company"}
    assert next_question(known, asked, PLAN) == "company"


def test_contact_details_come_first_after_asking_for_a_person():
    assert next_question({"need"}, ["need"], PLAN, first=("email", "name")) == "email"


def test_a_lead_to_nurture_is_asked_for_consent_before_the_company():
    plan = PLAN.with_consent("follow_up_consent")
    asked: list[str] = []
    known: set[str] = set()
    while (nxt := next_question(known, asked, plan)) is not None:
        asked.append(nxt)
        known.add(nxt)
    assert asked == [*PLAN.bant, "name", "email", "follow_up_consent"]
