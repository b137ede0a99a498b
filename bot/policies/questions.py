"""policies/questions.yml: which questions come in which order, and how many per visit."""

from __future__ import annotations

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.parsing.bounds import Bounds
from bot.policies.base import (
    _no_repeats,
    _Strict,
)
from bot.policies.qualification import (
    _known_values,
)
from bot.vocabulary import BANT_FIELDS, LEAD_STATUSES


class AskWhen(_Strict):
    """Ask a profile question only when these hold (all given conditions): every `known`
    slot is known, no `unknown` slot is, and the lead has one of the `status`es.
    """

    known: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)
    status: list[str] = Field(default_factory=list)

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: list[str]) -> list[str]:
        return _known_values(value, LEAD_STATUSES, "status")


class ProfileQuestion(_Strict):
    """One progressive-profiling question; a higher priority is asked first."""

    slot: str
    priority: int
    ask_when: AskWhen | None = None


class BoundsPolicy(_Strict):
    """`bounds:` of questions.yml: what a visitor could plausibly mean, per field.

    A parsed value outside these is not stored as a fact (bot/parsing/bounds.py).
    """

    budget_max_per_year: float = Field(default=50_000_000, gt=0)
    timeline_max_months: float = Field(default=60, gt=0, le=1200)
    company_size_max: int = Field(default=5_000_000, ge=1)
    seats_max: int = Field(default=1_000_000, ge=1)
    name_max_chars: int = Field(default=80, ge=2, le=1000)
    name_max_words: int = Field(default=5, ge=1, le=50)
    job_title_max_chars: int = Field(default=80, ge=2, le=1000)
    company_max_chars: int = Field(default=100, ge=2, le=1000)
    short_answer_max_chars: int = Field(default=300, ge=10, le=10_000)
    phone_min_digits: int = Field(default=7, ge=1, le=15)
    phone_max_digits: int = Field(default=15, ge=1, le=15)  # E.164 allows no more

    @model_validator(mode="after")
    def _phone_range(self) -> BoundsPolicy:
        if self.phone_min_digits > self.phone_max_digits:
            raise ValueError("phone_min_digits is above phone_max_digits")
        return self

    def to_bounds(self) -> Bounds:
        """The limits the parsers apply (bot/parsing stays free of pydantic and YAML)."""
        return Bounds(**self.model_dump())


class QuestionsPolicy(_Strict):
    """The validated content of policies/questions.yml."""

    max_per_visit: int = Field(ge=0)
    stale_after_days: int = Field(ge=1)
    bant: list[str]
    contact: list[str]
    profile: list[ProfileQuestion]
    ask_work_email_once: bool = True
    # Lead statuses in which profile questions are asked (unless a question's `ask_when`
    # names its own): a qualified lead goes to a rep without more questions, a disqualified
    # one is not kept chatting.
    profile_when_status: list[str] = Field(default_factory=lambda: ["in_progress", "nurture"])
    bounds: BoundsPolicy = Field(default_factory=BoundsPolicy)

    @field_validator("profile_when_status")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        return _known_values(value, LEAD_STATUSES, "profile_when_status")

    @field_validator("bant")
    @classmethod
    def _all_four(cls, value: list[str]) -> list[str]:
        if sorted(value) != sorted(BANT_FIELDS):
            raise ValueError(f"must list {', '.join(BANT_FIELDS)} once each (any order)")
        return value

    @field_validator("profile")
    @classmethod
    def _consistent(cls, profile: list[ProfileQuestion], info: ValidationInfo,
                    ) -> list[ProfileQuestion]:
        # bant and contact come first in the file and are validated already.
        slots = [*info.data.get("bant", []), *info.data.get("contact", []),
                 *(q.slot for q in profile)]
        _no_repeats(slots, "slot")
        for question in profile:
            rule = question.ask_when
            for key, named in (("known", rule.known if rule else []),
                               ("unknown", rule.unknown if rule else [])):
                strangers = [s for s in named if s not in slots]
                if strangers:
                    raise ValueError(f"{question.slot}: ask_when.{key} names no question: "
                                     f"{', '.join(strangers)}")
        return profile

    def profile_order(self) -> list[str]:
        """Profile slots, most valuable first (priority descending; file order breaks ties)."""
        ranked = sorted(enumerate(self.profile), key=lambda iq: (-iq[1].priority, iq[0]))
        return [question.slot for _, question in ranked]

    def slots(self) -> list[str]:
        """Every slot a question fills: BANT, contact, then the profile in file order."""
        return [*self.bant, *self.contact, *(q.slot for q in self.profile)]

    def askable(self, slot: str, known: set[str] | frozenset[str], status: str) -> bool:
        """True unless the profile question's `ask_when` rules it out for now."""
        rule = next((q.ask_when for q in self.profile if q.slot == slot), None)
        statuses = rule.status if rule is not None and rule.status else self.profile_when_status
        if slot in (q.slot for q in self.profile) and status not in statuses:
            return False
        return rule is None or (set(rule.known) <= set(known)
                                and not set(rule.unknown) & set(known))
