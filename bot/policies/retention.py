"""policies/retention.yml: how long an untouched lead is kept whole, and when it goes."""

from __future__ import annotations

from pathlib import Path

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from bot.policies.base import (
    _no_repeats,
    _Strict,
    load_policy,
)

RETENTION_FILE = "retention.yml"
PERSONAL_LEAD_FIELDS = ("name", "email", "phone", "job_title", "company", "need",
                        "consent_wording")


class AnonymiseRules(_Strict):
    """What anonymising a lead clears (its status, score and BANT values stay)."""

    fields: list[str] = Field(default_factory=lambda: list(PERSONAL_LEAD_FIELDS), min_length=1)
    answers: bool = True  # the visitor's own words in every stored answer
    page_context: bool = True  # pages, referrers, UTM and the browser's visitor id
    activity_details: bool = True  # the details of activities (URLs, campaigns)
    transcripts: bool = True  # the conversations in Rasa's tracker store

    @field_validator("fields")
    @classmethod
    def _personal(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in PERSONAL_LEAD_FIELDS]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not one of {', '.join(PERSONAL_LEAD_FIELDS)}")
        _no_repeats(value, "field")
        return value


class RetentionPolicy(_Strict):
    """policies/retention.yml: how long a lead nobody touched (no update, visit or
    activity) is kept whole, and when it goes. null = never.
    """

    anonymise_after_days: int | None = Field(default=None, ge=1)
    delete_after_days: int | None = Field(default=None, ge=1)
    anonymise: AnonymiseRules = Field(default_factory=AnonymiseRules)

    @model_validator(mode="after")
    def _delete_after_anonymising(self) -> RetentionPolicy:
        first, last = self.anonymise_after_days, self.delete_after_days
        if first is not None and last is not None and last <= first:
            raise ValueError("delete_after_days must be later than anonymise_after_days")
        return self


def load_retention(directory: Path) -> RetentionPolicy:
    """policies/retention.yml of `directory`, validated (PolicyError: file:line: field)."""
    return load_policy(directory / RETENTION_FILE, RetentionPolicy)
