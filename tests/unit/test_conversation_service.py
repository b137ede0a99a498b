"""`ConversationService.take_turn` driven directly: a `Turn` in, a `TurnResult` out, no
rasa_sdk. Every test runs on SQLite and on PostgreSQL (`session_factory`, tests/conftest.py)
and asserts on what the lead store keeps and on the next question asked.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import identity, store
from bot.conversation.service import ConversationService
from bot.conversation.turn import Turn, TurnResult
from bot.store.decision_log import LOGGER_NAME
from tests.unit.repo_policies import POLICIES
from tests.unit.stored import lead_of

KEY = b"service-test-visitor-key"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
Factory = sessionmaker[Session]
BANT = ["need", "budget", "authority", "timeline"]


@pytest.fixture()
def service(session_factory: Factory) -> ConversationService:
    return ConversationService(session_factory, POLICIES, today=lambda: TODAY,
                               now=lambda: NOW, visitor_key=KEY)


class Visitor:
    """One chat driven as the form drives it: the slots carried from turn to turn and each
    message answering the question the last turn asked.
    """

    def __init__(self, service: ConversationService, sender: str,
                 metadata: dict[str, Any] | None = None, minute: int = 0) -> None:
        self.service, self.sender, self.metadata = service, sender, metadata or {}
        self.start = NOW + timedelta(minutes=minute)
        self.slots: dict[str, Any] = {}
        self.asked: str | None = None
        self.sent = 0

    def says(self, text: str) -> TurnResult:
        turn = Turn(conversation_id=self.sender, text=text, intent=None, intent_confidence=0.0,
                    requested_slot=self.asked, message_id=f"{self.sender}-{self.sent}",
                    at=self.start + timedelta(seconds=self.sent), metadata=dict(self.metadata),
                    slots=dict(self.slots), first_turn=self.sent == 0,
                    consent_wording="Can we e-mail you now and then?")
        self.sent += 1
        result = self.service.take_turn(turn)
        self.slots.update(result.slots)
        self.asked = result.next_slot
        return result


def responses(result: TurnResult) -> list[str]:
    return [reply.response for reply in result.replies]


def handoffs(factory: Factory, lead_id: str) -> list[tuple[str, str]]:
    with store.session_scope(factory) as session:
        rows = session.scalars(select(store.Handoff).where(store.Handoff.lead_id == lead_id)
                               .order_by(store.Handoff.id))
        return [(h.reason, h.status) for h in rows]


# ------------------------------------------------------------------ the main paths


def test_an_opening_with_several_facts_stores_them_all_and_asks_for_the_budget(
        service: ConversationService, session_factory: Factory) -> None:
    visitor = Visitor(service, "opening")
    result = visitor.says("good morning, I run the support desk at Copperline Tools, roughly "
                          "120 employees, and we want one inbox for all customer email "
                          "within 2 months")
    assert responses(result) == ["utter_intro", "utter_noted"]
    assert result.next_slot == "budget" and result.slots["asked_slots"] == ["budget"]
    lead = lead_of(session_factory, "opening")
    assert (lead["company"], lead["company_size"], lead["timeline_months"]) == \
        ("Copperline Tools", 120, 2.0)
    assert lead["need"].startswith("I run the support desk")  # the greeting is not the need
    assert lead["status"] == "in_progress" and lead["score"] is not None
    assert {"company", "company_size", "timeline", "need"} <= \
        {a["field"] for a in lead["answers"]}


def test_each_question_answered_in_turn_is_stored_and_the_next_one_asked(
        service: ConversationService, session_factory: Factory) -> None:
    visitor = Visitor(service, "steps")
    assert visitor.says("hi there").next_slot == "need"
    script = [
        ("our small clinic keeps missing patient messages across phone and email", "budget"),
        ("we could spend maybe 300 a month", "authority"),
        ("I would recommend it but the owner signs off", "timeline"),
        ("ideally before the end of next quarter", "name"),
        ("Tomás Ibarra", "email"),
        # a lead to nurture is asked for consent to follow-up, right after the e-mail
        ("tomas@brightpath-clinic.es", "follow_up_consent"),
        ("yes, that's fine", None),
    ]
    for text, expected in script:
        assert visitor.says(text).next_slot == expected, text
    assert visitor.slots["outcome"] == "completed"
    assert visitor.slots["asked_slots"] == [*BANT, "name", "email", "follow_up_consent"]
    lead = lead_of(session_factory, "steps")
    assert lead["need"] == "our small clinic keeps missing patient messages across phone " \
                           "and email"
    assert (lead["budget_amount"], lead["budget_period"], lead["budget_status"]) == \
        (3600, "month", "estimate")
    assert (lead["authority"], lead["timeline_months"]) == ("influencer", 4.2)
    assert (lead["name"], lead["email"], lead["company"]) == \
        ("Tomás Ibarra", "tomas@brightpath-clinic.es", "Brightpath Clinic")
    assert lead["status"] == "nurture"
    assert lead["consent"]["given"] is True
    assert lead["consent"]["wording"] == "Can we e-mail you now and then?"


def test_a_correction_changes_the_earlier_answer_and_the_question_stays_open(
        service: ConversationService, session_factory: Factory) -> None:
    visitor = Visitor(service, "fix")
    visitor.says("we want a better way to handle customer chats on our website")
    visitor.says("roughly 10k a year")
    assert visitor.asked == "authority"
    result = visitor.says("actually make that 25k a year")
    assert result.next_slot == "authority" and "utter_noted" in responses(result)
    lead = lead_of(session_factory, "fix")
    assert lead["budget_amount"] == 25000
    assert [a["raw_text"] for a in lead["answers"] if a["field"] == "budget"] == \
        ["roughly 10k a year", "actually make that 25k a year"]
    assert visitor.says("I sign the contracts").next_slot == "timeline"
    assert lead_of(session_factory, "fix")["authority"] == "decision_maker"


def test_a_visitor_redirected_later_in_the_conversation_never_reaches_sales(
        service: ConversationService, session_factory: Factory) -> None:
    visitor = Visitor(service, "later")
    visitor.says("we want a better way to handle customer chats on our website")
    visitor.says("roughly 10k a year")
    result = visitor.says("to be honest I'm not buying anything, I saw your careers page and "
                          "want to apply for the support engineer opening")
    assert result.next_slot is None and result.slots["outcome"] == "redirected:job_seeker"
    lead = lead_of(session_factory, "later")
    assert (lead["status"], lead["redirect_reason"]) == ("redirected", "job_seeker")
    assert lead["score"]["total"] == 0 and lead["budget_amount"] == 10000  # kept for the team
    # asking for a person afterwards points to the team that fits, never to sales
    again = visitor.says("who could I speak with about that role?")
    assert responses(again) == ["utter_redirect_person_job_seeker"]
    assert handoffs(session_factory, lead["lead_id"]) == []
    with store.session_scope(session_factory) as session:
        conversation = session.get(store.Conversation, "later")
        assert conversation is not None and conversation.ended_reason == "redirected"


def test_a_request_for_a_person_hands_over_and_asks_how_to_reach_the_visitor(
        service: ConversationService, session_factory: Factory) -> None:
    visitor = Visitor(service, "person")
    visitor.says("we want a better way to handle customer chats on our website")
    result = visitor.says("could a real person give me a call?")
    assert responses(result) == ["utter_human_requested", "utter_human_needs_contact"]
    assert result.next_slot == "email"  # contact details come first now
    lead = lead_of(session_factory, "person")
    assert handoffs(session_factory, lead["lead_id"]) == [("visitor_request", "requested")]
    assert [a["kind"] for a in lead["activities"]].count("human_requested") == 1


def test_a_person_asked_for_first_waits_until_the_visitor_says_what_it_is_about(
        service: ConversationService, session_factory: Factory) -> None:
    visitor = Visitor(service, "first")
    result = visitor.says("could I talk to somebody on your sales team?")
    assert responses(result) == ["utter_intro", "utter_human_what_about"]
    assert result.next_slot == "need" and result.slots["person_pending"] is True
    lead_id = lead_of(session_factory, "first")["lead_id"]
    assert handoffs(session_factory, lead_id) == []
    result = visitor.says("we need to get our shared support mailbox under control, 15 agents")
    assert responses(result) == ["utter_human_requested", "utter_human_needs_contact"]
    assert result.slots["person_pending"] is None and result.next_slot == "email"
    assert handoffs(session_factory, lead_id) == [("visitor_request", "requested")]


def test_a_returning_lead_is_welcomed_back_and_not_asked_again(
        service: ConversationService, session_factory: Factory) -> None:
    token = identity.issue(KEY, now=NOW.timestamp())
    first = Visitor(service, "visit-1", {"visitor_id": token, "page_url": "/pricing"})
    first.says("hello")
    answers = {"need": "we would like to move our support email into a proper helpdesk",
               "budget": "we could spend maybe 300 a month", "authority": "it's my decision",
               "timeline": "sometime next year", "name": "Ines Moreau",
               "email": "ines@lindenhof-bakery.fr", "follow_up_consent": "yes please"}
    while first.asked is not None:
        first.says(answers[first.asked])
    before = lead_of(session_factory, "visit-1")
    assert before["status"] == "nurture"

    second = Visitor(service, "visit-2", {"visitor_id": token}, minute=5)
    result = second.says("hi again")
    assert responses(result) == ["utter_welcome_back"]
    assert result.replies[0].values == {"name_part": ", Ines"}
    assert result.next_slot == "company_size"  # a profile question: the rest is known
    for name in (*BANT, "name", "email"):
        assert second.slots[name] is not None, name  # filled from the store: not asked
    second.says("we are about 30 people")
    after = lead_of(session_factory, "visit-2")
    assert after["lead_id"] == before["lead_id"] and after["company_size"] == 30
    assert set(after["conversation_ids"]) == {"visit-1", "visit-2"}
    assert not set(second.slots["asked_slots"]) & {*BANT, "name", "email"}


# ------------------------------------------------------------------ decisions are logged


def decisions(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER_NAME
            and getattr(r, "decision", None) == name]


def test_each_decision_is_logged_once_with_ids_and_enum_values_only(
        service: ConversationService, session_factory: Factory,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    said: list[str] = []

    def say(visitor: Visitor, text: str) -> None:
        said.append(text)
        visitor.says(text)

    # a status change, and the handoff once the lead can be reached
    buyer = Visitor(service, "buyer")
    say(buyer, "good morning, I run the support desk at Copperline Tools, roughly 120 "
               "employees, and we want one inbox for all customer email within 2 months")
    assert decisions(caplog, "status_change") == []
    say(buyer, "somewhere around 18k annually")
    buyer_id = lead_of(session_factory, "buyer")["lead_id"]
    [change] = decisions(caplog, "status_change")
    assert (change.lead_id, change.old_status, change.new_status) == \
        (buyer_id, "in_progress", "qualified")
    assert decisions(caplog, "handoff_requested") == []  # nobody could reach them yet
    say(buyer, "Rosa Lindqvist")
    say(buyer, "rosa@copperline-tools.com")
    [handoff] = decisions(caplog, "handoff_requested")
    assert (handoff.lead_id, handoff.reason) == (buyer_id, "qualified")
    assert len(decisions(caplog, "status_change")) == 1

    # a merge: another chat gives the same address
    other = Visitor(service, "other", minute=10)
    say(other, "hello, we need a ticketing tool")
    other.asked = "email"
    say(other, "rosa@copperline-tools.com")
    [merge] = decisions(caplog, "merge")
    assert merge.lead_id == buyer_id and merge.absorbed_ids not in (None, "", buyer_id)

    # a request for a person
    caplog.clear()
    asker = Visitor(service, "asker", minute=20)
    say(asker, "we want a better way to handle customer chats on our website")
    say(asker, "could a real person give me a call?")
    [request] = decisions(caplog, "handoff_requested")
    assert (request.lead_id, request.reason) == \
        (lead_of(session_factory, "asker")["lead_id"], "visitor_request")

    # a redirect, with its reason, and the status change it makes
    caplog.clear()
    leaver = Visitor(service, "leaver", minute=30)
    say(leaver, "we want a better way to handle customer chats on our website")
    say(leaver, "to be honest I'm not buying anything, I saw your careers page and want "
                "to apply for the support engineer opening")
    [redirect] = decisions(caplog, "redirect")
    assert (redirect.reason, redirect.conversation_id) == ("job_seeker", "leaver")
    [change] = decisions(caplog, "status_change")
    assert (change.old_status, change.new_status) == ("in_progress", "redirected")

    # privacy: nothing a visitor typed, no address, no name in any decision line
    everything = caplog.text + " ".join(
        f"{r.getMessage()} {vars(r)}" for r in caplog.records if r.name == LOGGER_NAME)
    for secret in (*said, "rosa@copperline-tools.com", "Rosa", "Lindqvist", "Copperline",
                   "careers page", "18k"):
        assert secret not in everything, secret
    assert all(r.getMessage().startswith("decision=") for r in caplog.records
               if r.name == LOGGER_NAME)
