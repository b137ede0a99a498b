"""The form's validation action on real trackers and a real lead store (SQLite and Postgres).

Trackers end the way Rasa hands them to `validate_qualify_form`; the domain is read from
domain.yml with plain YAML (no Rasa in the app venv).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from actions import conclude, qualify_form, runtime, takeover
from actions.runtime import bound_lock_waits
from bot import identity, store
from bot.conversation.service import ConversationService
from bot.conversation.spool import (
    CONCLUDE,
    HUMAN_TAKEOVER,
    TURN,
    TurnSpool,
    replay,
    store_appliers,
)
from tests.unit.repo_policies import POLICIES

DOMAIN = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text())
TODAY = date(2026, 11, 23)


class _NoDrainer:
    """Stands in for the background drainer: tests replay the spool themselves."""

    def wake(self) -> None:
        """Nothing to wake."""


@pytest.fixture()
def spool(tmp_path: Path) -> TurnSpool:
    """The spool the form action keeps refused turns in."""
    return TurnSpool(tmp_path / "spool")


@pytest.fixture()
def conv(session_factory, spool: TurnSpool, monkeypatch: pytest.MonkeyPatch) -> ConversationService:
    """A ConversationService on the test database, used by the actions under test."""
    # The action server's engine waits briefly for locks (actions/runtime.py): so does this.
    bound_lock_waits(session_factory.kw["bind"])
    conversation = ConversationService(session_factory, POLICIES, today=lambda: TODAY)
    monkeypatch.setattr(qualify_form, "conversation", lambda: conversation)
    monkeypatch.setattr(qualify_form, "loaded_policies", lambda: POLICIES)
    monkeypatch.setattr(conclude, "conversation", lambda: conversation)
    monkeypatch.setattr(qualify_form, "turn_spool", lambda: spool)
    monkeypatch.setattr(qualify_form, "drainer", _NoDrainer)
    monkeypatch.setattr(qualify_form, "retry_seconds", lambda: 1.5)
    apply = store_appliers(conversation, session_factory)
    monkeypatch.setattr(qualify_form, "appliers", lambda: apply)
    # The other actions reach the spool through actions/guard.py, i.e. actions.runtime.
    monkeypatch.setattr(runtime, "turn_spool", lambda: spool)
    monkeypatch.setattr(runtime, "drainer", _NoDrainer)
    monkeypatch.setattr(runtime, "retry_seconds", lambda: 1.5)
    monkeypatch.setattr(runtime, "appliers", lambda: apply)
    monkeypatch.setattr(takeover, "session_factory", lambda: session_factory)
    return conversation


def tracker(text: str, *, intent: str = "inform", confidence: float = 0.95,
            requested: str | None = None, slots: dict[str, Any] | None = None,
            sender: str = "s1", message_id: str = "m1", bot_spoke: bool = True,
            after_user: list[dict] | None = None) -> Tracker:
    """A tracker as Rasa passes it to the form validation for the latest message."""
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_session_start"}]
    if bot_spoke:
        events.append({"event": "bot", "text": "What brought you here today?"})
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence},
             "message_id": message_id, "metadata": {}}
    events.append({"event": "user", "text": text, "timestamp": time.time(),
                   "parse_data": parse, "message_id": message_id})
    events.extend(after_user or [])
    all_slots = {"requested_slot": requested, **(slots or {})}
    events.append({"event": "slot", "name": "requested_slot", "value": requested})
    events.append({"event": "action", "name": "qualify_form"})
    return Tracker(sender, all_slots, parse, events, False, None,
                   {"name": "qualify_form"} if requested else {}, "qualify_form")


def run_form(t: Tracker) -> tuple[dict[str, Any], list[str]]:
    """Run validate_qualify_form; the slots it sets and the responses it sends."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(qualify_form.ValidateQualifyForm().run(dispatcher, t, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return slots, [m.get("response") for m in dispatcher.messages]


def record(factory, sender: str = "s1") -> dict[str, Any]:
    with store.session_scope(factory) as session:
        lead = store.lead_for_conversation(session, sender)
        assert lead is not None
        return store.lead_record(lead)


def test_opening_with_several_facts_fills_them_all_and_asks_what_is_missing(conv,
                                                                             session_factory):
    text = ("hi, I'm head of ops at Acme, 200 people, looking to replace our ticketing tool "
            "this quarter")
    slots, said = run_form(tracker(text, bot_spoke=False))
    assert said[0] == "utter_intro" and "utter_noted" in said
    for name in ("need", "job_title", "company", "company_size", "timeline"):
        assert slots.get(name), (name, slots)
    assert slots["requested_slot"] == "budget"
    lead = record(session_factory)
    assert lead["company"] == "Acme" and lead["company_size"] == 200
    assert lead["timeline_months"] == pytest.approx(1.3, abs=0.3)


def test_a_budget_answer_is_parsed_stored_and_the_next_question_set(conv, session_factory):
    slots, _ = run_form(tracker("around 20k a year", requested="budget",
                                slots={"need": "a helpdesk", "asked_slots": ["need",
                                                                             "budget"]}))
    assert slots["budget"].startswith("budget USD 20,000") or "20,000" in slots["budget"]
    assert slots["requested_slot"] == "authority"
    lead = record(session_factory)
    assert (lead["budget_amount"], lead["budget_status"]) == (20000, "estimate")
    assert lead["answers"][0]["raw_text"] == "around 20k a year"


def test_the_same_message_validated_twice_is_stored_once(conv, session_factory):
    t = tracker("2k a month", requested="budget", slots={"need": "chat"})
    run_form(t)
    run_form(t)
    assert [a["field"] for a in record(session_factory)["answers"]] == ["budget"]
    assert record(session_factory)["budget_amount"] == 24000


def test_a_side_question_is_answered_and_the_question_asked_again(conv, session_factory):
    slots, said = run_form(tracker("how much does it cost?", requested="budget",
                                   slots={"need": "chat", "asked_slots": ["need", "budget"]}))
    assert said == ["utter_pricing"]  # by the question's topic, from the domain
    assert slots["requested_slot"] == "budget" and not slots.get("rephrase_slot")
    assert record(session_factory)["answers"] == []


def test_a_question_about_integrations_gets_the_integrations_answer(conv):
    _, said = run_form(tracker("do you integrate with salesforce and jira?", requested="budget",
                               slots={"need": "chat"}))
    assert said == ["utter_integrations"]


def test_an_answer_with_a_side_question_is_taken_and_the_question_answered(conv,
                                                                          session_factory):
    slots, said = run_form(tracker("about 15k a year, is that enough for 10 agents?",
                                   requested="budget", slots={"need": "chat"}))
    assert "utter_pricing" in said and slots["requested_slot"] == "authority"
    assert record(session_factory)["budget_amount"] == 15000


def test_after_another_action_the_form_resumes_without_reading_the_message_again(
        conv, session_factory):
    t = tracker("how much does it cost?", requested="budget",
                slots={"need": "chat", "asked_slots": ["need", "budget"]},
                after_user=[{"event": "action", "name": "utter_welcome"}])
    slots, said = run_form(t)
    assert slots["requested_slot"] == "budget" and said == []
    with store.session_scope(session_factory) as session:
        lead = store.lead_for_conversation(session, "s1")
        assert lead is not None and lead.answers == []


def test_an_unclear_answer_is_rephrased_once_then_kept_as_given(conv, session_factory):
    base = {"need": "chat", "asked_slots": ["need", "budget"]}
    slots, _said = run_form(tracker("purple elephants", requested="budget", slots=base))
    assert slots["rephrase_slot"] == "budget" and slots["requested_slot"] == "budget"
    slots2, said2 = run_form(tracker("bananas", requested="budget", message_id="m2",
                                     slots={**base, **slots}))
    assert slots2["requested_slot"] == "authority" and slots2["rephrase_slot"] is None
    assert "utter_unclear_kept" in said2
    answers = record(session_factory)["answers"]
    assert [(a["field"], a["raw_text"]) for a in answers] == [("budget", "bananas")]


@pytest.mark.parametrize("text", ["skip", "I'd rather not say", "no idea"])
def test_skipping_records_unknown_and_moves_on(conv, session_factory, text):
    slots, _ = run_form(tracker(text, intent="dont_know", requested="authority",
                                slots={"need": "chat", "budget": "x"}))
    assert slots["authority"] and slots["requested_slot"] == "timeline"
    assert record(session_factory)["authority"] == "unknown"


def test_stop_ends_the_form_and_keeps_what_was_said(conv, session_factory):
    run_form(tracker("we need a shared inbox", requested="need"))
    slots, _ = run_form(tracker("never mind, stop", intent="stop", requested="budget",
                                message_id="m2", slots={"need": "shared inbox"}))
    assert slots["requested_slot"] is None and slots["outcome"] == "stopped"
    assert record(session_factory)["need"] == "we need a shared inbox"


def test_a_correction_mid_form_changes_the_earlier_answer(conv, session_factory):
    run_form(tracker("about 10k a year", requested="budget", slots={"need": "x"}))
    slots, said = run_form(tracker("actually make that 50k", requested="authority",
                                   message_id="m2", slots={"need": "x", "budget": "10k"}))
    assert slots["requested_slot"] == "authority" and "utter_noted" in said
    lead = record(session_factory)
    assert lead["budget_amount"] == 50000
    assert [a["raw_text"] for a in lead["answers"] if a["field"] == "budget"] == [
        "about 10k a year", "actually make that 50k"]


@pytest.mark.parametrize("text,intent,reason", [
    ("our account is locked and none of our agents can log in since this morning",
     "support_request", "support"),
    ("are you hiring? how do I apply for the support job", "job_seeking", "job_seeker"),
    ("whats a good lasagna recipe for 8 people?", "out_of_scope", "off_topic"),
])
def test_non_leads_at_the_opening_are_redirected(conv, session_factory, text, intent, reason):
    slots, said = run_form(tracker(text, intent=intent, bot_spoke=False))
    assert slots["requested_slot"] is None and slots["outcome"] == f"redirected:{reason}"
    assert said == []  # the redirect itself is said by action_conclude
    lead = record(session_factory)
    assert (lead["status"], lead["redirect_reason"]) == ("redirected", reason)


def test_a_customer_who_only_asks_at_first_is_redirected_when_they_say_more(
        conv, session_factory):
    # A question is answered rather than redirected on a middling reading (prospects ask
    # too); the next message settles it, with the first one's evidence.
    slots, _ = run_form(tracker("where do I change the password of our account?",
                                bot_spoke=False))
    if slots.get("outcome") != "redirected:support":
        state = {k: v for k, v in slots.items() if k != "requested_slot"}
        slots, _ = run_form(tracker("we're customers, I'm locked out of our helpwise account",
                                    requested=slots.get("requested_slot"), message_id="m2",
                                    slots=state))
    assert slots["outcome"] == "redirected:support"
    assert record(session_factory)["status"] == "redirected"


def test_a_visitor_who_volunteers_nothing_is_asked_at_most_seven_questions(conv):
    answers = {"need": "we need help", "budget": "not sure", "authority": "not sure",
               "timeline": "no idea", "name": "Kim", "email": "kim@gmail.com",
               "company": "skip", "job_title": "skip", "company_size": "skip",
               "follow_up_consent": "yes please"}
    slots: dict[str, Any] = {}
    slots, _ = run_form(tracker("hello", intent="greet", bot_spoke=False))
    asked = []
    for turn in range(12):
        nxt = slots.get("requested_slot")
        if nxt is None:
            break
        asked.append(nxt)
        state = {**{k: v for k, v in slots.items() if k != "requested_slot"}}
        new, _ = run_form(tracker(answers[nxt], requested=nxt, message_id=f"m{turn}",
                                  slots=state))
        slots = {**state, **new}
    assert len(asked) <= 7, asked
    assert asked[:4] == ["need", "budget", "authority", "timeline"]


def test_company_follows_from_a_business_email_and_is_not_asked(conv, session_factory):
    slots, _ = run_form(tracker("dana@redwoodrides.com", requested="email",
                                slots={n: "x" for n in ("need", "budget", "authority",
                                                        "timeline", "name")}))
    assert slots.get("company") and slots["requested_slot"] == "company_size"


def test_asking_for_a_person_records_a_handoff_request(conv, session_factory):
    run_form(tracker("we need a shared inbox for our support team", bot_spoke=False,
                     message_id="m0"))
    _, said = run_form(tracker("can I talk to a human", requested="budget",
                               slots={"need": "shared inbox"}))
    assert said[0] == "utter_human_requested"
    assert record(session_factory)["handoff"]["status"] in ("requested", "pending")


def test_a_person_asked_for_before_anything_else_first_asks_what_it_is_about(
        conv, session_factory):
    slots, said = run_form(tracker("can we get a call with your head of CX?", bot_spoke=False))
    assert "utter_human_what_about" in said and slots["requested_slot"] == "need"
    assert record(session_factory)["handoff"] is None
    _slots2, said2 = run_form(tracker("we need ticketing for 40 agents", requested="need",
                                     message_id="m2", slots=slots))
    assert "utter_human_requested" in said2
    assert record(session_factory)["handoff"]["status"] in ("requested", "pending")


def test_a_vendor_asking_for_a_call_is_redirected_and_never_reaches_sales(conv,
                                                                          session_factory):
    slots, _ = run_form(tracker("hi, we run an SEO agency and can double your organic traffic, "
                                "can we book a call with your marketing lead?",
                                bot_spoke=False))
    assert slots["outcome"] == "redirected:vendor"
    _, said = run_form(tracker("so who can I talk to?", message_id="m2", slots=slots))
    assert said == ["utter_redirect_person_vendor"]
    lead = record(session_factory)
    assert lead["status"] == "redirected" and lead["handoff"] is None


def test_a_statement_nlu_takes_for_a_question_is_read_as_the_answer(conv, session_factory):
    slots, _ = run_form(tracker("we want live chat and whatsapp in one place",
                                intent="ask_product", requested="need"))
    assert slots["requested_slot"] == "budget"
    assert record(session_factory)["need"] == "we want live chat and whatsapp in one place"


def test_an_opening_answered_as_a_question_still_gives_its_facts(conv, session_factory):
    text = "we're a law firm with 75 staff and our client emails are chaos, what do you offer?"
    t = tracker(text, intent="ask_product", bot_spoke=True,
                after_user=[{"event": "action", "name": "action_answer_question"}])
    slots, _ = run_form(t)
    assert slots.get("company_size") and slots["requested_slot"] == "budget"
    assert record(session_factory)["company_size"] == 75


def test_an_opening_that_tells_and_asks_keeps_the_need_and_answers_the_question(
        conv, session_factory):
    text = ("hey, I run a two-person bike repair shop and customer emails keep slipping "
            "through. how much would that cost us per month?")
    slots, said = run_form(tracker(text, intent="ask_pricing", bot_spoke=False))
    assert "utter_pricing" in said
    told = "I run a two-person bike repair shop and customer emails keep slipping through."
    assert record(session_factory)["need"] == told
    assert slots["requested_slot"] != "need"


def test_a_redirected_visitor_keeps_what_they_said_about_themselves(conv, session_factory):
    text = ("hey, I'm an engineer at Ticketmint (we make a chat/helpdesk product too). what "
            "NLU stack does your bot use? asking for benchmarking, mateus@ticketmint.dev")
    _slots, _ = run_form(tracker(text, intent="ask_product", bot_spoke=False))
    lead = record(session_factory)
    assert (lead["status"], lead["redirect_reason"]) == ("redirected", "competitor")
    assert lead["company"] == "Ticketmint" and lead["job_title"] == "engineer"
    assert lead["email"] is None  # never joins a prospect's lead by address
    assert lead["need"] is None and lead["score"]["total"] == 0


BANT_SLOTS = {"need": "x", "budget": "x", "authority": "x", "timeline": "x"}


def test_a_free_mail_address_gets_one_request_for_a_work_email(conv, session_factory):
    slots, _said = run_form(tracker("dana.lee@gmail.com", requested="email",
                                   slots={**BANT_SLOTS, "name": "Dana",
                                          "asked_slots": ["need", "budget", "authority",
                                                          "timeline", "name", "email"]}))
    assert slots["requested_slot"] == "email" and slots["rephrase_slot"] == "work_email"
    assert record(session_factory)["email"] == "dana.lee@gmail.com"  # kept meanwhile
    state = {**BANT_SLOTS, "name": "Dana", **slots}
    slots2, _ = run_form(tracker("no, that's the one I use", requested="email",
                                 message_id="m2", slots=state))
    assert slots2["requested_slot"] != "email" and slots2["rephrase_slot"] is None
    assert record(session_factory)["email"] == "dana.lee@gmail.com"
    _slots3, _ = run_form(tracker("sure: dana@acme-logistics.com", requested="email",
                                 message_id="m3", slots=state))
    assert record(session_factory)["email"] == "dana@acme-logistics.com"


def test_consent_is_recorded_with_its_wording(conv, session_factory):
    t = tracker("yes, that's fine", requested="follow_up_consent", slots=BANT_SLOTS)
    dispatcher = CollectingDispatcher()
    asyncio.run(qualify_form.ValidateQualifyForm().run(dispatcher, t, DOMAIN))
    consent = record(session_factory)["consent"]
    assert consent["given"] is True
    assert consent["wording"] == DOMAIN["responses"]["utter_ask_follow_up_consent"][0]["text"]


def test_a_returning_visitor_is_welcomed_back_and_asked_only_what_is_missing(
        conv, session_factory):
    # The browser's token as the web app issues it (POST /widget/visitor).
    metadata = {"visitor_id": identity.issue(conv.visitor_key),
                "page_url": "https://example.com/pricing"}

    def visit(sender: str, text: str, requested: str | None, slots: dict, n: int,
              first: bool) -> tuple[dict, list[str]]:
        t = tracker(text, requested=requested, slots=slots, sender=sender,
                    message_id=f"{sender}-{n}", bot_spoke=not first)
        t.latest_message["metadata"] = metadata
        return run_form(t)

    # a year out: a nurture lead, whose profile is completed over visits
    answers = {"need": "a shared inbox for our support team", "budget": "about 20k a year",
               "authority": "I decide", "timeline": "in about a year", "name": "Dana Lee",
               "email": "dana@acme-logistics.com", "company": "Acme Logistics",
               "company_size": "about 200", "job_title": "Head of Support",
               "industry": "logistics", "country": "Germany", "phone": "skip",
               "current_tool": "a shared gmail", "seats": "about 12",
               "follow_up_consent": "yes please"}
    slots, _ = visit("first", answers["need"], None, {}, 0, True)
    for n in range(1, 12):
        nxt = slots.get("requested_slot")
        if nxt is None:
            break
        state = {k: v for k, v in slots.items() if k != "requested_slot"}
        new, _ = visit("first", answers[nxt], nxt, state, n, False)
        slots = {**state, **new}
    first_asked = slots["asked_slots"]
    slots, said = visit("second", "hi again", None, {}, 0, True)
    assert said[0] == "utter_welcome_back"
    asked = []
    for n in range(1, 6):
        nxt = slots.get("requested_slot")
        if nxt is None:
            break
        asked.append(nxt)
        state = {k: v for k, v in slots.items() if k != "requested_slot"}
        new, _ = visit("second", answers[nxt], nxt, state, n, False)
        slots = {**state, **new}
    assert not set(asked) & set(first_asked), (first_asked, asked)
    assert 1 <= len(asked) <= conv.plan.max_profile_per_visit
    lead = record(session_factory, "second")
    assert set(lead["conversation_ids"]) == {"first", "second"}


def test_a_qualified_lead_with_an_email_is_asked_nothing_more(conv, session_factory):
    # a rep calls or writes: no profile questions, no phone number once there is an e-mail
    slots = answer_in_turn([*QUALIFYING, ("name", "Dana Lee"),
                            ("email", "dana@acme-logistics.de")])
    assert record(session_factory)["status"] == "qualified"
    new, _ = run_form(tracker("dana@acme-logistics.de", requested="email", message_id="again",
                              slots=slots))
    assert new["requested_slot"] is None and new["outcome"] == "completed"


def test_a_qualified_lead_without_an_email_is_asked_for_a_phone_number(conv, session_factory):
    # the opening says the need and the timeline: room is left in the seven questions
    opening = "we need a shared inbox for our support team, live within 3 months"
    slots = answer_in_turn([(None, opening), ("budget", "around 20k a year"),
                            ("authority", "I sign off on it"), ("name", "Dana Lee"),
                            ("email", "skip")])
    new, _ = run_form(tracker("Acme Logistics", requested="company", message_id="c1",
                              slots=slots))
    assert new["requested_slot"] == "phone"


def test_a_returning_visitor_quoting_their_email_keeps_their_first_need(conv, session_factory):
    run_form(tracker("we need a shared inbox with ticket tracking for our service advisors",
                     requested="need", sender="day1"))
    run_form(tracker("curtis@lakeshore-auto.com", requested="email", sender="day1",
                     message_id="m2", slots={"need": "x", "budget": "x", "authority": "x",
                                             "timeline": "x", "name": "Curtis"}))
    run_form(tracker("hello again, Curtis from Lakeshore Auto (curtis@lakeshore-auto.com). "
                     "my laptop died mid-chat, can we carry on?", sender="day2",
                     bot_spoke=False))
    lead = record(session_factory, "day2")
    assert set(lead["conversation_ids"]) == {"day1", "day2"}
    assert lead["need"].startswith("we need a shared inbox")


QUALIFYING = [("need", "we need a shared inbox for our support team"),
              ("budget", "around 20k a year"), ("authority", "I sign off on it"),
              ("timeline", "within 3 months")]


def answer_in_turn(steps: list[tuple[str | None, str]]) -> dict[str, Any]:
    """Answer each (slot, text) as the question asked; the slots the form ends up with."""
    slots: dict[str, Any] = {}
    for n, (slot, text) in enumerate(steps):
        new, _ = run_form(tracker(text, requested=slot, message_id=f"q{n}", slots=slots))
        slots = {**slots, **{k: v for k, v in new.items() if k != "requested_slot"}}
    return slots


def test_a_qualified_lead_is_routed_to_an_owner_and_told_who_follows_up(conv,
                                                                        session_factory):
    slots = answer_in_turn([*QUALIFYING, ("email", "dana@acme-logistics.de"),
                            ("country", "Germany")])
    lead = record(session_factory)
    assert lead["status"] == "qualified" and lead["handoff"]["owner"]
    dispatcher = CollectingDispatcher()
    t = tracker("thanks", requested=None, slots={**slots, "outcome": "completed"})
    asyncio.run(conclude.ActionConclude().run(dispatcher, t, DOMAIN))
    said = [m["response"] for m in dispatcher.messages]
    assert said[0] == "utter_next_qualified" and said[1].startswith("utter_follow_up_")
    assert said[2:] == ["utter_follow_up_booking"]  # every repo owner has a booking link
    who = dispatcher.messages[1]
    owner = POLICIES.routing.owner(lead["handoff"]["owner"])
    assert who["owner_first_name"] == owner.first_name
    assert dispatcher.messages[2]["booking_url"].startswith("https://")


def test_a_qualified_lead_reaches_sales_only_once_it_can_be_reached(conv, session_factory):
    answer_in_turn([*QUALIFYING, ("name", "Dana Lee")])
    lead = record(session_factory)
    assert lead["status"] == "qualified" and lead["handoff"] is None  # no e-mail, no phone
    answer_in_turn([*QUALIFYING, ("name", "Dana Lee"), ("email", "dana@acme-logistics.de")])
    lead = record(session_factory)
    assert lead["handoff"]["status"] == "requested"


def test_a_lead_that_stays_qualified_keeps_its_handoff(conv, session_factory):
    answer_in_turn([*QUALIFYING, ("phone", "+49 30 901820"), ("name", "Dana Lee")])
    lead = record(session_factory)
    assert lead["status"] == "qualified" and lead["handoff"]["status"] == "requested"


# ------------------------------------------------------------------ a busy lead store


@contextmanager
def store_locked(factory, table: str = "answers") -> Iterator[None]:
    """Another connection holds the lead store's write lock (SQLite) or `table`
    (PostgreSQL) until the block ends.
    """
    engine = factory.kw["bind"]
    if engine.url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(engine.url.database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    other = create_engine(engine.url)
    with other.connect() as connection:
        connection.execute(sql(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.rollback()
    other.dispose()


BUDGET_TURN = {"need": "a helpdesk", "asked_slots": ["need", "budget"]}


def test_a_locked_store_still_gets_a_reply_and_the_answer_is_stored_afterwards(
        conv, session_factory, spool):
    run_form(tracker("we need a helpdesk", message_id="m0", bot_spoke=False))
    with store_locked(session_factory):
        started = time.monotonic()
        slots, said = run_form(tracker("around 20k a year", requested="budget",
                                       slots=BUDGET_TURN, message_id="m1"))
        waited = time.monotonic() - started
        assert [e.turn.message_id for e in spool.pending()] == ["m1"]
    assert said == ["utter_noted_offline"]
    assert slots["budget"] and slots["requested_slot"] == "authority"
    assert waited < 1.5 + 2.5, waited  # the retry budget plus one lock wait at most
    assert "budget" not in [a["field"] for a in record(session_factory)["answers"]]
    report = replay(spool, conv.take_turn)
    assert (report.applied, report.waiting) == (1, 0) and not spool.has_pending()
    lead = record(session_factory)
    assert lead["budget_amount"] == 20000
    replay(spool, conv.take_turn)  # nothing left: replaying again changes nothing
    assert [a["field"] for a in record(session_factory)["answers"]].count("budget") == 1


def test_a_turn_after_a_spooled_one_waits_for_it_then_both_are_stored_in_order(
        conv, session_factory, spool):
    run_form(tracker("we need a helpdesk", message_id="m0", bot_spoke=False))
    with store_locked(session_factory):
        first, _ = run_form(tracker("around 20k a year", requested="budget",
                                    slots=BUDGET_TURN, message_id="m1"))
    # The store is free again, but the budget still waits: it goes first, then authority.
    state = {**BUDGET_TURN, **{k: v for k, v in first.items() if k != "requested_slot"}}
    slots, said = run_form(tracker("I sign off on it", requested="authority", slots=state,
                                   message_id="m2"))
    assert not spool.has_pending()
    assert slots["requested_slot"] == "timeline" and "utter_noted_offline" not in said
    lead = record(session_factory)
    assert (lead["budget_amount"], lead["authority"]) == (20000, "decision_maker")


def test_an_unexpected_failure_is_answered_logged_without_the_text_and_kept(
        conv, spool, monkeypatch, caplog):
    def broken(turn):
        raise ValueError(f"cannot handle {turn.text}")

    monkeypatch.setattr(conv, "take_turn", broken)
    secret = "reach me at dana.secret@acme.com"
    with caplog.at_level(logging.INFO):
        slots, said = run_form(tracker(secret, requested="email", slots=BUDGET_TURN))
    assert said == ["utter_try_again"] and slots["requested_slot"] == "email"
    assert "dana.secret" not in caplog.text and "ValueError" in caplog.text
    assert [e.turn.text for e in spool.pending()] == [secret]


def test_a_failure_outside_the_turn_still_gets_a_reply(conv, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("tracker could not be read")

    monkeypatch.setattr(qualify_form, "turn_from_tracker", broken)
    slots, said = run_form(tracker("around 20k", requested="budget", slots=BUDGET_TURN))
    assert said == ["utter_try_again"] and slots["requested_slot"] == "budget"


def test_garbage_is_not_a_fact_and_the_question_is_rephrased_once(conv, session_factory):
    slots, _ = run_form(tracker("{{10000*10000}}", requested="budget", slots=BUDGET_TURN))
    assert slots["rephrase_slot"] == "budget" and slots["requested_slot"] == "budget"
    assert "budget" not in slots
    retried = {**BUDGET_TURN, "retried_slots": ["budget"], "rephrase_slot": "budget"}
    slots, said = run_form(tracker("100000000 a year", requested="budget", slots=retried,
                                   message_id="m2"))
    assert "utter_unclear_kept" in said and slots["requested_slot"] == "authority"
    lead = record(session_factory)
    assert lead["budget_amount"] is None
    assert [a["raw_text"] for a in lead["answers"] if a["field"] == "budget"] == [
        "100000000 a year"]


def test_a_lone_surrogate_in_the_text_is_stored_not_a_failure(conv, session_factory, spool):
    _slots, said = run_form(tracker("our support e-mails get lost \ud800", requested="need"))
    assert "utter_try_again" not in said and not spool.has_pending()
    need = [a for a in record(session_factory)["answers"] if a["field"] == "need"]
    assert need and "\ufffd" in need[0]["raw_text"]


# ------------------------------------------------------------------ every other action answers


def run_action(action, t: Tracker) -> tuple[list[dict[str, Any]], list[str]]:
    """Run a custom action; its events and the responses it sends."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return events, [m.get("response") for m in dispatcher.messages]


def handoff_status(factory, sender: str = "s1") -> str | None:
    handoff = record(factory, sender).get("handoff") or {}
    return handoff.get("status")


PERSON_TURN = {"need": "helpdesk", "asked_slots": ["need", "budget"]}


def test_a_request_for_a_person_on_a_locked_store_is_answered_and_recorded_later(
        conv, session_factory, spool):
    run_form(tracker("we need a helpdesk", message_id="m0", bot_spoke=False))
    with store_locked(session_factory):
        started = time.monotonic()
        _, said = run_form(tracker("can I talk to a human", requested="budget",
                                   slots=PERSON_TURN, message_id="m1"))
        waited = time.monotonic() - started
        assert [e.action for e in spool.pending()] == [TURN]
    assert said == ["utter_human_requested", "utter_human_needs_contact"]
    assert waited < 1.5 + 2.5, waited  # the retry budget plus one lock wait at most
    assert handoff_status(session_factory) is None
    report = replay(spool, runtime.appliers())
    assert (report.applied, report.waiting, report.dead) == (1, 0, 0)
    assert handoff_status(session_factory) in ("requested", "pending")


def test_a_store_locked_briefly_is_retried_and_nothing_is_spooled(conv, session_factory,
                                                                  spool):
    run_form(tracker("we need a helpdesk", message_id="m0", bot_spoke=False))
    url = session_factory.kw["bind"].url
    if url.get_backend_name() != "sqlite":
        pytest.skip("the brief SQLite lock is what this test is about")
    # The lock is taken and released by the timer's thread, as another writer would.
    holder = sqlite3.connect(url.database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    # Released while the action retries (its budget is 1.5 s): no spool, a stored request.
    releaser = threading.Timer(0.6, lambda: (holder.execute("ROLLBACK"), holder.close()))
    releaser.start()
    _, said = run_form(tracker("a person please", requested="budget", slots=PERSON_TURN,
                               message_id="m1"))
    releaser.join()
    assert said[0] == "utter_human_requested" and not spool.has_pending()
    assert handoff_status(session_factory) in ("requested", "pending")


def test_a_failing_request_for_a_person_is_answered_logged_without_the_text_and_kept(
        conv, session_factory, spool, monkeypatch, caplog):
    run_form(tracker("we need a helpdesk", message_id="m0", bot_spoke=False))

    def broken(session, lead, conversation_id, at):
        raise ValueError(f"cannot handle {conversation_id} dana.secret@acme.com")

    monkeypatch.setattr(conv, "_person_requested", broken)
    with caplog.at_level(logging.INFO):
        _, said = run_form(tracker("get me a human, dana.secret@acme.com", requested="budget",
                                   slots=PERSON_TURN, message_id="m1"))
    assert said == ["utter_try_again"]
    assert "dana.secret" not in caplog.text and "ValueError" in caplog.text
    assert [e.action for e in spool.pending()] == [TURN]
    monkeypatch.undo()  # the bug is fixed: the kept request is applied
    report = replay(spool, store_appliers(conv, session_factory))
    assert report.applied == 1 and handoff_status(session_factory) in ("requested", "pending")


def test_conclude_on_a_locked_store_says_goodbye_and_ends_the_conversation_later(
        conv, session_factory, spool):
    run_form(tracker("we need a helpdesk", message_id="m0", bot_spoke=False))
    with store_locked(session_factory, "conversations"):
        _, said = run_action(conclude.ActionConclude(),
                             tracker("stop", intent="stop", slots={"outcome": "stopped"}))
        assert [e.action for e in spool.pending()] == [CONCLUDE]
    assert said == ["utter_stopped"]
    replay(spool, runtime.appliers())
    with store.session_scope(session_factory) as session:
        assert session.get(store.Conversation, "s1").ended_reason == "stopped"


def test_a_failing_conclude_still_says_what_happens_next(conv, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("settings unreadable")

    monkeypatch.setattr(conclude, "turn_from_tracker", broken)
    _, said = run_action(conclude.ActionConclude(), tracker("thanks", intent="thanks"))
    assert said == ["utter_next_in_progress"]


def test_a_failing_understanding_layer_is_still_a_reply(conv, monkeypatch, spool):
    def broken(*_args, **_kwargs):
        raise RuntimeError("heads unreadable")

    monkeypatch.setattr(conv, "_meaning_of", broken)
    _, said = run_form(tracker("how much is it?", requested="budget", slots={"need": "x"}))
    assert said == ["utter_try_again"]
    assert [e.action for e in spool.pending()] == [TURN]  # kept, replayed once it loads


def test_a_takeover_on_a_locked_store_still_pauses_and_is_recorded_later(
        conv, session_factory, spool):
    run_form(tracker("we need a helpdesk", message_id="m0", bot_spoke=False))
    with store_locked(session_factory, "activities"):
        events, said = run_action(takeover.ActionHumanTakeover(),
                                  tracker("EXTERNAL: EXTERNAL_human_takeover",
                                          intent="EXTERNAL_human_takeover"))
        assert [e.action for e in spool.pending()] == [HUMAN_TAKEOVER]
    assert said == ["utter_human_took_over"] and events[-1]["event"] == "pause"
    replay(spool, runtime.appliers())
    with store.session_scope(session_factory) as session:
        lead = store.lead_for_conversation(session, "s1")
        assert [a.kind for a in store.list_activities(session, lead)].count(
            "human_takeover") == 1


def test_a_form_turn_after_a_spooled_request_for_a_person_applies_it_first(
        conv, session_factory, spool):
    run_form(tracker("we need a helpdesk", message_id="m0", bot_spoke=False))
    with store_locked(session_factory):
        run_form(tracker("a person please", requested="budget", slots=PERSON_TURN,
                         message_id="m1"))
    _slots, said = run_form(tracker("around 20k a year", requested="budget",
                                   slots=BUDGET_TURN, message_id="m2"))
    assert not spool.has_pending() and "utter_noted_offline" not in said
    assert handoff_status(session_factory) in ("requested", "pending")
    assert record(session_factory)["budget_amount"] == 20000
