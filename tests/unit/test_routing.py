"""Routing: rules of every kind, round-robin, working hours, and a broken routing.yml."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.decisions.ownership import FollowUp, follow_up_time, route
from bot.decisions.profile import LeadProfile
from bot.handoff.render import when_text
from bot.policies.base import PolicyError
from bot.policies.routing import Owner, RoutingPolicy, load_routing
from tests.unit.repo_policies import POLICIES

HOURS = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:30"}


def owner(oid: str, tz: str = "Europe/Berlin", **hours: object) -> dict[str, object]:
    return {"id": oid, "name": f"{oid.title()} Example", "email": f"{oid}@example.com",
            "slack_id": f"U{oid.upper()}", "booking_url": f"https://meet.example.com/{oid}",
            "timezone": tz, "working_hours": {**HOURS, **hours}}


POLICY = RoutingPolicy.model_validate({
    "regions": {"emea": ["DE", "FR", "GB", "NO"], "americas": ["US", "CA", "BR"]},
    "owners": [owner("dana"), owner("tom"), owner("uma"), owner("maria", "America/New_York"),
               owner("jake", "America/Los_Angeles"), owner("kenji", "Asia/Tokyo"),
               owner("fay")],
    "teams": [
        {"id": "enterprise", "name": "Enterprise", "owners": ["kenji", "maria"]},
        {"id": "emea", "name": "EMEA", "owners": ["dana", "tom", "uma"]},
        {"id": "americas", "name": "Americas", "owners": ["maria", "jake"]},
        {"id": "dach", "name": "DACH", "owners": ["tom"]},
        {"id": "health", "name": "Healthcare", "owners": ["uma"]},
    ],
    "rules": [
        {"name": "enterprise", "company_size": {"min": 1000}, "team": "enterprise"},
        {"name": "healthcare-small", "industries": ["healthcare"],
         "company_size": {"max": 50}, "team": "health"},
        {"name": "switzerland", "countries": ["CH", "AT"], "team": "dach"},
        {"name": "emea", "regions": ["emea"], "team": "emea"},
        {"name": "americas", "regions": ["americas"], "countries": ["MX"], "team": "americas"},
    ],
    "fallback_owner": "fay",
})


def who(profile: LeadProfile, assigned: dict[str, int] | None = None) -> tuple[str, str]:
    assignment = route(profile, POLICY, assigned or {})
    return assignment.rule, assignment.owner.id


def test_country_rule() -> None:
    assert who(LeadProfile(country="CH")) == ("switzerland", "tom")
    assert who(LeadProfile(country="AT", company_size=20)) == ("switzerland", "tom")


def test_region_rule_and_countries_with_regions() -> None:
    assert who(LeadProfile(country="FR"))[0] == "emea"
    assert who(LeadProfile(country="BR"))[0] == "americas"
    assert who(LeadProfile(country="MX"))[0] == "americas"  # countries next to regions


def test_company_size_rule_wins_by_order() -> None:
    assert who(LeadProfile(country="DE", company_size=5000)) == ("enterprise", "kenji")
    assert who(LeadProfile(country="DE", company_size=1000))[0] == "enterprise"  # min included
    assert who(LeadProfile(country="DE", company_size=999))[0] == "emea"
    assert who(LeadProfile(country="DE"))[0] == "emea"  # unknown size: no size rule matches


def test_industry_rule_needs_every_condition() -> None:
    assert who(LeadProfile(country="US", industry="healthcare", company_size=30)) == (
        "healthcare-small", "uma")
    assert who(LeadProfile(country="US", industry="healthcare", company_size=300))[0] == (
        "americas")
    assert who(LeadProfile(country="US", industry="software", company_size=30))[0] == "americas"


def test_first_match_wins() -> None:
    # Healthcare in Switzerland with 20 people matches three rules; the first listed wins.
    assert who(LeadProfile(country="CH", industry="healthcare", company_size=20))[0] == (
        "healthcare-small")
    assert who(LeadProfile(country="CH", industry="healthcare", company_size=2000))[0] == (
        "enterprise")


def test_fallback_owner() -> None:
    assignment = route(LeadProfile(country="JP"), POLICY, {})
    assert (assignment.rule, assignment.owner.id, assignment.team) == ("fallback", "fay", None)
    assert who(LeadProfile())[1] == "fay"  # nothing known yet


def test_round_robin_fewest_first_ties_in_team_order() -> None:
    profile = LeadProfile(country="DE")
    assert who(profile, {})[1] == "dana"
    assert who(profile, {"dana": 1})[1] == "tom"
    assert who(profile, {"dana": 1, "tom": 1})[1] == "uma"
    assert who(profile, {"dana": 3, "tom": 1, "uma": 2})[1] == "tom"
    # Handoffs owned outside the team count too: owners are shared across teams.
    assert who(LeadProfile(country="US"), {"maria": 5})[1] == "jake"


@pytest.mark.parametrize("country,size", [("DE", 10), ("US", 10), ("FR", 5000)])
def test_round_robin_is_fair_over_100_leads(country: str, size: int) -> None:
    assigned: Counter[str] = Counter()
    team = None
    for _ in range(100):
        assignment = route(LeadProfile(country=country, company_size=size), POLICY, assigned)
        assigned[assignment.owner.id] += 1
        team = assignment.team
    assert team is not None
    counts = [assigned[o] for o in team.owners]
    assert sum(counts) == 100
    assert max(counts) - min(counts) <= 1


def test_round_robin_survives_a_restart() -> None:
    # The counts come from the store; a "restart" is just routing again from the same counts.
    assigned: Counter[str] = Counter()
    for _ in range(7):
        assigned[route(LeadProfile(country="GB"), POLICY, assigned).owner.id] += 1
    restarted = dict(assigned)
    assert route(LeadProfile(country="GB"), POLICY, restarted).owner.id == "tom"


BERLIN = ZoneInfo("Europe/Berlin")


def dana() -> Owner:
    return POLICY.owners[0]


def at(year: int, month: int, day: int, hour: int, minute: int,
       tz: ZoneInfo = BERLIN) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def test_inside_working_hours_is_today() -> None:
    follow = follow_up_time(dana(), at(2026, 3, 4, 10, 0))  # a Wednesday
    assert when_text(follow) == "today"
    assert when_text(follow_up_time(dana(), at(2026, 3, 4, 9, 0))) == "today"  # start included


def test_after_hours_is_tomorrow_morning() -> None:
    follow = follow_up_time(dana(), at(2026, 3, 4, 17, 30))  # end excluded
    assert when_text(follow) == "tomorrow morning"
    assert follow.at == at(2026, 3, 5, 9, 0)


def test_before_hours_is_this_morning() -> None:
    follow = follow_up_time(dana(), at(2026, 3, 4, 7, 15))
    assert (when_text(follow), follow.at) == ("this morning", at(2026, 3, 4, 9, 0))


def test_weekend_names_the_day() -> None:
    friday_night = follow_up_time(dana(), at(2026, 3, 6, 20, 0))
    assert when_text(friday_night) == "on Monday morning"
    assert friday_night.at == at(2026, 3, 9, 9, 0)
    sunday = follow_up_time(dana(), at(2026, 3, 8, 12, 0))
    assert when_text(sunday) == "tomorrow morning"  # Monday is one day away


def test_another_time_zone() -> None:
    # 15:00 UTC on a Friday: 16:00 in Berlin (inside), 10:00 in New York (inside),
    # midnight in Tokyo (Saturday: next start is Monday).
    now = datetime(2026, 3, 6, 15, 0, tzinfo=timezone.utc)
    by_id = {o.id: o for o in POLICY.owners}
    assert when_text(follow_up_time(by_id["dana"], now)) == "today"
    assert when_text(follow_up_time(by_id["maria"], now)) == "today"
    tokyo = follow_up_time(by_id["kenji"], now)
    assert when_text(tokyo) == "on Monday morning"
    assert tokyo.at == datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    # 23:00 UTC Thursday is 18:00 in New York (after hours) -> Friday morning = tomorrow.
    late = follow_up_time(by_id["maria"], datetime(2026, 3, 5, 23, 0, tzinfo=timezone.utc))
    assert when_text(late) == "tomorrow morning"


def test_afternoon_shift_and_weekend_worker() -> None:
    shift = Owner.model_validate(owner("sam", days=["sat", "sun"], start="13:00", end="21:00"))
    assert when_text(follow_up_time(shift, at(2026, 3, 7, 14, 0))) == "today"
    assert when_text(follow_up_time(shift, at(2026, 3, 7, 10, 0))) == "this afternoon"
    assert when_text(follow_up_time(shift, at(2026, 3, 9, 10, 0))) == "on Saturday afternoon"


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        follow_up_time(dana(), datetime(2026, 3, 4, 10, 0))


def test_the_kind_of_moment_and_its_values() -> None:
    today = follow_up_time(dana(), at(2026, 3, 4, 10, 0))  # a Wednesday, inside hours
    assert (today.when, today.at) == ("today", at(2026, 3, 4, 10, 0))
    early = follow_up_time(dana(), at(2026, 3, 4, 7, 15))
    assert (early.when, early.part_of_day) == ("this_part_of_day", "morning")
    evening = follow_up_time(dana(), at(2026, 3, 4, 18, 0))
    assert (evening.when, evening.part_of_day, evening.weekday) == (
        "tomorrow", "morning", "Thursday")
    weekend = follow_up_time(dana(), at(2026, 3, 7, 12, 0))  # Saturday
    assert (weekend.when, weekend.part_of_day, weekend.weekday) == (
        "weekday", "morning", "Monday")
    shift = Owner.model_validate(owner("sam", days=["sat"], start="18:00", end="23:00"))
    assert follow_up_time(shift, at(2026, 3, 7, 12, 0)).part_of_day == "evening"


def test_the_rep_is_told_the_moment_as_the_visitor_was() -> None:
    monday = at(2026, 3, 9, 9, 0)
    assert [when_text(FollowUp(when, monday)) for when in (
        "today", "this_part_of_day", "tomorrow", "weekday")] == [
        "today", "this morning", "tomorrow morning", "on Monday morning"]


def test_repository_routing_yml_loads_and_routes() -> None:
    policy = POLICIES.routing
    assert len(policy.teams) == 3 and len(policy.owners) == 5
    assert route(LeadProfile(country="DE", company_size=5000), policy, {}).rule == "enterprise"
    assert route(LeadProfile(country="NO"), policy, {}).team.name == "EMEA"  # type: ignore[union-attr]
    assert route(LeadProfile(country="BR"), policy, {}).rule == "americas"
    assert route(LeadProfile(country="SG"), policy, {}).rule == "apac"
    assert route(LeadProfile(), policy, {}).owner.id == policy.fallback_owner


GOOD = (Path(__file__).parents[2] / "policies" / "routing.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("old,new,where", [
    ("timezone: Europe/Berlin", "timezone: Europe/Berlinn", "owners.0.timezone"),
    ('end: "17:30"}', "end: 17:30}", "owners.0.working_hours.end"),
    ("[mon, tue, wed, thu, fri], start: \"09:00\"", "[mon, tue, wed, thu, fry], start: \"09:00\"",
     "owners.0.working_hours.days.4"),
    ("owners: [kenji, maria]", "owners: [kenji, mario]", "teams"),
    ("    team: enterprise\n  - name: apac", "    team: enterprize\n  - name: apac", "rules"),
    ("regions: [apac]", "regions: [asia]", "rules"),
    ("fallback_owner: dana", "fallback_owner: nobody", "fallback_owner"),
    ("  - name: enterprise\n", "  - name: enterprise\n    industries: [spaceships]\n",
     "rules.0.industries.0"),
    ("    company_size: {min: 1000}", "    company_size: {min: 1000}\n    size: 3",
     "rules.0.size"),
])
def test_broken_routing_yml_names_file_line_and_field(
        tmp_path: Path, old: str, new: str, where: str) -> None:
    assert old in GOOD
    broken = GOOD.replace(old, new, 1)
    path = tmp_path / "routing.yml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        # The labels of the same directory's industries.yml, as the loader passes them.
        load_routing(path, frozenset(POLICIES.industries.labels()))
    message = str(err.value)
    assert message.startswith(f"{path}:")
    line = int(message.split(":")[1])
    field = where.split(".")[-1] if not where.split(".")[-1].isdigit() else where.split(".")[-2]
    assert field in broken.splitlines()[line - 1], message
    assert f": {where}: " in message
