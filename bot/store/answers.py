"""Recording what visitors say: conversations, idempotent answers, corrections, merges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, aliased

from bot.store.column_types import as_utc, utcnow
from bot.store.folding import fold_answers, normalise_value
from bot.store.insert import insert_ignoring_conflict
from bot.store.models import Answer, Conversation, Handoff, Lead
from bot.store.vocabulary import ANSWER_SOURCES, OPEN_HANDOFF_STATUSES


@dataclass(frozen=True)
class AnswerInput:
    """One fact from one user message, already parsed into its normalised value."""

    conversation_id: str
    field: str
    raw_text: str
    value: Any
    message_id: str | None
    at: datetime
    source: str = "answer"

    def __post_init__(self) -> None:
        if self.source not in ANSWER_SOURCES:
            raise ValueError(f"source must be one of {sorted(ANSWER_SOURCES)}, got {self.source!r}")
        if self.at.tzinfo is None:
            # Rasa timestamps are epoch seconds: datetime.fromtimestamp(ts, timezone.utc).
            raise ValueError("AnswerInput.at must be timezone-aware")
        if not self.field:
            raise ValueError("AnswerInput.field must not be empty")


def ensure_conversation(
    session: Session,
    sender_id: str,
    page_context: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Lead:
    """The lead of conversation `sender_id`, creating both when new; notes the visit time."""
    at = as_utc(at) if at is not None else utcnow()
    conversation = session.get(Conversation, sender_id)
    if conversation is None:
        conversation = _create_conversation(session, sender_id, page_context, at)
    else:
        if at > conversation.last_seen_at:
            conversation.last_seen_at = at
        # The page the conversation started on is what matters; later pages don't replace it.
        if page_context and not conversation.page_context:
            conversation.page_context = dict(page_context)
    return conversation.lead


def _create_conversation(
    session: Session, sender_id: str, page_context: dict[str, Any] | None, at: datetime
) -> Conversation:
    lead = Lead(created_at=at, updated_at=at)
    session.add(lead)
    session.flush()
    created = insert_ignoring_conflict(
        session,
        Conversation,
        {
            "sender_id": sender_id,
            "lead_id": lead.id,
            "started_at": at,
            "last_seen_at": at,
            "page_context": dict(page_context) if page_context else None,
        },
        conflict_columns=("sender_id",),
    )
    if not created:
        # A concurrent turn created this conversation first: use its lead, drop ours.
        session.delete(lead)
        session.flush()
    conversation = session.get(Conversation, sender_id)
    if conversation is None:  # pragma: no cover - only if the winner rolled back in between
        raise RuntimeError(f"conversation {sender_id!r} vanished while being created")
    return conversation


def record_answers(session: Session, answers: Sequence[AnswerInput]) -> Lead:
    """Store the answers of one conversation (idempotently) and return its up-to-date lead.

    Answers already stored under the same (conversation, field, message id) are skipped;
    if every answer was a duplicate nothing changes. Recording an e-mail that another lead
    already has merges this conversation into that (older) lead, which is returned.
    """
    if not answers:
        raise ValueError("record_answers needs at least one answer")
    sender_ids = {answer.conversation_id for answer in answers}
    if len(sender_ids) != 1:
        raise ValueError(f"answers must belong to one conversation, got {sorted(sender_ids)}")
    # Validate everything before writing anything.
    values = [normalise_value(answer.field, answer.value) for answer in answers]

    lead = ensure_conversation(session, sender_ids.pop(), at=max(a.at for a in answers))
    inserted = 0
    for answer, value in zip(answers, values, strict=True):
        inserted += insert_ignoring_conflict(
            session,
            Answer,
            {
                "lead_id": lead.id,
                "conversation_id": answer.conversation_id,
                "field": answer.field,
                "raw_text": answer.raw_text,
                "value": value,
                "source": answer.source,
                "message_id": answer.message_id,
                "at": as_utc(answer.at),
            },
            conflict_columns=("conversation_id", "field", "message_id"),
        )
    if not inserted:
        return lead
    refold(session, lead)
    lead.updated_at = utcnow()
    if lead.email:
        lead = merge_leads_with_email(session, lead)
    return lead


def refold(session: Session, lead: Lead) -> None:
    """Recompute the lead's columns from all of its answers."""
    session.flush()
    session.expire(lead, ["answers"])
    answers = session.scalars(
        select(Answer).where(Answer.lead_id == lead.id).order_by(Answer.at, Answer.id)
    ).all()
    fold_answers(lead, answers)


def merge_leads_with_email(session: Session, lead: Lead) -> Lead:
    """Merge `lead` into the oldest other lead with the same e-mail; return the survivor.

    The survivor keeps its id, status and score (callers recompute those after a turn);
    it gets every conversation, answer and handoff, and its columns are re-folded.
    """
    others = session.scalars(
        select(Lead)
        .where(Lead.email == lead.email, Lead.id != lead.id)
        .order_by(Lead.created_at, Lead.id)
    ).all()
    if not others:
        return lead
    survivor, absorbed = others[0], [lead, *others[1:]]
    created_at = min(survivor.created_at, *(other.created_at for other in absorbed))
    session.flush()
    for other in absorbed:
        _move_children(session, source=other, target=survivor)
    # The bulk updates bypassed the identity map: reload everything from the database.
    session.expire_all()
    for other in absorbed:
        session.delete(other)
    session.flush()
    survivor.created_at = created_at
    refold(session, survivor)
    survivor.updated_at = utcnow()
    return survivor


def _move_children(session: Session, *, source: Lead, target: Lead) -> None:
    # Both leads may have asked for a person for the same reason; keep one open request.
    targets_open = aliased(Handoff)
    target_open_reasons = select(targets_open.reason).where(
        targets_open.lead_id == target.id, targets_open.status.in_(OPEN_HANDOFF_STATUSES)
    )
    # The caller expires the whole session afterwards, so no in-memory synchronisation.
    plain = {"synchronize_session": False}
    session.execute(
        delete(Handoff)
        .where(
            Handoff.lead_id == source.id,
            Handoff.status.in_(OPEN_HANDOFF_STATUSES),
            Handoff.reason.in_(target_open_reasons),
        )
        .execution_options(**plain)
    )
    moves = (
        update(Conversation).where(Conversation.lead_id == source.id),
        update(Answer).where(Answer.lead_id == source.id),
        update(Handoff).where(Handoff.lead_id == source.id),
    )
    for move in moves:
        session.execute(move.values(lead_id=target.id).execution_options(**plain))
