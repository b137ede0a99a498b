"""Every word the visitor reads is domain.yml's: Python picks the response and its values.

The follow-up of a qualified lead (who reaches out, when, the booking link) is responses of
its own, said after the conclusion; a nurture lead's answer about follow-up e-mails picks
the variant of the nurture message that says it back.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from actions.runtime import response_values
from bot import store
from bot.conversation import replies
from bot.conversation.turn import Reply
from bot.decisions.ownership import Assignment, FollowUp, When, follow_up_time, route
from bot.decisions.profile import LeadProfile
from tests.unit.repo_policies import POLICIES

ROOT = Path(__file__).parents[2]
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_NINE = datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)
ROUTING = POLICIES.routing


def emea() -> Assignment:
    """Dana of the repository's EMEA team (routing.yml), who has a booking link."""
    return route(LeadProfile(country="DE"), ROUTING, {})


def fallback() -> Assignment:
    """The fallback owner, who belongs to no team."""
    return Assignment(ROUTING.owner(ROUTING.fallback_owner), None, "fallback")


def said(reply: Reply) -> str:
    """The reply as the visitor reads it: its domain text filled like Rasa fills it (a
    variable no value is given for fails the test).
    """
    values: dict[str, Any] = {**response_values(), **reply.values}
    variants = RESPONSES[reply.response]
    default = next(v for v in variants if "condition" not in v)
    return re.sub(r"{([^\n{}]+?)}", lambda m: str(values[m.group(1)]), default["text"])


def lead(status: str, consent: bool | None = None) -> store.Lead:
    """A lead as the conclusion reads it (never stored)."""
    return store.Lead(status=status, name="Dana Lee", email="dana@acme-logistics.de",
                      consent_follow_up=consent)


@pytest.mark.parametrize(("when", "response", "words"), [
    ("today", "utter_follow_up_today", "will reach out today."),
    ("this_part_of_day", "utter_follow_up_this_part_of_day", "will reach out this morning."),
    ("tomorrow", "utter_follow_up_tomorrow", "will reach out tomorrow morning."),
    ("weekday", "utter_follow_up_weekday", "will reach out on Monday morning."),
])
def test_each_kind_of_moment_picks_its_response_with_the_values(
        when: When, response: str, words: str) -> None:
    assignment = emea()
    who, booking = replies.follow_up_replies(assignment, FollowUp(when, MONDAY_NINE))
    assert who == Reply(response, {"owner_first_name": assignment.owner.first_name,
                                   "team": "EMEA", "part_of_day": "morning",
                                   "weekday": "Monday"})
    assert said(who) == f"{assignment.owner.first_name} from our EMEA team {words}"
    assert booking == Reply("utter_follow_up_booking",
                            {"booking_url": assignment.owner.booking_url})
    assert said(booking) == f"Prefer to pick a time? {assignment.owner.booking_url}"


def test_the_part_of_day_and_weekday_come_from_the_owners_hours() -> None:
    owner = emea().owner  # Berlin, 09:00-17:30 on weekdays
    friday_night = datetime(2026, 3, 6, 20, 0, tzinfo=BERLIN)
    (who, _) = replies.follow_up_replies(emea(), follow_up_time(owner, friday_night))
    assert who.response == "utter_follow_up_weekday"
    assert (who.values["weekday"], who.values["part_of_day"]) == ("Monday", "morning")


def test_the_fallback_owner_speaks_for_sales_and_no_link_no_booking() -> None:
    assignment = fallback()
    unbooked = Assignment(assignment.owner.model_copy(update={"booking_url": None}),
                          None, "fallback")
    only = replies.follow_up_replies(unbooked, FollowUp("tomorrow", MONDAY_NINE))
    assert [r.response for r in only] == ["utter_follow_up_tomorrow"]
    assert said(only[0]) == (f"{assignment.owner.first_name} from our sales team will reach "
                             "out tomorrow morning.")


def test_a_qualified_lead_hears_the_conclusion_then_who_follows_up() -> None:
    assignment = emea()
    message = replies.conclusion(lead("qualified"), (assignment, FollowUp("today", MONDAY_NINE)))
    assert [r.response for r in message] == [
        "utter_next_qualified", "utter_follow_up_today", "utter_follow_up_booking"]
    assert " ".join(said(r) for r in message) == (
        "Thanks, Dana! That's everything I need. We'll write to you at "
        "dana@acme-logistics.de with everything you shared, so there's no need to repeat "
        f"it. {assignment.owner.first_name} from our EMEA team will reach out today. "
        f"Prefer to pick a time? {assignment.owner.booking_url}")


@pytest.mark.parametrize(("consent", "response"), [
    (True, "utter_next_nurture_emails_yes"), (False, "utter_next_nurture_emails_no"),
    (None, "utter_next_nurture"),
])
def test_a_nurture_lead_hears_what_they_said_to_follow_up_emails(
        consent: bool | None, response: str) -> None:
    message = replies.conclusion(lead("nurture", consent))
    assert [r.response for r in message] == [response]
    text = said(message[0])  # every variable has its value
    assert "this guide is a good start: http" in text


def test_consent_is_only_noted_for_a_nurture_lead() -> None:
    message = replies.conclusion(lead("disqualified", True))
    assert [r.response for r in message] == ["utter_next_disqualified"]


def test_the_consent_answer_is_said_back_before_the_guide() -> None:
    yes = said(Reply("utter_next_nurture_emails_yes"))
    no = said(Reply("utter_next_nurture_emails_no"))
    assert yes.index("We'll e-mail you") < yes.index("this guide")
    assert no.index("We won't e-mail you") < no.index("this guide")


@pytest.mark.parametrize(("outcome", "response"), [
    ("redirected:language", "utter_redirect_language"),
    ("redirected:support", "utter_redirect_support"),
])
def test_a_redirect_names_the_language_on_record(outcome: str, response: str) -> None:
    swedish = replies.redirected(outcome, store.Lead(language="sv"))
    assert swedish == Reply(response, {"language_name": "Swedish"})
    said(swedish)


def test_a_language_redirect_without_a_language_on_record_says_so_in_the_domain() -> None:
    unnamed = replies.redirected("redirected:language", store.Lead())
    assert unnamed == Reply("utter_redirect_language_unnamed")
    assert "a colleague who speaks your language" in said(unnamed)
    person = replies.person_requested(store.Lead(), "language")
    assert person == [Reply("utter_redirect_person_language_unnamed")]
    assert "speaks your language" in said(person[0])
    assert replies.redirected("redirected:support", None) == Reply("utter_redirect_support")


def literals(module: str) -> list[str]:
    """The module's string literals (f-strings' text too), docstrings left out."""
    tree = ast.parse((ROOT / module).read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


@pytest.mark.parametrize("module", ["bot/decisions/ownership.py",
                                    "bot/conversation/replies.py"])
def test_no_visitor_sentence_is_left_in_python(module: str) -> None:
    text = "\n".join(literals(module))
    for words in ("will reach out", "from our", "pick a time", "e-mail you", "come back",
                  "this ", "tomorrow ", "on ", "your language"):
        assert words not in text, f"{module} still says {words!r}"
