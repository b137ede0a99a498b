"""policies/routing.yml: owners (name, e-mail, Slack id, booking link, time zone, working
hours), teams (owners in round-robin order) and rules (countries/regions, company size,
industries -> team; no rule matches -> `fallback_owner`), validated.
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.policies.base import Country, _no_repeats, _Strict, load_policy
from bot.policies.industries import INDUSTRIES_FILE

ROUTING_FILE = "routing.yml"
# The validation context key of the industry labels rules may name (industries.yml's).
INDUSTRY_LABELS = "industry_labels"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FALLBACK_RULE = "fallback"


# ----------------------------------------------------------------- validated types


def _clock(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 17:30 as the number 1050 (base 60).
    if not isinstance(value, str):
        raise ValueError('write times as "HH:MM" in quotes, e.g. "17:30"')
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value.strip()):
        raise ValueError(f'{value!r} is not a time "HH:MM" (00:00-23:59)')
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Berlin)") from None
    return name


def _url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+\S*", value.strip()):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.strip()


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value.strip().lower()


def _industry(label: str, info: ValidationInfo) -> str:
    label = label.strip().lower()
    # The labels of the same directory's industries.yml; unchecked when it is broken (it is
    # reported itself) or when routing.yml is loaded alone.
    known = (info.context or {}).get(INDUSTRY_LABELS)
    if known and label not in known:
        raise ValueError(f"{label!r} is not a label of {INDUSTRIES_FILE}")
    return label


Clock = Annotated[time, BeforeValidator(_clock)]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
Url = Annotated[str, AfterValidator(_url)]
Email = Annotated[str, AfterValidator(_email)]
Industry = Annotated[str, AfterValidator(_industry)]


# ----------------------------------------------------------------- routing.yml


class WorkingHours(_Strict):
    """The days and the local hours (in the owner's time zone) an owner works."""

    days: list[Day] = Field(min_length=1)
    start: Clock
    end: Clock

    @field_validator("days")
    @classmethod
    def _once_each(cls, days: list[str]) -> list[str]:
        _no_repeats(days, "day")
        return days

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end <= self.start:
            raise ValueError(f"end {self.end:%H:%M} must be after start {self.start:%H:%M}")
        return self

    def works_on(self, day: date) -> bool:
        """True when `day` (a local date) is a working day."""
        return DAYS[day.weekday()] in self.days


class Owner(_Strict):
    """A sales rep who can own leads."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    email: Email
    slack_id: str | None = None
    booking_url: Url | None = None
    timezone: TimeZone
    working_hours: WorkingHours

    @property
    def first_name(self) -> str:
        """What the visitor is told ("Dana from our EMEA team")."""
        return self.name.split()[0]

    @property
    def zone(self) -> ZoneInfo:
        """The owner's time zone."""
        return ZoneInfo(self.timezone)


class Team(_Strict):
    """Owners sharing leads round-robin, in this order when tied."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    owners: list[str] = Field(min_length=1)

    @field_validator("owners")
    @classmethod
    def _once_each(cls, owners: list[str]) -> list[str]:
        _no_repeats(owners, "owner")
        return owners


class SizeRange(_Strict):
    """Employees from `min` to `max`, both included (either may be left out)."""

    min: int | None = Field(default=None, ge=1)
    max: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> SizeRange:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}")
        return self

    def contains(self, size: int) -> bool:
        """Whether a company of `size` people is in the range (bounds included)."""
        return (self.min is None or size >= self.min) and (self.max is None or size <= self.max)


class Rule(_Strict):
    """Leads matching every given condition go to `team`. A condition on a field the lead
    has not given yet does not match. `countries` and `regions` together mean either.
    """

    name: str = Field(min_length=1)
    countries: list[Country] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    company_size: SizeRange | None = None
    industries: list[Industry] = Field(default_factory=list)
    team: str


class RoutingPolicy(_Strict):
    """The validated content of policies/routing.yml."""

    regions: dict[str, list[Country]] = Field(default_factory=dict)
    owners: list[Owner] = Field(min_length=1)
    teams: list[Team] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    fallback_owner: str

    @field_validator("owners")
    @classmethod
    def _unique_owners(cls, owners: list[Owner]) -> list[Owner]:
        _no_repeats([o.id for o in owners], "owner id")
        return owners

    @field_validator("teams")
    @classmethod
    def _known_members(cls, teams: list[Team], info: Any) -> list[Team]:
        _no_repeats([t.id for t in teams], "team id")
        owners = {o.id for o in info.data.get("owners", [])}
        for team in teams:
            unknown = [o for o in team.owners if o not in owners]
            if unknown and owners:
                raise ValueError(f"team {team.id}: unknown owner {', '.join(unknown)}")
        return teams

    @field_validator("rules")
    @classmethod
    def _known_targets(cls, rules: list[Rule], info: Any) -> list[Rule]:
        _no_repeats([r.name for r in rules], "rule name")
        teams = {t.id for t in info.data.get("teams", [])}
        regions = set(info.data.get("regions", {}))
        for rule in rules:
            if rule.team not in teams:
                raise ValueError(f"rule {rule.name}: unknown team {rule.team!r}")
            unknown = [r for r in rule.regions if r not in regions]
            if unknown:
                raise ValueError(f"rule {rule.name}: unknown region {', '.join(unknown)} "
                                 f"(defined: {', '.join(sorted(regions)) or 'none'})")
        return rules

    @field_validator("fallback_owner")
    @classmethod
    def _known_fallback(cls, owner: str, info: Any) -> str:
        owners = {o.id for o in info.data.get("owners", [])}
        if owners and owner not in owners:
            raise ValueError(f"unknown owner {owner!r}")
        return owner

    def owner(self, owner_id: str) -> Owner:
        """The owner with this id (validated to exist)."""
        return next(o for o in self.owners if o.id == owner_id)

    def team(self, team_id: str) -> Team:
        """The team with this id (validated to exist)."""
        return next(t for t in self.teams if t.id == team_id)

    def has_owner(self, owner_id: str) -> bool:
        """Whether `owner_id` is (still) an owner in this policy."""
        return any(o.id == owner_id for o in self.owners)

    def team_of(self, owner_id: str) -> Team | None:
        """The first team listing the owner, or None (e.g. only the fallback owner)."""
        return next((t for t in self.teams if owner_id in t.owners), None)

    def countries_of(self, rule: Rule) -> set[str]:
        """Every country a rule's `countries` and `regions` name ({} = any country)."""
        return {*rule.countries, *(cc for r in rule.regions for cc in self.regions[r])}


def load_routing(path: Path, industry_labels: frozenset[str] | None = None) -> RoutingPolicy:
    """routing.yml at `path`, its rules naming only `industry_labels` (when given); raises
    PolicyError ("file:line: field: problem").
    """
    context = {INDUSTRY_LABELS: industry_labels} if industry_labels is not None else None
    return load_policy(path, RoutingPolicy, context)
