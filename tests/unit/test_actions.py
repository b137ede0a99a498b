"""The form's validation action on real trackers and a real lead store (SQLite and Postgres).

Trackers end the way Rasa hands them to `validate_qualify_form`; the domain is read from
domain.yml with plain YAML (no Rasa in the app venv).
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import qualify_form, side_questions
from bot import store
from bot.conversation import Conversation
from bot.policies import policies

DOMAIN = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text())
TODAY = date(2026, 11, 23)


@pytest.fixture()
def conv(session_factory, monkeypatch: pytest.MonkeyPatch) -> Conversation:
    """A Conversation on the test database, used by the actions under test."""
    conversation = Conversation(session_factory, policies(), today=lambda: TODAY)
    monkeypatch.setattr(qualify_form, "conversation", lambda: conversation)
    monkeypatch.setattr(side_questions, "conversation", lambda: conversation)
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


def test_a_side_question_rejects_the_form_so_a_rule_answers_it(conv):
    dispatcher = CollectingDispatcher()
    t = tracker("how much does it cost?", intent="ask_pricing", requested="budget",
                slots={"need": "chat"})
    assert asyncio.run(qualify_form.ValidateQualifyForm().run(dispatcher, t, DOMAIN)) == []
    assert dispatcher.messages == []


def test_after_the_answer_the_form_resumes_without_reading_the_question_again(
        conv, session_factory):
    t = tracker("how much does it cost?", intent="ask_pricing", requested="budget",
                slots={"need": "chat", "asked_slots": ["need", "budget"]},
                after_user=[{"event": "action", "name": "action_answer_question"}])
    slots, said = run_form(t)
    assert slots["requested_slot"] == "budget" and said == []
    with store.session_scope(session_factory) as session:
        lead = store.lead_for_conversation(session, "s1")
        assert lead is not None and lead.answers == []


def test_an_unclear_answer_is_rephrased_once_then_kept_as_given(conv, session_factory):
    base = {"need": "chat", "asked_slots": ["need", "budget"]}
    slots, said = run_form(tracker("purple elephants", requested="budget", slots=base))
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
    ("I can't log in to my account, how do I reset my password?", "support_request",
     "support"),
    ("are you hiring? how do I apply for the support job", "job_seeking", "job_seeker"),
    ("whats a good lasagna recipe for 8 people?", "out_of_scope", "off_topic"),
])
def test_non_leads_at_the_opening_are_redirected(conv, session_factory, text, intent, reason):
    slots, said = run_form(tracker(text, intent=intent, bot_spoke=False))
    assert slots["requested_slot"] is None and slots["outcome"] == f"redirected:{reason}"
    assert said == []  # the redirect itself is said by action_conclude
    lead = record(session_factory)
    assert (lead["status"], lead["redirect_reason"]) == ("redirected", reason)


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
    dispatcher = CollectingDispatcher()
    t = tracker("can I talk to a human", intent="request_human", requested="budget")
    asyncio.run(side_questions.ActionRequestHuman().run(dispatcher, t, DOMAIN))
    assert [m["response"] for m in dispatcher.messages][0] == "utter_human_requested"
    assert record(session_factory)["handoff"]["status"] in ("requested", "pending")


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


def test_a_redirected_visitor_keeps_what_they_said_about_themselves(conv, session_factory):
    text = ("hey, I'm an engineer at Ticketmint (we make a chat/helpdesk product too). what "
            "NLU stack does your bot use? asking for benchmarking, mateus@ticketmint.dev")
    slots, _ = run_form(tracker(text, intent="ask_product", bot_spoke=False))
    lead = record(session_factory)
    assert (lead["status"], lead["redirect_reason"]) == ("redirected", "competitor")
    assert lead["company"] == "Ticketmint" and lead["job_title"] == "engineer"
    assert lead["email"] is None  # never joins a prospect's lead by address
    assert lead["need"] is None and lead["score"]["total"] == 0


BANT_SLOTS = {"need": "x", "budget": "x", "authority": "x", "timeline": "x"}


def test_a_free_mail_address_gets_one_request_for_a_work_email(conv, session_factory):
    slots, said = run_form(tracker("dana.lee@gmail.com", requested="email",
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
    slots3, _ = run_form(tracker("sure: dana@acme-logistics.com", requested="email",
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
    metadata = {"visitor_id": "v-42", "page_url": "https://example.com/pricing"}

    def visit(sender: str, text: str, requested: str | None, slots: dict, n: int,
              first: bool) -> tuple[dict, list[str]]:
        t = tracker(text, requested=requested, slots=slots, sender=sender,
                    message_id=f"{sender}-{n}", bot_spoke=not first)
        t.latest_message["metadata"] = metadata
        return run_form(t)

    answers = {"need": "a shared inbox for our support team", "budget": "about 20k a year",
               "authority": "I decide", "timeline": "within 3 months", "name": "Dana Lee",
               "email": "dana@acme-logistics.com", "company": "Acme Logistics",
               "company_size": "about 200", "job_title": "Head of Support",
               "industry": "logistics", "country": "Germany", "phone": "skip",
               "current_tool": "a shared gmail", "seats": "about 12"}
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


def answer_in_turn(steps: list[tuple[str, str]]) -> dict[str, Any]:
    """Answer each (slot, text) as the question asked; the slots the form ends up with."""
    slots: dict[str, Any] = {}
    for n, (slot, text) in enumerate(steps):
        new, _ = run_form(tracker(text, requested=slot, message_id=f"q{n}", slots=slots))
        slots = {**slots, **{k: v for k, v in new.items() if k != "requested_slot"}}
    return slots


def test_a_qualified_lead_is_routed_to_an_owner_and_told_who_follows_up(conv,
                                                                        session_factory):
    slots = answer_in_turn([*QUALIFYING, ("country", "Germany")])
    lead = record(session_factory)
    assert lead["status"] == "qualified" and lead["handoff"]["owner"]
    dispatcher = CollectingDispatcher()
    t = tracker("thanks", requested=None, slots={**slots, "outcome": "completed"})
    asyncio.run(side_questions.ActionConclude().run(dispatcher, t, DOMAIN))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_next_qualified"
    assert "will reach out" in message["follow_up"]


def test_a_lead_that_stays_qualified_keeps_its_handoff(conv, session_factory):
    answer_in_turn([*QUALIFYING, ("name", "Dana Lee")])
    lead = record(session_factory)
    assert lead["status"] == "qualified" and lead["handoff"]["status"] == "requested"
