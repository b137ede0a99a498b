"""Recording what visitors say: conversations, idempotent answers, corrections, merges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, aliased

from bot.store.column_types import as_utc, utcnow
from bot.store.folding import fold_answers, normalise_value
from bot.store.insert import insert_ignoring_conflict
from bot.store.models import Activity, Answer, Conversation, Handoff, Lead
from bot.store.page_context import clean_page_context, storable_page_context
from bot.store.queries import lead_for_visitor
from bot.store.vocabulary import ANSWER_SOURCES, OPEN_HANDOFF_STATUSES, REDIRECTED


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
    """The lead of conversation `sender_id`, creating both when new; notes the visit time.

    A new conversation whose page context names a `visitor_id` already seen joins that
    visitor's lead (a returning visitor) instead of starting a new one, unless that lead
    was redirected (not a sales conversation). Its visit number
    is the page context's `visit_number` when that is a positive whole number, else one
    more than the lead's conversations so far.
    """
    at = as_utc(at) if at is not None else utcnow()
    context = clean_page_context(page_context)
    conversation = session.get(Conversation, sender_id)
    if conversation is None:
        conversation = _create_conversation(session, sender_id, page_context, context, at)
    else:
        if at > conversation.last_seen_at:
            conversation.last_seen_at = at
        # The page the conversation started on is what matters; later pages don't replace it.
        if page_context and not conversation.page_context:
            conversation.page_context = storable_page_context(page_context)
        # Noted for later visits; a conversation never changes lead because of it.
        if conversation.visitor_id is None and "visitor_id" in context:
            conversation.visitor_id = context["visitor_id"]
    return conversation.lead


def _create_conversation(
    session: Session,
    sender_id: str,
    page_context: dict[str, Any] | None,
    context: dict[str, Any],
    at: datetime,
) -> Conversation:
    visitor_id = context.get("visitor_id")
    lead = lead_for_visitor(session, visitor_id) if visitor_id else None
    if lead is not None and lead.status == REDIRECTED:
        # A support or job-seeker chat is not a prospect's visit (and a redirected lead
        # is never re-decided): a later chat from the same browser starts afresh.
        lead = None
    new_lead = lead is None
    if lead is None:
        lead = Lead(created_at=at, updated_at=at)
        session.add(lead)
        session.flush()
        visit_number = context.get("visit_number") or 1
    else:
        session.flush()
        earlier = session.scalar(
            select(func.count()).select_from(Conversation).where(Conversation.lead_id == lead.id)
        )
        visit_number = context.get("visit_number") or int(earlier or 0) + 1
    created = insert_ignoring_conflict(
        session,
        Conversation,
        {
            "sender_id": sender_id,
            "lead_id": lead.id,
            "started_at": at,
            "last_seen_at": at,
            "page_context": storable_page_context(page_context),
            "visitor_id": visitor_id,
            "visit_number": visit_number,
        },
        conflict_columns=("sender_id",),
    )
    if not created and new_lead:
        # A concurrent turn created this conversation first: use its lead, drop ours.
        session.delete(lead)
        session.flush()
    elif created and not new_lead:
        session.expire(lead, ["conversations"])
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
    it gets every conversation, answer, handoff and activity, the latest consent, and its
    columns are re-folded and its visits renumbered in time order.
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
    consent = _latest_consent([survivor, *absorbed])
    session.flush()
    for other in absorbed:
        _move_children(session, source=other, target=survivor)
    # The bulk updates bypassed the identity map: reload everything from the database.
    session.expire_all()
    for other in absorbed:
        session.delete(other)
    session.flush()
    survivor.created_at = created_at
    if consent is not None:
        survivor.consent_follow_up, survivor.consent_at, survivor.consent_wording = consent
    renumber_visits(session, survivor)
    refold(session, survivor)
    survivor.updated_at = utcnow()
    return survivor


def _latest_consent(leads: Sequence[Lead]) -> tuple[bool, datetime, str | None] | None:
    """(given, at, wording) of the most recent consent answer among `leads`, if any."""
    answers = [
        (as_utc(lead.consent_at), lead.consent_follow_up, lead.consent_wording)
        for lead in leads
        if lead.consent_follow_up is not None and lead.consent_at is not None
    ]
    if not answers:
        return None
    at, given, wording = max(answers, key=lambda answer: answer[0])
    return bool(given), at, wording


def renumber_visits(session: Session, lead: Lead) -> None:
    """Number the lead's conversations 1, 2, … in time order.

    A conversation whose page context gave its own positive `visit_number` keeps it: the
    website counts visits the chat never saw.
    """
    session.flush()
    conversations = session.scalars(
        select(Conversation)
        .where(Conversation.lead_id == lead.id)
        .order_by(Conversation.started_at, Conversation.sender_id)
    ).all()
    for number, conversation in enumerate(conversations, start=1):
        given = clean_page_context(conversation.page_context).get("visit_number")
        wanted = given or number
        if conversation.visit_number == wanted:
            continue
        conversation.visit_number = wanted
        # The conversation's "visit" activity quotes its number: keep the two in step.
        for activity in session.scalars(
            select(Activity).where(
                Activity.conversation_id == conversation.sender_id, Activity.kind == "visit"
            )
        ):
            activity.detail = {**(activity.detail or {}), "visit_number": wanted}


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
    # An activity both leads recorded under the same key (e.g. one import line naming
    # both) is kept once, on the target.
    target_activities = aliased(Activity)
    target_keys = select(target_activities.key).where(
        target_activities.lead_id == target.id, target_activities.key.is_not(None)
    )
    session.execute(
        delete(Activity)
        .where(Activity.lead_id == source.id, Activity.key.in_(target_keys))
        .execution_options(**plain)
    )
    moves = (
        update(Conversation).where(Conversation.lead_id == source.id),
        update(Answer).where(Answer.lead_id == source.id),
        update(Handoff).where(Handoff.lead_id == source.id),
        update(Activity).where(Activity.lead_id == source.id),
    )
    for move in moves:
        session.execute(move.values(lead_id=target.id).execution_options(**plain))
