"""Human takeover: which conversation a rep means, and recording it (SQLite + PostgreSQL)."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.takeover import record_takeover, resolve_sender
from bot.rasa_api import TakeoverError, trigger_takeover
from bot.settings import load_settings
from bot.store import Conversation, Lead, ensure_conversation, list_activities, session_scope

Factory = sessionmaker[Session]
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def _lead_with_two_chats(factory: Factory) -> str:
    with session_scope(factory) as session:
        lead = ensure_conversation(session, "chat-old", at=T0)
        lead.email = "dana.lee@acme-logistics.com"
        later = T0 + timedelta(days=2)
        session.add(Conversation(sender_id="Chat-New", lead_id=lead.id, started_at=later,
                                 last_seen_at=later))
        session.flush()
        return lead.id


def test_a_sender_id_is_taken_as_is(session_factory: Factory) -> None:
    _lead_with_two_chats(session_factory)
    with session_scope(session_factory) as session:
        assert resolve_sender(session, "chat-old") == "chat-old"
        assert resolve_sender(session, " Chat-New ") == "Chat-New"


def test_a_lead_means_its_latest_conversation(session_factory: Factory) -> None:
    lead_id = _lead_with_two_chats(session_factory)
    with session_scope(session_factory) as session:
        assert resolve_sender(session, lead_id) == "Chat-New"
        assert resolve_sender(session, lead_id[:8]) == "Chat-New"
        assert resolve_sender(session, "Dana.Lee@Acme-Logistics.com") == "Chat-New"


def test_unknown_keys_and_leads_without_chats_are_refused(session_factory: Factory) -> None:
    with session_scope(session_factory) as session:
        session.add(Lead(email="no.chat@example.com", created_at=T0, updated_at=T0))
    with session_scope(session_factory) as session:
        with pytest.raises(TakeoverError, match=r"no lead or conversation 'nobody@example\.com'"):
            resolve_sender(session, "nobody@example.com")
        with pytest.raises(TakeoverError, match="has no chat conversation"):
            resolve_sender(session, "no.chat@example.com")
        with pytest.raises(TakeoverError, match="give a lead id"):
            resolve_sender(session, "  ")


def test_the_takeover_is_recorded_once_on_the_lead(session_factory: Factory) -> None:
    lead_id = _lead_with_two_chats(session_factory)
    with session_scope(session_factory) as session:
        first = record_takeover(session, "Chat-New", T0)
        again = record_takeover(session, "Chat-New", T0 + timedelta(minutes=1))
        unknown = record_takeover(session, "never-seen", T0)
    assert first is not None and again is None and unknown is None
    with session_scope(session_factory) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        kinds = [(a.kind, a.conversation_id, a.key) for a in list_activities(session, lead)]
    assert kinds == [("human_takeover", "Chat-New", "takeover:Chat-New")]


def test_rasa_unreachable_is_one_clear_line() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    settings = load_settings(rasa_host="127.0.0.1", rasa_port=port, rasa_token="t")
    with pytest.raises(TakeoverError) as raised:
        trigger_takeover(settings, "chat-1")
    assert str(raised.value).startswith(f"cannot reach Rasa at http://127.0.0.1:{port}:")
    assert "\n" not in str(raised.value)
