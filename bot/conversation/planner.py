"""Which question to ask next: the fewest a good SDR would, across visits.

Pure: what is known, what was asked in this conversation and the question plan in; the next
slot out. BANT first, then contact details, then at most `max_profile_per_visit` profile
questions (most valuable first), and never more than `max_questions` in one conversation.
No store and no Rasa: `plan_next` reads the slots and a few facts about the lead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.conversation.turn import PERSON_PENDING_SLOT, UNKNOWN, WORK_EMAIL, TurnResult
from bot.parsing.fields import CONSENT, stage_fields
from bot.policies.questions import QuestionsPolicy

# questions.yml's `ask_when` rules: (slot, fields with a value, lead status) -> ask it now?
Askable = Callable[[str, set[str], str], bool]


def _always(slot: str, valued: set[str], status: str) -> bool:
    """No `ask_when` rules: every question may be asked."""
    return True


@dataclass(frozen=True)
class QuestionPlan:
    """The order and limits of the questions (from policies/questions.yml; without it, the
    stages the field registry declares).
    """

    bant: tuple[str, ...] = stage_fields("bant")
    contact: tuple[str, ...] = stage_fields("contact")
    profile: tuple[str, ...] = stage_fields("profile")
    max_questions: int = 7
    max_profile_per_visit: int = 2
    stale_after_days: int = 180

    def with_consent(self, consent_slot: str) -> QuestionPlan:
        """The plan for a lead to nurture: consent to follow up right after the e-mail,
        before the company (which a later visit can still ask).
        """
        contact = list(self.contact)
        at = contact.index("email") + 1 if "email" in contact else len(contact)
        contact.insert(at, consent_slot)
        return replace(self, contact=tuple(contact))

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the form may ask, in order."""
        return tuple(dict.fromkeys((*self.bant, *self.contact, *self.profile)))


def plan_of(questions: QuestionsPolicy, max_questions: int = 7) -> QuestionPlan:
    """The plan policies/questions.yml describes (profile questions most valuable first)."""
    return QuestionPlan(
        bant=tuple(questions.bant), contact=tuple(questions.contact),
        profile=tuple(questions.profile_order()), max_questions=max_questions,
        max_profile_per_visit=questions.max_per_visit,
        stale_after_days=questions.stale_after_days,
    )


def next_question(
    known: Iterable[str], asked: Sequence[str], plan: QuestionPlan,
    first: Sequence[str] = (),
) -> str | None:
    """The next field to ask, or None when this conversation has asked enough.

    A field already asked in this conversation and still unknown is asked again (the one
    rephrase) without counting twice; `first` moves fields to the front (contact details
    after a request for a person).
    """
    known = set(known)
    asked_set = set(asked)
    profile = set(plan.profile)
    bant_done = all(name in known for name in plan.bant)
    profile_asked = len(asked_set & profile)
    for name in dict.fromkeys((*first, *plan.fields)):
        if name in known:
            continue
        if name in asked_set:
            return name
        if len(asked_set) >= plan.max_questions:
            return None
        if name in profile and (not bant_done or profile_asked >= plan.max_profile_per_visit):
            continue
        return name
    return None


@dataclass(frozen=True)
class PlanState:
    """What choosing the next question looks at: the slots after this turn and a few facts
    about the lead.
    """

    plan: QuestionPlan
    slots: Mapping[str, Any]  # the turn's slots with this turn's changes on top
    asked: tuple[str, ...]  # asked_slots before this turn
    rephrase: str | None = None  # the rephrase this turn chose (a field or WORK_EMAIL)
    status: str = "in_progress"  # the lead's status
    consent_due: bool = False  # a lead to nurture whose own person was not asked yet
    person_requested: bool = False  # the visitor asked for a person earlier
    askable: Askable = field(default=_always)


@dataclass(frozen=True)
class NextQuestion:
    """The question to ask (None ends the form) and the conversation's asked questions."""

    slot: str | None
    asked: tuple[str, ...]
    rephrase_dropped: bool = False  # the work-address rephrase no longer fits the cap


def plan_next(state: PlanState) -> NextQuestion:
    """The next question: a rephrase first, else the plan's next, contact details first
    after a request for a person.
    """
    # Consent is asked of the lead's own person only (the caller says whether it is due).
    plan = state.plan.with_consent(CONSENT) if state.consent_due else state.plan
    slots = state.slots
    known = {name for name in plan.fields if slots.get(name) is not None}
    asked = list(state.asked)
    rephrase = state.rephrase
    dropped = rephrase == WORK_EMAIL and not room_for_work_email(plan, known, asked)
    if dropped:
        rephrase = None
    if rephrase == WORK_EMAIL:
        slot: str | None = "email"
        asked.append(WORK_EMAIL)  # it is a question of its own: it counts
    elif rephrase and rephrase in (slots.get("retried_slots") or []) and rephrase not in known:
        slot = rephrase
    else:
        slot = next_question(known, asked, _askable_now(plan, state, known), _first(state))
    if slot and slot not in asked:
        asked.append(slot)
    return NextQuestion(slot, tuple(asked), dropped)


def ask_next(state: PlanState, result: TurnResult) -> None:
    """Set the next question on `result` and remember it was asked (`asked_slots`); with no
    question left the form ends ("completed").
    """
    step = plan_next(state)
    if step.rephrase_dropped:
        result.slots["rephrase_slot"] = None
    result.next_slot = step.slot
    if step.asked != state.asked:
        result.slots["asked_slots"] = list(step.asked)
    if step.slot is None:
        result.slots["outcome"] = "completed"


def _askable_now(plan: QuestionPlan, state: PlanState, known: set[str]) -> QuestionPlan:
    """The plan without the profile questions held back until their moment (e.g. phone once
    a rep will call, unless there is an e-mail): what is known means a value, not a skip.
    """
    valued = {name for name in known if state.slots.get(name) != UNKNOWN}
    return replace(plan, profile=tuple(
        name for name in plan.profile if state.askable(name, valued, state.status)))


def _first(state: PlanState) -> tuple[str, ...]:
    """Fields asked before the plan's order: what a person is wanted for, then how to reach
    the visitor once a person was asked for.
    """
    if state.slots.get(PERSON_PENDING_SLOT):
        return ("need",)
    if state.person_requested:
        return ("email", "name")
    return ()


def room_for_work_email(plan: QuestionPlan, known: set[str], asked: list[str]) -> bool:
    """Ask for a work address only if it still leaves room for consent when needed."""
    consent_pending = CONSENT in plan.contact and CONSENT not in known
    return len(set(asked)) + 1 + int(consent_pending) <= plan.max_questions
