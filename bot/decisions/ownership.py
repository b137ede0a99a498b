"""Who owns a lead and when they follow up: the pure rules over policies/routing.yml.

The first rule whose every condition holds names the team; no rule matches -> the
`fallback_owner`. Round-robin is remembered across restarts without new state: `route` takes
how many handoffs each owner already has (the store's `handoffs.owner` column) and picks the
team member with the fewest, ties in the team's order.

No words for the visitor here: `follow_up_time` says which kind of moment the owner
reaches out at (`When`); bot/conversation/replies.py picks the domain.yml response for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from bot.decisions.profile import LeadProfile
from bot.policies.routing import (
    DAY_NAMES,
    FALLBACK_RULE,
    Owner,
    RoutingPolicy,
    Rule,
    Team,
)

# ----------------------------------------------------------------- routing


@dataclass(frozen=True)
class Assignment:
    """Who owns a lead: the owner, their team (None for the fallback) and the rule's name."""

    owner: Owner
    team: Team | None
    rule: str


def matches(rule: Rule, profile: LeadProfile, policy: RoutingPolicy) -> bool:
    """True when every condition of `rule` holds for `profile`."""
    countries = policy.countries_of(rule)
    if countries and (profile.country or "").upper() not in countries:
        return False
    if rule.company_size is not None and (
        profile.company_size is None or not rule.company_size.contains(profile.company_size)
    ):
        return False
    return not rule.industries or (profile.industry or "").lower() in rule.industries


def route(profile: LeadProfile, policy: RoutingPolicy, assigned: Mapping[str, int]) -> Assignment:
    """The owner of `profile`: the first matching rule's team, round-robin by `assigned`
    (handoffs each owner already has: fewest wins, ties in team order); else the fallback.
    """
    for rule in policy.rules:
        if matches(rule, profile, policy):
            team = policy.team(rule.team)
            order = {owner_id: i for i, owner_id in enumerate(team.owners)}
            chosen = min(team.owners, key=lambda o: (assigned.get(o, 0), order[o]))
            return Assignment(policy.owner(chosen), team, rule.name)
    return Assignment(policy.owner(policy.fallback_owner), None, FALLBACK_RULE)


# ----------------------------------------------------------------- when

# When the owner reaches out, as the kind of moment the visitor's words are chosen by (the
# words themselves are domain.yml's `utter_follow_up_<when>`): inside working hours
# "today"; else the next start, later today ("this_part_of_day"), tomorrow, or on a named
# weekday further away.
When = Literal["today", "this_part_of_day", "tomorrow", "weekday"]
PartOfDay = Literal["morning", "afternoon", "evening"]


@dataclass(frozen=True)
class FollowUp:
    """When the owner will reach out: the kind of moment and the time (owner's zone).

    For "today" `at` is the owner's local now; otherwise the start of their next working
    hours, whose part of day and weekday the visitor is told.
    """

    when: When
    at: datetime

    @property
    def part_of_day(self) -> PartOfDay:
        """"morning", "afternoon" or "evening" of `at` (a value the responses fill in)."""
        return part_of_day(self.at.time())

    @property
    def weekday(self) -> str:
        """The weekday of `at` by name ("Monday"), a value the responses fill in."""
        return DAY_NAMES[self.at.weekday()]


def part_of_day(start: time) -> PartOfDay:
    """The part of the day a time falls in: before noon, before 17:00, or later."""
    if start.hour < 12:
        return "morning"
    return "afternoon" if start.hour < 17 else "evening"


def follow_up_time(owner: Owner, now: datetime) -> FollowUp:
    """"today" inside the owner's working hours (their time zone), else the next start:
    later today, tomorrow, or on a weekday further away.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    hours = owner.working_hours
    local = now.astimezone(owner.zone)
    today = local.date()
    if hours.works_on(today) and hours.start <= local.time() < hours.end:
        return FollowUp("today", local)
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if not hours.works_on(day) or (ahead == 0 and local.time() >= hours.start):
            continue
        at = datetime.combine(day, hours.start, tzinfo=owner.zone)
        return FollowUp(_when_ahead(ahead), at)
    raise AssertionError("working_hours.days is never empty")  # pragma: no cover


def _when_ahead(ahead: int) -> When:
    """The kind of moment a start `ahead` days from today is."""
    if ahead == 0:
        return "this_part_of_day"
    return "tomorrow" if ahead == 1 else "weekday"
