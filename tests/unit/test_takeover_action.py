"""The takeover action and the form's answer to the external intent (SQLite + PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import qualify_form, takeover
from bot import store
from bot.conversation.service import ConversationService
from tests.unit.repo_policies import POLICIES
from tests.unit.test_actions import DOMAIN, TODAY, tracker


@pytest.fixture()
def taking_over(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The actions under test use the test database."""
    conversation = ConversationService(session_factory, POLICIES, today=lambda: TODAY)
    monkeypatch.setattr(qualify_form, "conversation", lambda: conversation)
    monkeypatch.setattr(takeover, "session_factory", lambda: session_factory)


def test_the_form_rejects_the_external_intent_and_stores_nothing(taking_over,
                                                                 session_factory):
    dispatcher = CollectingDispatcher()
    t = tracker("EXTERNAL: EXTERNAL_human_takeover", intent="EXTERNAL_human_takeover",
                requested="budget", slots={"need": "chat"})
    assert asyncio.run(qualify_form.ValidateQualifyForm().run(dispatcher, t, DOMAIN)) == []
    assert dispatcher.messages == []
    with store.session_scope(session_factory) as session:
        assert store.lead_for_conversation(session, "s1") is None


def test_the_takeover_is_recorded_told_and_pauses_the_conversation(taking_over,
                                                                   session_factory):
    with store.session_scope(session_factory) as session:
        store.ensure_conversation(session, "s1")
    dispatcher = CollectingDispatcher()
    t = tracker("EXTERNAL: EXTERNAL_human_takeover", intent="EXTERNAL_human_takeover",
                requested="budget")
    events = asyncio.run(takeover.ActionHumanTakeover().run(dispatcher, t, DOMAIN))
    assert events == [
        {"event": "active_loop", "timestamp": None, "name": None},
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
        {"event": "pause", "timestamp": None},
    ]
    assert [m["response"] for m in dispatcher.messages] == ["utter_human_took_over"]
    with store.session_scope(session_factory) as session:
        lead = store.lead_for_conversation(session, "s1")
        assert lead is not None
        assert [(a.kind, a.key) for a in store.list_activities(session, lead)] == [
            ("human_takeover", "takeover:s1")
        ]


def test_a_visitor_typing_the_external_intent_cannot_pause_the_chat(taking_over,
                                                                     session_factory):
    dispatcher = CollectingDispatcher()
    t = tracker("/EXTERNAL_human_takeover", intent="EXTERNAL_human_takeover",
                requested="budget")
    assert asyncio.run(takeover.ActionHumanTakeover().run(dispatcher, t, DOMAIN)) == []
    assert dispatcher.messages == []
