"""Which question to ask next: the fewest a good SDR would, across visits.

Pure: what is known, what was asked in this conversation and the question plan in; the next
slot out. BANT first, then contact details, then at most `max_profile_per_visit` profile
questions (most valuable first), and never more than `max_questions` in one conversation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.vocabulary import BANT_FIELDS


@dataclass(frozen=True)
class QuestionPlan:
    """The order and limits of the questions (from policies/questions.yml)."""

    bant: tuple[str, ...] = BANT_FIELDS
    contact: tuple[str, ...] = ("name", "email", "company")
    profile: tuple[str, ...] = (
        "company_size", "job_title", "industry", "country", "phone", "current_tool", "seats",
    )
    max_questions: int = 7
    max_profile_per_visit: int = 2
    stale_after_days: int = 180

    def with_consent(self, consent_slot: str) -> QuestionPlan:
        """The plan for a lead to nurture: consent to follow up right after the e-mail,
        before the company (which a later visit can still ask)."""
        contact = list(self.contact)
        at = contact.index("email") + 1 if "email" in contact else len(contact)
        contact.insert(at, consent_slot)
        return replace(self, contact=tuple(contact))

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the form may ask, in order."""
        return tuple(dict.fromkeys((*self.bant, *self.contact, *self.profile)))


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
