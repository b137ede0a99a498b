"""Finding leads."""

from __future__ import annotations

import string
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.store.models import Conversation, Handoff, Lead

MIN_ID_PREFIX = 6
_HEX = frozenset(string.hexdigits.lower())


class AmbiguousLeadKey(LookupError):
    """An id prefix matches more than one lead."""


def lead_for_conversation(session: Session, sender_id: str) -> Lead | None:
    """The lead of conversation `sender_id`, or None if the conversation is unknown."""
    conversation = session.get(Conversation, sender_id)
    return conversation.lead if conversation is not None else None


def latest_visit(session: Session, visitor_id: str) -> Conversation | None:
    """The latest conversation of (verified) website visitor `visitor_id`, if any."""
    if not visitor_id:
        return None
    return session.scalars(
        select(Conversation)
        .where(Conversation.visitor_id == visitor_id)
        .order_by(Conversation.started_at.desc(), Conversation.sender_id.desc())
        .limit(1)
    ).first()


def lead_for_visitor(session: Session, visitor_id: str) -> Lead | None:
    """The lead of the latest conversation with website visitor `visitor_id`, if any."""
    conversation = latest_visit(session, visitor_id)
    return conversation.lead if conversation is not None else None


def find_lead(session: Session, key: str) -> Lead | None:
    """The lead with id `key`, a unique id prefix (at least 6 characters) or e-mail `key`.

    E-mail matching ignores case. Raises AmbiguousLeadKey if a prefix matches several leads.
    """
    key = key.strip().lower()
    if not key:
        return None
    if "@" in key:
        return session.scalars(
            select(Lead).where(Lead.email == key).order_by(Lead.created_at, Lead.id).limit(1)
        ).first()
    lead = session.get(Lead, key)
    if lead is not None or len(key) < MIN_ID_PREFIX or not set(key) <= _HEX:
        return lead
    matches = session.scalars(
        select(Lead).where(Lead.id.startswith(key, autoescape=True)).limit(2)
    ).all()
    if len(matches) > 1:
        raise AmbiguousLeadKey(f"{key!r} matches more than one lead")
    return matches[0] if matches else None


def _newest_first(newest_first: bool) -> tuple[Any, ...]:
    if newest_first:
        return (Lead.created_at.desc(), Lead.id.desc())
    return (Lead.created_at, Lead.id)


def page_of_leads(
    session: Session, status: str | None = None, *, limit: int | None = None, offset: int = 0,
    newest_first: bool = True, history: bool = False,
) -> list[Lead]:
    """One page of leads (or those with `status`), in creation order, for the rep pages and
    the CLI alike. `history` loads each lead's answers, conversations and activities too (a
    record or an export needs them; a list needs only the handoffs, for the owner).
    """
    loads = [selectinload(Lead.handoffs)]
    if history:
        loads += [selectinload(Lead.answers), selectinload(Lead.conversations),
                  selectinload(Lead.activities)]
    statement = select(Lead).options(*loads).order_by(*_newest_first(newest_first))
    if status is not None:
        statement = statement.where(Lead.status == status)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement.offset(offset)).all())


def each_lead(
    session: Session, status: str | None = None, *, newest_first: bool = True,
    page_size: int = 500,
) -> Iterator[Lead]:
    """Every lead (or those with `status`) with its history, a page at a time, so an export
    of any size holds one page in memory. Stable under concurrent inserts only for leads
    created before it started (ordering is by creation time). For a read-only session: each
    page is expunged from it once yielded.
    """
    offset = 0
    while True:
        page = page_of_leads(session, status, limit=page_size, offset=offset,
                             newest_first=newest_first, history=True)
        yield from page
        if len(page) < page_size:
            return
        offset += page_size
        session.expunge_all()  # the page just yielded is done with: keep memory flat


def list_leads(
    session: Session, status: str | None = None, *, newest_first: bool = True
) -> list[Lead]:
    """All leads (or those with `status`), newest first, with their history loaded."""
    return page_of_leads(session, status, newest_first=newest_first, history=True)


def status_counts(session: Session) -> dict[str, int]:
    """How many leads have each status."""
    rows = session.execute(select(Lead.status, func.count()).group_by(Lead.status)).all()
    return {str(status): int(count) for status, count in rows}


def handoffs_per_owner(session: Session) -> dict[str, int]:
    """How many handoffs each owner has been given (the routing round-robin's memory)."""
    rows = session.execute(
        select(Handoff.owner, func.count(Handoff.id))
        .where(Handoff.owner.is_not(None), Handoff.status != "cancelled")
        .group_by(Handoff.owner)
    ).all()
    return {str(owner): int(count) for owner, count in rows}
