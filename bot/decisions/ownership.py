"""Who owns a lead and when they follow up: the pure rules over policies/routing.yml.

The first rule whose every condition holds names the team; no rule matches -> the
`fallback_owner`. Round-robin is remembered across restarts without new state: `route` takes
how many handoffs each owner already has (the store's `handoffs.owner` column) and picks the
team member with the fewest, ties in the team's order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

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


@dataclass(frozen=True)
class FollowUp:
    """When the owner will reach out: words for the visitor and the time (owner's zone)."""

    when_text: str
    at: datetime


def _part_of_day(start: time) -> str:
    if start.hour < 12:
        return "morning"
    return "afternoon" if start.hour < 17 else "evening"


def follow_up_time(owner: Owner, now: datetime) -> FollowUp:
    """"today" inside the owner's working hours (their time zone), else the next start:
    "this morning", "tomorrow morning" or "on Monday morning".
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
        part = _part_of_day(hours.start)
        if ahead == 0:
            text = f"this {part}"
        elif ahead == 1:
            text = f"tomorrow {part}"
        else:
            text = f"on {DAY_NAMES[day.weekday()]} {part}"
        return FollowUp(text, at)
    raise AssertionError("working_hours.days is never empty")  # pragma: no cover


def visitor_message(assignment: Assignment, follow_up: FollowUp) -> str:
    """The visitor's words for who follows up and when.

    E.g. "Dana from our EMEA team will reach out today. Prefer to pick a time? <link>"
    """
    team = assignment.team.name if assignment.team is not None else "sales"
    owner = assignment.owner
    text = f"{owner.first_name} from our {team} team will reach out {follow_up.when_text}."
    if owner.booking_url:
        text += f" Prefer to pick a time? {owner.booking_url}"
    return text
