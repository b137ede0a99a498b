"""Whole conversations over Rasa's REST channel, checked in the lead store and the export.

Runs against a real Rasa server and action server, once on SQLite and once on PostgreSQL
(with the Redis lock store): see conftest.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ops.launcher import Stack
from tests.integration.client import BotClient
from tests.integration.helpers import PROSPECT_ANSWERS, lead_of

pytestmark = pytest.mark.rasa

ANSWERS = PROSPECT_ANSWERS


def _export(stack: Stack, fmt: str = "jsonl") -> str:
    env = {**os.environ, "DATABASE_URL": stack.settings.database_url}
    leadbot = Path(sys.executable).parent / "leadbot"
    done = subprocess.run(
        [str(leadbot), "leads", "export", "--format", fmt],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout


def test_a_visitor_is_greeted_asked_bant_and_qualified(bot: BotClient, leads, stack: Stack):
    sender = bot.new_sender()
    replies = bot.say(sender, "hi")
    assert any("assistant" in r for r in replies), replies
    assert bot.requested_slot(sender) == "need"
    asked = bot.converse(sender, ANSWERS, opening=ANSWERS["need"])
    assert asked[:3] == ["budget", "authority", "timeline"]
    assert len(["need", *asked]) <= 7, asked
    record = lead_of(leads, sender)
    assert record["status"] == "qualified", record["status_reasons"]
    assert record["budget_amount"] == 20000
    assert record["budget_status"] == "estimate"
    assert record["authority"] == "decision_maker"
    assert record["timeline_months"] == pytest.approx(3, abs=0.2)
    assert record["email"] == "dana.lee+web@acme-logistics.com"
    assert record["name"] == "Dana Lee"
    assert record["handoff"] is not None
    exported = [json.loads(line) for line in _export(stack).splitlines() if line.strip()]
    mine = [lead for lead in exported if sender in lead["conversation_ids"]]
    assert len(mine) == 1 and mine[0]["budget_amount"] == 20000
    assert "dana.lee+web@acme-logistics.com" in _export(stack, "csv")


def test_several_facts_in_the_opening_are_taken_and_not_asked_again(bot: BotClient, leads):
    sender = bot.new_sender()
    opening = (
        "hi, I'm head of ops at Acme, 200 people, looking to replace our "
        "ticketing tool this quarter"
    )
    # An e-mail of its own: an e-mail another test's lead has would make this chat an
    # unverified match of that lead, whose values it may not change.
    answers = {**ANSWERS, "email": f"{sender}@acme-logistics.com"}
    asked = bot.converse(sender, answers, opening=opening)
    for stated in ("need", "timeline", "job_title", "company", "company_size"):
        assert stated not in asked, asked
    record = lead_of(leads, sender)
    assert record["company"] == "Acme"
    assert record["company_size"] == 200
    assert "ops" in record["job_title"].lower()
    assert record["timeline_months"] is not None


def test_each_answer_is_stored_the_moment_it_is_given(bot: BotClient, leads):
    sender = bot.new_sender()
    bot.say(sender, "we want live chat and a help center for our customers")
    bot.say(sender, "about 2k a month")
    bot.say(sender, "I need to run it by my boss")
    record = lead_of(leads, sender)  # the visitor leaves here
    fields = [a["field"] for a in record["answers"]]
    assert {"need", "budget", "authority"} <= set(fields)
    assert record["budget_amount"] == 24000 and record["budget_period"] == "month"
    assert record["authority"] == "influencer"
    assert record["status"] == "in_progress"


def test_a_correction_replaces_the_value_and_keeps_history(bot: BotClient, leads):
    sender = bot.new_sender()
    bot.say(sender, "we need a helpdesk for our support team")
    bot.say(sender, "about 10k a year")
    assert bot.requested_slot(sender) == "authority"
    bot.say(sender, "actually make that 50k")
    record = lead_of(leads, sender)
    assert record["budget_amount"] == 50000
    budgets = [a for a in record["answers"] if a["field"] == "budget"]
    assert len(budgets) == 2
    assert bot.requested_slot(sender) == "authority"


def test_skip_is_recorded_unknown_and_not_asked_again(bot: BotClient, leads):
    sender = bot.new_sender()
    asked = bot.converse(
        sender,
        {**ANSWERS, "budget": "I'd rather not say", "email": f"{sender}@acme-logistics.com"},
        opening="we need a shared inbox for our team",
    )
    assert asked.count("budget") == 1
    record = lead_of(leads, sender)
    assert record["budget_status"] == "unknown" and record["budget_amount"] is None


def test_an_unclear_answer_is_rephrased_once_then_kept(bot: BotClient, leads):
    sender = bot.new_sender()
    bot.say(sender, "we need a better tool for customer emails")
    assert bot.requested_slot(sender) == "budget"
    first = bot.say(sender, "purple elephants")
    assert bot.requested_slot(sender) == "budget"
    assert any("example" in r.lower() or "for example" in r.lower() for r in first), first
    bot.say(sender, "bananas on a boat")
    assert bot.requested_slot(sender) == "authority"
    record = lead_of(leads, sender)
    raw = [a["raw_text"] for a in record["answers"] if a["field"] == "budget"]
    assert raw == ["bananas on a boat"]


@pytest.mark.parametrize(
    "question,expect",
    [
        ("how much does it cost?", "price"),
        ("is customer data stored in the EU? we need GDPR", "GDPR"),
        ("does it integrate with salesforce?", "salesforce"),
    ],
)
def test_a_side_question_is_answered_and_the_form_resumes(bot: BotClient, question, expect):
    sender = bot.new_sender()
    bot.say(sender, "our support inbox is a mess, we need ticketing")
    assert bot.requested_slot(sender) == "budget"
    replies = bot.say(sender, question)
    assert any(expect.lower() in r.lower() for r in replies), replies
    assert bot.requested_slot(sender) == "budget"


@pytest.mark.parametrize(
    "question,expect",
    [("are you a bot?", "virtual assistant"), ("how much does it cost?", "price")],
)
def test_a_side_question_instead_of_the_need_is_answered_not_stored(
    bot: BotClient, leads, question, expect
):
    sender = bot.new_sender()
    bot.say(sender, "hi")
    assert bot.requested_slot(sender) == "need"
    replies = bot.say(sender, question)
    assert any(expect in r.lower() for r in replies), replies
    assert bot.requested_slot(sender) == "need"
    bot.say(sender, "we need one inbox for support emails and chat")
    assert bot.requested_slot(sender) == "budget"
    needs = [a["raw_text"] for a in lead_of(leads, sender)["answers"] if a["field"] == "need"]
    assert needs == ["we need one inbox for support emails and chat"]


def test_asking_for_a_person_records_a_handoff_request(bot: BotClient, leads):
    sender = bot.new_sender()
    bot.say(sender, "we need live chat for our online shop")
    replies = bot.say(sender, "can I talk to a real person please")
    assert any("colleague" in r for r in replies), replies
    record = lead_of(leads, sender)
    assert record["handoff"] is not None
    assert bot.requested_slot(sender) is not None


def test_stop_ends_the_form_and_keeps_the_answers(bot: BotClient, leads):
    sender = bot.new_sender()
    bot.say(sender, "we need a shared inbox for our sales team")
    bot.say(sender, "around 5k a year")
    replies = bot.say(sender, "never mind, stop")
    assert bot.requested_slot(sender) is None
    assert any("kept" in r for r in replies), replies
    record = lead_of(leads, sender)
    assert record["budget_amount"] == 5000


@pytest.mark.parametrize(
    "opening,reason",
    [
        (
            "hi, since monday our agents stopped getting email notifications when a new ticket "
            "comes in. we're customers on the Growth plan",
            "support",
        ),
        (
            "do you have any openings for machine learning engineers? do you sponsor visas?",
            "job_seeker",
        ),
        (
            "We produce animated explainer videos for SaaS brands. "
            "Who runs marketing on your side?",
            "vendor",
        ),
    ],
)
def test_non_leads_are_redirected_not_qualified(bot: BotClient, leads, opening, reason):
    sender = bot.new_sender()
    replies = bot.say(sender, opening)
    assert any("http" in r for r in replies), replies
    assert bot.requested_slot(sender) is None
    record = lead_of(leads, sender)
    assert record["status"] == "redirected"
    assert record["redirect_reason"] == reason
    assert record["handoff"] is None


def test_the_same_email_joins_conversations_into_one_lead(bot: BotClient, leads):
    first, second = bot.new_sender(), bot.new_sender()
    bot.converse(
        first,
        {**ANSWERS, "email": "curtis@lakeshore-auto.com"},
        opening="we need a shared inbox with ticket tracking for our service team",
    )
    asked = bot.converse(
        second, ANSWERS, opening="hello again, Curtis here (curtis@lakeshore-auto.com)"
    )
    assert not {"budget", "authority", "timeline", "need"} & set(asked), asked
    record = lead_of(leads, second)
    assert set(record["conversation_ids"]) == {first, second}


@pytest.mark.parametrize(
    "message",
    [
        "x" * 10_000,
        "🙂🙂🙂",
        "<script>alert(1)</script><b>hi</b>",
    ],
)
def test_bad_input_gets_a_reply_and_keeps_the_form(bot: BotClient, message: str):
    sender = bot.new_sender()
    bot.say(sender, "we need ticketing for our support team")
    before = bot.requested_slot(sender)
    response = bot.post(sender, message)
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list) and response.json()
    assert bot.requested_slot(sender) == before
    assert bot.say(sender, "around 20k a year") != []


@pytest.mark.parametrize("message", ["", "   ", "\x00\x07\x1b[31m"])
def test_a_message_without_text_is_refused_and_keeps_the_form(bot: BotClient, message: str):
    sender = bot.new_sender()
    bot.say(sender, "we need ticketing for our support team")
    before = bot.requested_slot(sender)
    response = bot.post(sender, message)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "message"
    assert bot.requested_slot(sender) == before
    assert bot.say(sender, "around 20k a year") != []


def test_non_text_payloads_never_cause_a_server_error(bot: BotClient):
    sender = bot.new_sender()
    for body in ({"sender": sender}, {"sender": sender, "message": 42}, {"message": "hi"}):
        response = bot.http.post("/webhooks/rest/webhook", json=body)
        assert response.status_code < 500, (body, response.status_code, response.text)


def test_the_http_api_needs_the_token(bot: BotClient):
    sender = bot.new_sender()
    bot.say(sender, "hi")
    response = bot.http.get(f"/conversations/{sender}/tracker")
    assert response.status_code in (401, 403)
    assert bot.http.get(
        f"/conversations/{sender}/tracker", params={"token": "wrong"}
    ).status_code in (401, 403)


def test_an_unknown_sender_answering_out_of_the_blue_gets_a_sensible_reply(bot: BotClient):
    sender = bot.new_sender()
    replies = bot.say(sender, "around 20k a year")
    assert any(r.strip() for r in replies), replies
    assert bot.requested_slot(sender) is not None
