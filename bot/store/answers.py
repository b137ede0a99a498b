"""Recording what visitors say: conversations, idempotent answers, corrections, merges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session, aliased

from bot.clock import as_utc, utcnow
from bot.store.decision_log import log_decision
from bot.store.folding import current_answers, fold_answers, normalise_value
from bot.store.insert import insert_ignoring_conflict
from bot.store.models import Activity, Answer, Conversation, Handoff, Lead
from bot.store.page_context import clean_page_context, storable_page_context
from bot.store.queries import latest_visit
from bot.vocabulary import (
    ANSWER_SOURCES,
    CLAIM,
    OPEN_HANDOFF_STATUSES,
    REDIRECTED,
    UNVERIFIED_EMAIL,
    VERIFIED_BROWSER,
)


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
    *,
    visitor_id: str | None = None,
) -> Lead:
    """The lead of conversation `sender_id`, creating both when new; notes the visit time.

    `visitor_id` is a browser id the caller VERIFIED (bot.identity); the page context's
    own `visitor_id` is never trusted and not stored. A new conversation with a verified
    visitor id already seen joins that browser's lead (a returning visitor, identity
    "verified_browser", or "unverified_email" when that browser's last conversation was only
    an e-mail match) instead of starting a new one, unless that lead was redirected (not a
    sales conversation). Its visit number is the page context's `visit_number` when that
    is a positive whole number, else one more than the lead's conversations so far.
    """
    at = as_utc(at) if at is not None else utcnow()
    context = clean_page_context(page_context)
    stored_context = _without_client_identity(page_context, visitor_id)
    conversation = session.get(Conversation, sender_id)
    if conversation is None:
        conversation = _create_conversation(
            session, sender_id, stored_context, context, at, visitor_id
        )
    else:
        if at > conversation.last_seen_at:
            conversation.last_seen_at = at
        # The page the conversation started on is what matters; later pages don't replace it.
        if stored_context and not conversation.page_context:
            conversation.page_context = storable_page_context(stored_context)
        # Noted for later visits; a conversation never changes lead because of it.
        if conversation.visitor_id is None and visitor_id:
            conversation.visitor_id = visitor_id
    return conversation.lead


def _without_client_identity(
    page_context: dict[str, Any] | None, visitor_id: str | None
) -> dict[str, Any] | None:
    """The page context as stored: its `visitor_id` only when it is the verified one."""
    if not isinstance(page_context, dict) or "visitor_id" not in page_context:
        return page_context
    stored = {k: v for k, v in page_context.items() if k != "visitor_id"}
    if visitor_id:
        stored["visitor_id"] = visitor_id
    return stored


def _create_conversation(
    session: Session,
    sender_id: str,
    page_context: dict[str, Any] | None,
    context: dict[str, Any],
    at: datetime,
    visitor_id: str | None,
) -> Conversation:
    earlier_visit = latest_visit(session, visitor_id) if visitor_id else None
    lead = earlier_visit.lead if earlier_visit is not None else None
    if lead is not None and lead.status == REDIRECTED:
        # A support or job-seeker chat is not a prospect's visit (and a redirected lead
        # is never re-decided): a later chat from the same browser starts afresh.
        lead = None
    new_lead = lead is None
    identity: str | None = None
    if earlier_visit is not None and not new_lead:
        # The browser is the one we met, but if that visit was only an e-mail match, the
        # browser never proved to be the lead's person either.
        identity = (UNVERIFIED_EMAIL if earlier_visit.identity == UNVERIFIED_EMAIL
                    else VERIFIED_BROWSER)
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
            "identity": identity,
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

    sender_id = sender_ids.pop()
    lead = ensure_conversation(session, sender_id, at=max(a.at for a in answers))
    conversation = session.get(Conversation, sender_id)
    # A conversation that never proved to be the lead's person does not overwrite it.
    held = (set(current_answers_of(session, lead)) if conversation is not None
            and conversation.identity == UNVERIFIED_EMAIL else set())
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
                "source": CLAIM if answer.field in held else answer.source,
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
    """Recompute the lead's columns from all of its answers (claims never count)."""
    session.flush()
    session.expire(lead, ["answers", "claims"])
    fold_answers(lead, _facts(session, lead.id))


def _facts(session: Session, lead_id: str) -> Sequence[Answer]:
    return session.scalars(
        select(Answer)
        .where(Answer.lead_id == lead_id, Answer.source != CLAIM)
        .order_by(Answer.at, Answer.id)
    ).all()


def current_answers_of(session: Session, lead: Lead) -> dict[str, Answer]:
    """Field -> the stored answer the lead's column takes its value from (no claims)."""
    session.flush()
    return current_answers(_facts(session, lead.id))


def demote_to_claims(
    session: Session, lead: Lead, conversation_id: str, message_id: str | None = None
) -> int:
    """Turn conversation `conversation_id`'s answers (those of `message_id` only, when
    given) into claims and re-fold the lead; returns how many changed.

    For an unverified conversation whose answers would lower the lead's status: the
    caller decides that (the rules live outside the store), the store keeps the words.
    """
    statement = update(Answer).where(
        Answer.lead_id == lead.id,
        Answer.conversation_id == conversation_id,
        Answer.source != CLAIM,
    )
    if message_id is not None:
        statement = statement.where(Answer.message_id == message_id)
    session.flush()
    result = session.execute(
        statement.values(source=CLAIM).execution_options(synchronize_session=False)
    )
    changed = cast(CursorResult[Any], result).rowcount  # an UPDATE returns a cursor result
    if changed:
        refold(session, lead)
        lead.updated_at = utcnow()
    return int(changed or 0)


def merge_leads_with_email(session: Session, lead: Lead) -> Lead:
    """Merge `lead` into the oldest other lead with the same e-mail; return the survivor.

    The survivor keeps its id, status and score (callers recompute those after a turn);
    it gets every conversation, answer, handoff and activity, and its columns are re-folded
    and its visits renumbered in time order. A typed e-mail proves nothing: the absorbed
    leads' conversations are flagged "unverified_email", their answers to fields the
    survivor already knows become claims, and the survivor keeps its own consent (the
    absorbed leads' people never proved to be the survivor's person).
    """
    others = session.scalars(
        select(Lead)
        .where(Lead.email == lead.email, Lead.id != lead.id)
        .order_by(Lead.created_at, Lead.id)
    ).all()
    if not others:
        return lead
    survivor, absorbed = others[0], [lead, *others[1:]]
    absorbed_ids = ",".join(other.id for other in absorbed)  # read before they are deleted
    created_at = min(survivor.created_at, *(other.created_at for other in absorbed))
    held = set(current_answers_of(session, survivor))
    for other in absorbed:
        _unverify(session, other, held)
        _move_children(session, source=other, target=survivor)
    # The bulk updates bypassed the identity map: reload everything from the database.
    session.expire_all()
    for other in absorbed:
        session.delete(other)
    session.flush()
    survivor.created_at = created_at
    renumber_visits(session, survivor)
    refold(session, survivor)
    survivor.updated_at = utcnow()
    log_decision("merge", lead_id=survivor.id, absorbed_ids=absorbed_ids)
    return survivor


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


def _unverify(session: Session, lead: Lead, held: set[str]) -> None:
    """Before `lead` joins another lead by e-mail: its conversations become unverified
    matches and its answers to fields the other lead holds become claims.
    """
    plain = {"synchronize_session": False}
    session.execute(
        update(Conversation)
        .where(Conversation.lead_id == lead.id)
        .values(identity=UNVERIFIED_EMAIL)
        .execution_options(**plain)
    )
    if held:
        session.execute(
            update(Answer)
            .where(Answer.lead_id == lead.id, Answer.field.in_(sorted(held)))
            .values(source=CLAIM)
            .execution_options(**plain)
        )


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
