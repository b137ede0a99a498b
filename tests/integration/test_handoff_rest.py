"""A qualified conversation over REST reaches the CRM webhook once, signed, within a second."""

from __future__ import annotations

import time

import pytest

from tests.integration.client import BotClient
from tests.integration.conftest import HANDOFF_SECRET
from tests.integration.helpers import PROSPECT_ANSWERS, lead_of
from tests.receivers import Receiver

pytestmark = pytest.mark.rasa


def test_a_qualified_lead_arrives_once_at_the_webhook_signed(bot: BotClient, leads,
                                                              receiver: Receiver):
    sender = bot.new_sender()
    answers = {**PROSPECT_ANSWERS, "email": f"{sender}@acme-logistics.com"}
    bot.say(sender, answers["need"])
    for slot in ("budget", "authority", "timeline"):
        assert bot.requested_slot(sender) == slot
        bot.say(sender, answers[slot])
    # Qualified now, but sales gets a lead only once it can be reached.
    assert lead_of(leads, sender)["status"] == "qualified"
    time.sleep(1.0)
    assert receiver.for_sender(sender) == []
    assert bot.requested_slot(sender) == "name"
    bot.say(sender, answers["name"])
    assert bot.requested_slot(sender) == "email"
    sent = time.monotonic()
    bot.say(sender, answers["email"])  # the answer that makes it reachable
    arrived = receiver.wait_for(sender, timeout=10)
    assert arrived.at - sent < 5
    payload = arrived.json
    assert payload["event"] == "lead.qualified"
    assert payload["lead"]["status"] == "qualified"
    assert arrived.signed_with(HANDOFF_SECRET)
    assert arrived.headers["Idempotency-Key"] == payload["idempotency_key"]
    assert "around 20k a year" in payload["summary"]
    assert f"Reach: by e-mail {answers['email']}" in payload["summary"]
    # The whole conversation, read back from Rasa: the questions asked and the answers, the
    # last one (the e-mail) included, in order.
    assert payload["transcript_source"] == "rasa"
    lines = payload["transcript"]
    visitor = [line["text"] for line in lines if line["speaker"] == "visitor"]
    assert visitor == [answers[s] for s in ("need", "budget", "authority", "timeline", "name",
                                            "email")]
    assert any(line["speaker"] == "assistant" and "budget" in line["text"].lower()
               for line in lines)
    assert f"Visitor: {answers['email']}" in payload["summary"]
    assert payload["lead_url"].endswith(f"/reps/leads/{payload['lead']['lead_id']}")
    time.sleep(1.0)  # the worker polls every 0.2 s: a duplicate would have arrived by now
    assert len(receiver.for_sender(sender)) == 1
    record = lead_of(leads, sender)
    assert record["handoff"]["status"] == "delivered" and record["handoff"]["owner"]


def test_a_redirected_visitor_never_reaches_the_webhook(bot: BotClient, receiver: Receiver):
    sender = bot.new_sender()
    bot.say(sender, "hi, are you hiring support reps? how do I apply")
    time.sleep(1.0)
    assert receiver.for_sender(sender) == []
