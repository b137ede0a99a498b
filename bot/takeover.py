"""Human takeover: a rep takes a conversation over and the assistant falls silent in it.

`take_over` finds the conversation (a lead id / id prefix / e-mail means that lead's latest
conversation) and asks Rasa, through its token-protected HTTP API, to run the external
intent `EXTERNAL_human_takeover`; the action `action_human_takeover` then records the
takeover (`record_takeover`), tells the visitor a person is with them and pauses the
conversation. The same HTTP call works without this module:

    curl -X POST "http://RASA_HOST:RASA_PORT/conversations/<sender>/trigger_intent?\
token=$RASA_TOKEN&output_channel=latest" \
      -H 'Content-Type: application/json' -d '{"name": "EXTERNAL_human_takeover"}'
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import httpx
from sqlalchemy.orm import Session, sessionmaker

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

TAKEOVER_INTENT = "EXTERNAL_human_takeover"
TAKEOVER_ACTIVITY = "human_takeover"
TIMEOUT_SECONDS = 30.0


class TakeoverError(Exception):
    """The takeover could not be done; the message is one line saying why."""


def resolve_sender(session: Session, key: str) -> str:
    """The sender id meant by `key`: a conversation's sender id, or a lead (id, unique id
    prefix, e-mail) whose most recently active conversation is returned."""
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


def trigger_takeover(settings: Settings, sender: str) -> None:
    """Ask Rasa to run the takeover in conversation `sender`; raises TakeoverError."""
    url = f"http://{settings.rasa_host}:{settings.rasa_port}"
    path = f"/conversations/{quote(sender, safe='')}/trigger_intent"
    try:
        response = httpx.post(
            url + path,
            params={"token": settings.rasa_token, "output_channel": "latest"},
            json={"name": TAKEOVER_INTENT},
            timeout=TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        raise TakeoverError(f"cannot reach Rasa at {url}: {exc or type(exc).__name__}") from None
    if response.status_code in (401, 403):
        raise TakeoverError(f"Rasa at {url} refused the token (HTTP {response.status_code}):"
                            " check RASA_TOKEN")
    if response.status_code != 200:
        detail = " ".join(response.text.split())[:200]
        raise TakeoverError(f"Rasa at {url} answered HTTP {response.status_code}: {detail}")


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
