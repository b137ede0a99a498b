"""Which question comes next: BANT, contact, then a few profile questions per visit."""

from __future__ import annotations

from bot.conversation.planner import PlanState, QuestionPlan, next_question, plan_next
from bot.conversation.turn import PERSON_PENDING_SLOT, WORK_EMAIL

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


# ------------------------------------------------------------------ plan_next (pure)


def state(**changes) -> PlanState:
    """The planner's view of a conversation: by default, nothing known and nothing asked."""
    return PlanState(**{"plan": PLAN, "slots": {}, "asked": (), **changes})


def test_plan_next_asks_the_plans_next_question_and_remembers_it():
    step = plan_next(state(slots={"need": "x"}, asked=("need",)))
    assert (step.slot, step.asked, step.rephrase_dropped) == ("budget", ("need", "budget"),
                                                              False)
    assert plan_next(state(slots=dict.fromkeys(PLAN.fields, "x"), asked=("need",))).slot \
        is None


def test_plan_next_rephrases_a_retried_question_still_unknown():
    slots = {"need": "x", "retried_slots": ["budget"]}
    step = plan_next(state(slots=slots, asked=("need", "budget"), rephrase="budget"))
    assert step.slot == "budget" and step.asked == ("need", "budget")


def test_plan_next_asks_for_a_work_address_once_if_there_is_room():
    known = dict.fromkeys([*PLAN.bant, "name", "email"], "x")
    asked = (*PLAN.bant, "name", "email")
    step = plan_next(state(slots=known, asked=asked, rephrase=WORK_EMAIL))
    assert step.slot == "email" and step.asked == (*asked, WORK_EMAIL)
    # a lead to nurture still needs its consent question: no room for the rephrase then
    crowded = plan_next(state(slots=known, asked=asked, rephrase=WORK_EMAIL,
                              consent_due=True))
    assert crowded.rephrase_dropped and crowded.slot == "follow_up_consent"


def test_plan_next_puts_contact_details_or_the_need_first_for_a_person():
    known = {"need": "x"}
    assert plan_next(state(slots=known, asked=("need",), person_requested=True)).slot == "email"
    pending = plan_next(state(slots={PERSON_PENDING_SLOT: True}, person_requested=True))
    assert pending.slot == "need"


def test_plan_next_holds_back_profile_questions_the_policy_rules_out():
    bant_and_contact = dict.fromkeys([*PLAN.bant, *PLAN.contact], "x")
    everything = plan_next(state(slots=bant_and_contact))
    assert everything.slot == PLAN.profile[0]
    held = plan_next(state(slots=bant_and_contact,
                           askable=lambda slot, valued, status: slot != PLAN.profile[0]))
    assert held.slot == PLAN.profile[1]
    assert plan_next(state(slots=bant_and_contact, status="qualified",
                           askable=lambda slot, valued, status: status != "qualified")).slot \
        is None
