"""Identity that is earned, over REST against the real stack (SQLite and PostgreSQL).

A stranger who types a known e-mail, or replays a visitor id, learns nothing and changes
nothing; the real returning browser, holding the token the web app issued, is welcomed back.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot import identity
from bot.ops.launcher import Stack
from tests.integration.client import BotClient
from tests.integration.helpers import PROSPECT_ANSWERS, issued_token, lead_of
from tests.receivers import Receiver

pytestmark = pytest.mark.rasa

# Lead columns, status, score, consent: what a stranger must not change.
STORED = ("email", "name", "company", "job_title", "phone", "company_size", "industry",
          "country", "need", "budget_amount", "budget_currency", "budget_period",
          "budget_status", "authority", "timeline_months", "status", "status_reasons",
          "score", "consent", "handoff")


def _victim(bot: BotClient, leads: Any, receiver: Receiver,
            metadata: dict | None = None) -> tuple[str, dict[str, str], dict[str, Any]]:
    """A qualified prospect whose handoff reached sales: (sender, answers, record)."""
    sender = bot.new_sender()
    tag = sender.removeprefix("it-")
    answers = {**PROSPECT_ANSWERS, "budget": "we have 37k a year set aside",
               "name": "Morgan Quill",
               "email": f"morgan.{tag}@quillworks-freight.com", "company": f"Quillworks {tag}",
               "job_title": "Head of Customer Service"}
    bot.dialogue(sender, answers, answers["need"], metadata, fallback="skip")
    receiver.wait_for_event(sender, "lead.qualified", timeout=15)
    record = _delivered(leads, sender)
    assert record["status"] == "qualified", record["status_reasons"]
    assert (record["name"], record["email"]) == (answers["name"], answers["email"])
    return sender, answers, record


def _delivered(leads: Any, sender: str, timeout: float = 10.0) -> dict[str, Any]:
    """The record once the worker marked the handoff delivered (the webhook may have its
    request a moment before the worker records the delivery).
    """
    deadline = time.monotonic() + timeout
    record = lead_of(leads, sender)
    while (record.get("handoff") or {}).get("status") != "delivered" \
            and time.monotonic() < deadline:
        time.sleep(0.1)
        record = lead_of(leads, sender)
    return record


def _settled(leads: Any, sender: str, receiver: Receiver) -> dict[str, Any]:
    """The record once the worker had time to deliver anything new (it polls at 0.2 s)."""
    time.sleep(1.5)
    return lead_of(leads, sender)


def _leaks(replies: list[str], answers: dict[str, str], typed: str = "") -> list[str]:
    """Stored values of the victim found in the replies (the e-mail only if not typed)."""
    secrets = [answers["name"], answers["name"].split()[0], answers["company"],
               answers["job_title"], "37,000", "37k", "Germany", "logistics",
               answers["email"]]
    # What the stranger typed may be said back to them; nothing else of the lead.
    text = "\n".join(replies).lower().replace(typed.lower(), "<typed>") if typed \
        else "\n".join(replies).lower()
    return [s for s in secrets if s.lower() in text]


def test_a_stranger_typing_a_known_email_learns_nothing_and_changes_nothing(
    bot: BotClient, leads: Any, receiver: Receiver,
) -> None:
    victim, answers, before = _victim(bot, leads, receiver)
    sent_before = len(receiver.for_sender(victim))
    stranger = bot.new_sender()
    replies = list(bot.say(stranger, "hi, I'd like to know more about your helpdesk"))
    replies += bot.say(stranger, f"sure, it's {answers['email']}")
    replies += bot.say(stranger, "actually our budget is only 1k a year")
    replies += bot.say(stranger, "actually we are just me, a one-person company")
    for _ in range(8):
        if bot.requested_slot(stranger) is None:
            break
        replies += bot.say(stranger, "skip")
    replies += bot.say(stranger, "thanks, bye")

    assert not _leaks(replies, answers, typed=answers["email"]), replies
    assert not any("welcome back" in r.lower() for r in replies), replies
    after = _settled(leads, victim, receiver)
    assert {k: after[k] for k in STORED} == {k: before[k] for k in STORED}
    assert after["answers"][: len(before["answers"])] == before["answers"]
    assert stranger in after["conversation_ids"] and after["unverified_match"] is True
    claimed = {c["field"]: c["raw_text"] for c in after["claims"]}
    assert claimed.get("budget") == "actually our budget is only 1k a year", claimed
    assert "company_size" in claimed
    visits = {v["conversation_id"]: v["identity"] for v in after["visits"]}
    assert visits[stranger] == "unverified_email" and visits[victim] is None
    # Sales heard nothing new about the victim because of the stranger.
    assert len(receiver.for_sender(victim)) == sent_before


def test_a_replayed_or_forged_visitor_id_is_a_new_visitor(
    bot: BotClient, leads: Any, receiver: Receiver, stack: Stack,
) -> None:
    token = issued_token(stack)
    victim, answers, before = _victim(bot, leads, receiver, {"visitor_id": token})
    raw = before["visits"][0]["visitor_id"]
    assert raw and raw != token and raw in token  # only the id part is stored
    head, vid, issued, sig = token.split(".")
    forged = [raw, f"{head}.{vid}.{issued}.{sig[:-1]}{'B' if sig[-1] == 'A' else 'A'}",
              f"{head}.{vid}.{int(issued) + 1}.{sig}", identity.issue(b"not-our-secret")]
    for replayed in forged:
        sender = bot.new_sender()
        replies = bot.say(sender, "hi, what were we talking about?",
                          {"visitor_id": replayed, "page_url": "https://example.com/"})
        assert not _leaks(replies, answers), (replayed, replies)
        assert not any("welcome back" in r.lower() for r in replies), replies
        record = lead_of(leads, sender)
        assert record["lead_id"] != before["lead_id"], replayed
        assert record["visits"][0]["visitor_id"] is None
    after = _settled(leads, victim, receiver)
    assert after["conversation_ids"] == [victim]
    assert {k: after[k] for k in STORED} == {k: before[k] for k in STORED}


def test_the_real_returning_browser_is_welcomed_back_and_not_asked_again(
    bot: BotClient, leads: Any, receiver: Receiver, stack: Stack,
) -> None:
    token = issued_token(stack)
    first, answers, before = _victim(bot, leads, receiver, {"visitor_id": token})
    second = bot.new_sender()
    asked, replies = bot.dialogue(second, answers, "hello again",
                                  {"visitor_id": token, "visit_number": 2}, fallback="skip")
    assert any("welcome back" in r.lower() for r in replies), replies
    first_name = answers["name"].split()[0]
    assert any(first_name in r for r in replies), replies
    assert not {"need", "budget", "authority", "timeline", "name", "email", "company"} \
        & set(asked), asked
    record = lead_of(leads, second)
    assert record["lead_id"] == before["lead_id"]
    visits = {v["conversation_id"]: v["identity"] for v in record["visits"]}
    assert visits == {first: None, second: "verified_browser"}
    assert record["unverified_match"] is False
