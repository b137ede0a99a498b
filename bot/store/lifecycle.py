"""Status, score, conversation endings and handoff requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.store.decision_log import log_decision
from bot.store.insert import insert_ignoring_conflict
from bot.store.models import OPEN_HANDOFF_SQL, Conversation, Handoff, Lead, new_lead_id
from bot.vocabulary import (
    CONVERSATION_END_REASONS,
    HANDOFF_REASONS,
    LEAD_STATUSES,
    OPEN_HANDOFF_STATUSES,
)


def set_status(
    session: Session,
    lead: Lead,
    status: str,
    reasons: list[str],
    redirect_reason: str | None = None,
) -> None:
    """Set the lead's qualification status and the reasons a rep will read."""
    if status not in LEAD_STATUSES:
        raise ValueError(f"status must be one of {sorted(LEAD_STATUSES)}, got {status!r}")
    if not all(isinstance(reason, str) for reason in reasons):
        raise ValueError("status reasons must be strings")
    new = (status, list(reasons), redirect_reason)
    # Unchanged means untouched: re-running a turn must not move updated_at.
    if (lead.status, lead.status_reasons, lead.redirect_reason) != new:
        if lead.status != status:
            log_decision("status_change", lead_id=lead.id, old_status=lead.status,
                         new_status=status)
        lead.status, lead.status_reasons, lead.redirect_reason = new
        lead.updated_at = utcnow()
    session.flush()


def set_language(session: Session, lead: Lead, language: str | None) -> None:
    """Record the language the visitor writes in (ISO 639-1); None leaves it as it is."""
    if language is None or lead.language == language:
        return
    if not (2 <= len(language) <= 8 and language.isalpha()):
        raise ValueError(f"language must be an ISO 639-1 code, got {language!r}")
    lead.language = language.lower()
    lead.updated_at = utcnow()
    session.flush()


def set_score(session: Session, lead: Lead, score: dict[str, Any] | None) -> None:
    """Store the lead's latest score (`{fit, engagement, total, band, reasons}`) or None."""
    if score is not None and not isinstance(score, dict):
        raise ValueError(f"score must be a dict or None, got {score!r}")
    if lead.score != score:
        lead.score = None if score is None else dict(score)
        lead.updated_at = utcnow()
    session.flush()


def end_conversation(session: Session, sender_id: str, reason: str) -> None:
    """Mark conversation `sender_id` as ended; raises LookupError if it is unknown."""
    if reason not in CONVERSATION_END_REASONS:
        raise ValueError(
            f"reason must be one of {sorted(CONVERSATION_END_REASONS)}, got {reason!r}"
        )
    conversation = session.get(Conversation, sender_id)
    if conversation is None:
        raise LookupError(f"no conversation {sender_id!r}")
    conversation.ended_reason = reason
    session.flush()


def request_handoff(
    session: Session,
    lead: Lead,
    reason: str,
    *,
    target: str | None = None,
    owner: str | None = None,
) -> Handoff:
    """Ask for a person to take over; returns the already open request for `reason` if any."""
    if reason not in HANDOFF_REASONS:
        raise ValueError(f"reason must be one of {sorted(HANDOFF_REASONS)}, got {reason!r}")
    session.flush()
    handoff = _open_handoff(session, lead, reason)
    if handoff is not None:
        return handoff
    now = utcnow()
    # The partial unique index settles concurrent requests; the loser reads the winner's.
    created = insert_ignoring_conflict(
        session,
        Handoff,
        {
            "lead_id": lead.id,
            "status": "requested",
            "reason": reason,
            "target": target,
            "owner": owner,
            "created_at": now,
            "idempotency_key": new_lead_id(),
        },
        conflict_columns=("lead_id", "reason"),
        # The index's own predicate as SQL text: with bound values, PostgreSQL's generic
        # plan for a prepared statement (psycopg prepares after five runs) no longer
        # matches the partial index and the insert fails.
        conflict_where=text(OPEN_HANDOFF_SQL),
    )
    if created:
        lead.updated_at = now
        session.expire(lead, ["handoffs"])
    handoff = _open_handoff(session, lead, reason)
    if handoff is None:  # pragma: no cover - only if the winner rolled back in between
        raise RuntimeError(f"handoff for lead {lead.id} vanished while being created")
    if created:
        log_decision("handoff_requested", lead_id=lead.id, handoff_id=handoff.id,
                     reason=reason, owner=owner)
    return handoff


def cancel_handoff(session: Session, lead: Lead, reason: str) -> bool:
    """Withdraw the open (not yet delivered) handoff for `reason`; True if there was one.

    A lead that stops being sales-ready before sales heard of it (a correction, a
    disqualifying answer) must not reach a rep.
    """
    # Locked (PostgreSQL): a delivery in flight holds the row; once it commits the
    # handoff is no longer open and is left alone instead of being overwritten.
    handoff = _open_handoff(session, lead, reason, lock=True)
    if handoff is None:
        return False
    # Being sent (a lease), sent with the outcome unknown, or delivered to one target:
    # sales may already know, so it stays, and the caller sends an update instead.
    if any(d.lease_token is not None or d.status == "delivered" for d in handoff.deliveries):
        return False
    handoff.status = "cancelled"
    lead.updated_at = utcnow()
    session.flush()
    return True


def _open_handoff(
    session: Session, lead: Lead, reason: str, *, lock: bool = False
) -> Handoff | None:
    query = (
        select(Handoff)
        .where(
            Handoff.lead_id == lead.id,
            Handoff.reason == reason,
            Handoff.status.in_(OPEN_HANDOFF_STATUSES),
        )
        .order_by(Handoff.created_at, Handoff.id)
        .limit(1)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()
