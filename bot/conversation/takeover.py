"""Human takeover: a rep takes a conversation over and the assistant falls silent in it.

`take_over` finds the conversation (a lead id / id prefix / e-mail means that lead's latest
conversation) and asks Rasa (`bot.rasa_api.trigger_takeover`) to run the takeover intent;
the action `action_human_takeover` then records it here (`record_takeover`), tells the
visitor a person is with them and pauses the conversation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.rasa_api import TakeoverError, trigger_takeover
from bot.settings import Settings
from bot.store import (
    Activity,
    AmbiguousLeadKey,
    Conversation,
    find_lead,
    lead_for_conversation,
    record_activity,
    session_scope,
)

TAKEOVER_ACTIVITY = "human_takeover"


def resolve_sender(session: Session, key: str) -> str:
    """The sender id meant by `key`: a conversation's sender id, or a lead (id, unique id
    prefix, e-mail) whose most recently active conversation is returned.
    """
    key = key.strip()
    if not key:
        raise TakeoverError("give a lead id, a lead's e-mail or a conversation's sender id")
    if session.get(Conversation, key) is not None:
        return key
    try:
        lead = find_lead(session, key)
    except AmbiguousLeadKey as exc:
        raise TakeoverError(str(exc)) from None
    if lead is None:
        raise TakeoverError(f"no lead or conversation {key!r}")
    if not lead.conversations:
        raise TakeoverError(f"lead {lead.id} has no chat conversation to take over")
    latest = max(lead.conversations, key=lambda c: (c.last_seen_at, c.started_at, c.sender_id))
    return latest.sender_id


def take_over(
    settings: Settings, sender_or_lead: str, sessions: sessionmaker[Session] | None = None
) -> str:
    """Take the conversation over; returns its sender id. Raises TakeoverError."""
    if sessions is None:
        from bot.store import make_engine, make_session_factory

        engine = make_engine(settings.lead_store_url)
        try:
            return take_over(settings, sender_or_lead, make_session_factory(engine))
        finally:
            engine.dispose()
    with session_scope(sessions) as session:
        sender = resolve_sender(session, sender_or_lead)
    trigger_takeover(settings, sender)
    return sender


def record_takeover(session: Session, sender: str, at: datetime) -> Activity | None:
    """Store the takeover on the conversation's lead (once per conversation).

    None when the conversation has no lead yet or the takeover was already recorded.
    """
    lead = lead_for_conversation(session, sender)
    if lead is None:
        return None
    return record_activity(session, lead, TAKEOVER_ACTIVITY, at, {}, conversation_id=sender,
                           key=f"takeover:{sender}")
