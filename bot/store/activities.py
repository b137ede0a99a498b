"""What a lead did (activities), where the chat happened (page context) and consent."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import as_utc, utcnow
from bot.store.answers import ensure_conversation
from bot.store.insert import insert_returning_key
from bot.store.models import Activity, Conversation, Lead
from bot.store.page_context import clean_page_context
from bot.vocabulary import ACTIVITY_SOURCES

MAX_KIND = 100
MAX_KEY = 500


def record_activity(
    session: Session,
    lead: Lead,
    kind: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
    *,
    conversation_id: str | None = None,
    source: str = "chat",
    key: str | None = None,
) -> Activity | None:
    """Store one activity of `lead`; None if one with the same `key` was already stored.

    `key` is the idempotency key (unique per lead); without one every call stores a new
    activity. Raises ValueError for a bad kind, source, detail or a naive `at`.
    """
    if not isinstance(kind, str) or not kind.strip() or len(kind) > MAX_KIND:
        raise ValueError(f"activity kind must be a non-empty string, got {kind!r}")
    if source not in ACTIVITY_SOURCES:
        raise ValueError(f"source must be one of {sorted(ACTIVITY_SOURCES)}, got {source!r}")
    if at.tzinfo is None:
        raise ValueError("activity time must be timezone-aware")
    if key is not None and (not isinstance(key, str) or not key or len(key) > MAX_KEY):
        raise ValueError(f"activity key must be a non-empty string of <= {MAX_KEY} characters")
    detail = _plain_detail(detail)
    session.flush()  # the lead (and conversation) must exist for the foreign keys
    activity_id = insert_returning_key(
        session,
        Activity,
        {
            "lead_id": lead.id,
            "conversation_id": conversation_id,
            "kind": kind.strip(),
            "detail": detail,
            "at": as_utc(at),
            "source": source,
            "key": key,
        },
        conflict_columns=("lead_id", "key"),
    )
    if activity_id is None:
        return None
    session.expire(lead, ["activities"])
    lead.updated_at = utcnow()
    return session.get(Activity, activity_id)


def _plain_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    if detail is None:
        return {}
    if not isinstance(detail, dict):
        raise ValueError(f"activity detail must be a dict, got {detail!r}")
    try:
        # A round trip: exactly what the database will give back, and nothing unserialisable.
        plain = json.loads(json.dumps(detail, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"activity detail is not plain JSON: {exc}") from exc
    return dict(plain)


def list_activities(session: Session, lead: Lead) -> list[Activity]:
    """The lead's activities, oldest first."""
    session.flush()
    return list(
        session.scalars(
            select(Activity).where(Activity.lead_id == lead.id).order_by(Activity.at, Activity.id)
        ).all()
    )


def record_page_context(
    session: Session,
    sender_id: str,
    page_context: dict[str, Any] | None,
    at: datetime,
    message_id: str | None = None,
    *,
    visitor_id: str | None = None,
) -> None:
    """Store a chat message's page context as activities of the conversation's lead.

    Creates the conversation (and lead) if needed, like `ensure_conversation` (with the
    same VERIFIED `visitor_id`; the context's own one is ignored). Idempotent:
    a `page_view` once per (conversation, page_url); a `visit` once per conversation (its
    `pages_viewed` rises to the largest seen); `utm` and `referrer` once per conversation.
    Unusable values are dropped, never raised. `message_id` is accepted for symmetry with
    the answers; the keys do not depend on it, so a page seen in two messages counts once.
    """
    del message_id  # see the docstring
    context = clean_page_context(page_context)
    lead = ensure_conversation(session, sender_id, page_context, at, visitor_id=visitor_id)
    conversation = session.get(Conversation, sender_id)
    if conversation is None:  # pragma: no cover - ensure_conversation just made it
        raise RuntimeError(f"conversation {sender_id!r} vanished")

    def add(kind: str, detail: dict[str, Any], *extra: str) -> Activity | None:
        return record_activity(
            session,
            lead,
            kind,
            at,
            detail,
            conversation_id=sender_id,
            source="chat",
            key=chat_activity_key(kind, sender_id, *extra),
        )

    if "page_url" in context:
        add("page_view", {"url": context["page_url"]}, context["page_url"])
    pages = context.get("pages_viewed")
    visit = {"visit_number": conversation.visit_number, "pages_viewed": pages}
    if add("visit", visit) is None and pages is not None:
        _raise_pages_viewed(session, lead, sender_id, pages)
    utm = {name: context.get(f"utm_{name}") for name in ("source", "medium", "campaign")}
    if any(value is not None for value in utm.values()):
        add("utm", utm)
    if "referrer" in context:
        add("referrer", {"url": context["referrer"]})


def chat_activity_key(kind: str, sender_id: str, *extra: str) -> str:
    """The idempotency key of a chat activity: bounded in length whatever the inputs."""
    digest = hashlib.sha256(
        "\x00".join((sender_id, *extra)).encode("utf-8", "surrogatepass")
    ).hexdigest()
    return f"chat:{kind}:{digest[:40]}"


def _raise_pages_viewed(session: Session, lead: Lead, sender_id: str, pages: int) -> None:
    visit = session.scalars(
        select(Activity)
        .where(Activity.lead_id == lead.id, Activity.key == chat_activity_key("visit", sender_id))
        .with_for_update()
    ).first()
    if visit is None:  # pragma: no cover - a merge moved it between the insert and here
        return
    seen = (visit.detail or {}).get("pages_viewed")
    if not isinstance(seen, int) or pages > seen:
        visit.detail = {**(visit.detail or {}), "pages_viewed": pages}
        session.flush()


def set_consent(session: Session, lead: Lead, given: bool, wording: str, at: datetime) -> None:
    """Record the lead's answer to the follow-up consent question and what it was asked."""
    if not isinstance(given, bool):
        raise ValueError(f"consent must be True or False, got {given!r}")
    if not isinstance(wording, str) or not wording.strip():
        raise ValueError("consent wording must be the non-empty text the visitor was shown")
    if at.tzinfo is None:
        raise ValueError("consent time must be timezone-aware")
    new = (given, as_utc(at), wording)
    old = (
        lead.consent_follow_up,
        None if lead.consent_at is None else as_utc(lead.consent_at),
        lead.consent_wording,
    )
    if old != new:
        lead.consent_follow_up, lead.consent_at, lead.consent_wording = new
        lead.updated_at = utcnow()
    session.flush()
