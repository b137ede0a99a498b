"""Reading a `Turn` out of a Rasa tracker, and writing replies back: Rasa <-> bot/."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import response_values
from bot.clock import utcnow
from bot.conversation.turn import BOOKKEEPING_SLOTS, Reply, Turn
from bot.parsing.fields import CONSENT, FIELDS

FORM_NAME = "qualify_form"
# Actions that run between a user message and the form without answering the visitor.
_SILENT_ACTIONS = frozenset(
    {"action_listen", "action_extract_slots", "action_session_start", FORM_NAME,
     f"validate_{FORM_NAME}"}
)
# Every declared field's slot (bot/parsing/fields.py), and the conversation's bookkeeping.
_SLOTS = (*FIELDS, *BOOKKEEPING_SLOTS)


_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def scrub(value: Any) -> Any:
    r"""`value` with lone UTF-16 surrogates replaced (U+FFFD), in strings, lists and dicts.

    JSON lets a client send "\ud800"; no database can store it, and the lead store would
    fail the whole turn on it. The channel cleans text at the edge too; this keeps the
    action side safe whatever reaches it.
    """
    if isinstance(value, str):
        return _LONE_SURROGATE_RE.sub("\ufffd", value)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    return value


def _events_since_last_user(tracker: Tracker) -> tuple[dict[str, Any] | None, list[dict]]:
    events = tracker.events
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[index], events[index + 1 :]
    return None, []


def _utc(timestamp: float | None) -> datetime:
    if timestamp is None:
        return utcnow()
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


def _response_text(domain: dict[str, Any] | None, name: str) -> str:
    variants = ((domain or {}).get("responses") or {}).get(name) or [{}]
    return str(variants[0].get("text") or "")


def turn_from_tracker(tracker: Tracker, domain: dict[str, Any] | None = None) -> Turn:
    """The message being handled, the question it answers and the conversation so far."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    user_event, after = _events_since_last_user(tracker)
    resumed = any(
        e.get("event") == "action" and e.get("name") not in _SILENT_ACTIONS for e in after
    )
    requested = tracker.get_slot("requested_slot") if tracker.active_loop_name == FORM_NAME \
        else None
    slots = {name: tracker.get_slot(name) for name in _SLOTS}
    return Turn(
        conversation_id=tracker.sender_id,
        text=scrub(message.get("text") or ""),
        intent=intent.get("name"),
        intent_confidence=float(intent.get("confidence") or 0.0),
        requested_slot=requested,
        message_id=message.get("message_id"),
        at=_utc(user_event.get("timestamp") if user_event else None),
        metadata=scrub(dict(message.get("metadata") or {})),
        slots=scrub(slots),
        first_turn=not any(e.get("event") == "bot" for e in tracker.events),
        resume=resumed,
        # the exact question the visitor said yes or no to, kept with their consent
        consent_wording=_response_text(domain, f"utter_ask_{CONSENT}"),
    )


def say(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    """Send domain responses, filled with the settings' names/links and the reply's values."""
    shared = response_values()
    for reply in replies:
        dispatcher.utter_message(response=reply.response, **{**shared, **reply.values})
