"""Personal data on request and by policy: erase a person, export what is held about them,
and apply the retention rules (delete or anonymise leads nobody touched for a while).

A person's data is found by following keys, not by a list of tables kept by hand: every
table of the lead store is searched for rows whose `lead_id`, `conversation_id` or
`sender_id` column, or whose foreign key to `leads`, `conversations` or `handoffs`, names
the person's leads, conversations or handoffs. A table added later is covered as soon as it
has one of those columns. Rasa's tracker (`events.sender_id` in the tracker store) and the
local handoff file (HANDOFF_FILE, one payload per line) are handled here too; copies
already delivered to a CRM, Slack or a mailbox are outside leadbot's reach.

Everything here is plain functions over a session, URLs and paths: no settings, no Rasa.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    Table,
    create_engine,
    delete,
    func,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, selectinload

from bot.clock import as_utc
from bot.store.db import database_url
from bot.store.models import Activity, Answer, Base, Conversation, Handoff, Lead
from bot.store.queries import find_lead
from bot.store.record import iso_utc, lead_record
from bot.vocabulary import OPEN_HANDOFF_STATUSES

# Columns that hold a key of one of the person's rows, by what they hold.
_KEY_COLUMNS = {"lead_id": "leads", "conversation_id": "conversations",
                "sender_id": "conversations"}
# The table (and column) each kind of key is the primary key of.
_KEY_OF = {"leads": "id", "conversations": "sender_id", "handoffs": "id"}
# Lead columns the retention policy may clear; the rest (status, score, BANT values,
# company size, industry, country) says nothing about who the person is.
PERSONAL_FIELDS = ("name", "email", "phone", "job_title", "company", "need",
                   "consent_wording")
TRACKER_TABLE = "events"


# ----------------------------------------------------------------- finding a person
@dataclass
class PersonKeys:
    """The keys of everything held about one person: leads, conversations, handoffs."""

    lead_ids: list[str] = field(default_factory=list)
    sender_ids: list[str] = field(default_factory=list)
    handoff_ids: list[int] = field(default_factory=list)

    def of(self, kind: str) -> Sequence[Any]:
        """The keys of `kind` ("leads", "conversations" or "handoffs")."""
        if kind == "handoffs":
            return self.handoff_ids
        return self.lead_ids if kind == "leads" else self.sender_ids


def leads_of_person(session: Session, key: str) -> list[Lead]:
    """Every lead of an e-mail address (any case), or the one lead of an id / id prefix."""
    key = key.strip()
    if "@" in key:
        return list(session.scalars(
            # lower() on both sides: an address stored before it was normalised counts too.
            select(Lead).where(func.lower(Lead.email) == key.lower())
            .order_by(Lead.created_at, Lead.id)
        ).all())
    lead = find_lead(session, key)
    return [lead] if lead is not None else []


def person_keys(session: Session, lead_ids: Iterable[str]) -> PersonKeys:
    """The conversations (every sender id any row of these leads names) and handoffs."""
    ids = sorted(set(lead_ids))
    if not ids:
        return PersonKeys()
    senders: set[str] = set()
    for column in (Conversation.sender_id, Answer.conversation_id, Activity.conversation_id):
        owner = column.class_.lead_id
        senders.update(s for s in session.scalars(select(column).where(owner.in_(ids))) if s)
    handoffs = session.scalars(select(Handoff.id).where(Handoff.lead_id.in_(ids))).all()
    return PersonKeys(ids, sorted(senders), sorted(int(h) for h in handoffs))


def _conditions(table: Table, keys: PersonKeys) -> list[Any]:
    """Conditions selecting `table`'s rows that belong to the person."""
    found: list[Any] = []
    for column in table.columns:
        kinds = {_KEY_COLUMNS[column.name]} if column.name in _KEY_COLUMNS else set()
        kinds |= {fk.column.table.name for fk in column.foreign_keys
                  if fk.column.table.name in _KEY_OF and fk.column.name == _KEY_OF[
                      fk.column.table.name]}
        if table.name in _KEY_OF and column.name == _KEY_OF[table.name]:
            kinds.add(table.name)
        for kind in kinds:
            values = keys.of(kind)
            if values:
                found.append(column.in_(list(values)))
    return found


def _person_tables() -> list[Table]:
    """The lead store's tables, children before their parents (the order to delete in)."""
    return list(reversed(Base.metadata.sorted_tables))


# ----------------------------------------------------------------- erasing
@dataclass
class Erasure:
    """What an erasure removed: rows per table, tracker events, handoff file lines."""

    keys: PersonKeys
    rows: dict[str, int] = field(default_factory=dict)
    tracker_events: int = 0
    handoff_file_lines: int = 0
    spool_entries: int = 0  # turns and requests waiting in SPOOL_DIR (or set aside there)
    open_handoffs: int = 0
    delivered_to: list[str] = field(default_factory=list)


def erase_rows(session: Session, keys: PersonKeys) -> dict[str, int]:
    """Delete every row of the lead store that belongs to the person; rows per table."""
    counts: dict[str, int] = {}
    for table in _person_tables():
        conditions = _conditions(table, keys)
        if conditions:
            result = session.execute(delete(table).where(or_(*conditions)))
            counts[table.name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.expire_all()
    return {name: count for name, count in counts.items() if count}


def describe_erasure(session: Session, keys: PersonKeys) -> Erasure:
    """What erasing `keys` will touch that someone should know: handoffs not delivered yet
    (they are cancelled by the erasure) and the targets that already received the lead.
    """
    from bot.store.models import HandoffDelivery

    erasure = Erasure(keys)
    if keys.handoff_ids:
        erasure.open_handoffs = len(session.scalars(select(Handoff.id).where(
            Handoff.id.in_(keys.handoff_ids),
            Handoff.status.in_(OPEN_HANDOFF_STATUSES))).all())
        erasure.delivered_to = sorted(set(session.scalars(select(HandoffDelivery.target).where(
            HandoffDelivery.handoff_id.in_(keys.handoff_ids),
            HandoffDelivery.status == "delivered")).all()))
    return erasure


# ----------------------------------------------------------------- Rasa's tracker
@dataclass(frozen=True)
class TrackerStore:
    """Rasa's SQL tracker store: its URL and, on PostgreSQL, POSTGRESQL_SCHEMA."""

    url: str
    schema: str = ""

    def engine(self) -> Engine:
        """A short-lived engine on the tracker store (dispose it after use)."""
        parsed = database_url(self.url)
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql" and self.schema:
            # Exactly how Rasa's SQLTrackerStore selects its schema.
            connect_args["options"] = f"-csearch_path={self.schema}"
        # A plain engine: Rasa owns this file, so none of the lead store's SQLite pragmas.
        return create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)


def _with_tracker(tracker: TrackerStore, work: Any) -> Any:
    engine = tracker.engine()
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table(TRACKER_TABLE):
                return None  # Rasa never saved a conversation here
            return work(connection)
    finally:
        engine.dispose()


def tracker_events(tracker: TrackerStore, sender_ids: Sequence[str]) -> dict[str, list[Any]]:
    """Rasa's stored events of each conversation, in order (sender id -> events)."""
    if not sender_ids:
        return {}

    def read(connection: Any) -> dict[str, list[Any]]:
        rows = connection.execute(
            text(f"SELECT sender_id, data FROM {TRACKER_TABLE} "  # noqa: S608 - a constant
                 "WHERE sender_id IN :ids ORDER BY id").bindparams(
                _expanding("ids", sender_ids))).all()
        found: dict[str, list[Any]] = {sender: [] for sender in sender_ids}
        for sender, data in rows:
            found[sender].append(_json_or_text(data))
        return found

    return _with_tracker(tracker, read) or {sender: [] for sender in sender_ids}


def erase_tracker(tracker: TrackerStore, sender_ids: Sequence[str]) -> int:
    """Delete Rasa's stored events of these conversations; how many were deleted."""
    if not sender_ids:
        return 0

    def remove(connection: Any) -> int:
        result = connection.execute(
            text(f"DELETE FROM {TRACKER_TABLE} WHERE sender_id IN :ids").bindparams(  # noqa: S608
                _expanding("ids", sender_ids)))
        return int(result.rowcount or 0)

    return int(_with_tracker(tracker, remove) or 0)


def _expanding(name: str, values: Sequence[str]) -> Any:
    from sqlalchemy import bindparam

    return bindparam(name, value=list(values), expanding=True)


def _json_or_text(data: Any) -> Any:
    try:
        return json.loads(data)
    except (TypeError, ValueError):
        return data


# ----------------------------------------------------------------- the handoff file
def handoff_file_lines(path: Path | None, lead_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The payloads of these leads appended to the local handoff file (HANDOFF_FILE)."""
    ids = set(lead_ids)
    if path is None or not path.is_file() or not ids:
        return []
    return [payload for payload in _payloads(path) if _lead_of(payload) in ids]


def erase_handoff_file(path: Path | None, lead_ids: Iterable[str]) -> int:
    """Rewrite the handoff file without these leads' payloads; the lines removed.

    Written to a private temporary file next to it and renamed over it, so a crash leaves
    either the old file or the new one, never half of one.
    """
    ids = set(lead_ids)
    if path is None or not path.is_file() or not ids:
        return 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if _lead_of(_json_or_text(line)) not in ids]
    removed = len(lines) - len(kept)
    if removed:
        mode = path.stat().st_mode & 0o777
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(kept)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    return removed


def _payloads(path: Path) -> list[Any]:
    return [_json_or_text(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _lead_of(payload: Any) -> str | None:
    if isinstance(payload, dict) and isinstance(payload.get("lead"), dict):
        return payload["lead"].get("lead_id")
    return None


# ----------------------------------------------------------------- export
def export_person(session: Session, email: str, tracker: TrackerStore | None = None,
                  handoff_file: Path | None = None,
                  now: datetime | None = None,
                  spooled: Callable[[Iterable[str]], list[dict[str, Any]]] | None = None,
                  ) -> dict[str, Any]:
    """Everything held about the person with `email` (data subject access), as JSON data:
    each lead's record and every stored row of it, table by table (conversations with their
    page context, answers, activities, handoffs, deliveries, ...), Rasa's events of their
    conversations, the payloads in the local handoff file and the entries of their
    conversations in the turn spool (`spooled`: what it holds of conversation ids).
    """
    leads = leads_of_person(session, email)
    keys = person_keys(session, [lead.id for lead in leads])
    exported: dict[str, Any] = {
        "email": email.strip().lower(),
        "exported_at": iso_utc(now) if now is not None else None,
        "leads": [lead_record(lead) for lead in leads],
        "stored_rows": stored_rows(session, keys),
        "rasa_events": tracker_events(tracker, keys.sender_ids) if tracker else {},
        "handoff_file": handoff_file_lines(handoff_file, keys.lead_ids),
        "spool": spooled(keys.sender_ids) if spooled is not None else [],
    }
    return exported


def stored_rows(session: Session, keys: PersonKeys) -> dict[str, list[dict[str, Any]]]:
    """Every row of the lead store that belongs to the person, by table, as JSON data."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in reversed(_person_tables()):  # parents first: easier to read
        conditions = _conditions(table, keys)
        if not conditions:
            continue
        found = session.execute(select(table).where(or_(*conditions))).mappings().all()
        if found:
            rows[table.name] = [{k: _plain(v) for k, v in row.items()} for row in found]
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


# ----------------------------------------------------------------- retention
@dataclass(frozen=True)
class RetentionRules:
    """What the retention policy says (built from `bot.policies.RetentionPolicy`)."""

    delete_after_days: int | None = None
    anonymise_after_days: int | None = None
    anonymise_fields: tuple[str, ...] = PERSONAL_FIELDS
    anonymise_answers: bool = True
    anonymise_page_context: bool = True
    anonymise_activity_details: bool = True
    anonymise_transcripts: bool = True


@dataclass
class RetentionResult:
    """What one retention pass did (or, in a dry run, would do)."""

    deleted: list[str] = field(default_factory=list)
    anonymised: list[str] = field(default_factory=list)
    kept_for_handoff: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    # Conversations whose Rasa events must go (deleted leads, and anonymised ones when the
    # policy clears transcripts): the caller erases them in the tracker store.
    tracker_sender_ids: list[str] = field(default_factory=list)
    purged_lead_ids: list[str] = field(default_factory=list)


def last_touched(lead: Lead) -> datetime:
    """The last time anything happened to `lead`: an update, a visit, an activity."""
    moments = [as_utc(lead.updated_at)]
    moments += [as_utc(c.last_seen_at) for c in lead.conversations if c.last_seen_at]
    moments += [as_utc(a.at) for a in lead.activities if a.at]
    return max(moments)


def apply_retention(session: Session, rules: RetentionRules, now: datetime,
                    dry_run: bool = False) -> RetentionResult:
    """Delete leads untouched for `delete_after_days`, anonymise those untouched for
    `anonymise_after_days`. A lead with a handoff not yet delivered (requested, pending) is
    left alone until its delivery ends. `dry_run` changes nothing and says what would go.
    """
    now = as_utc(now)
    limits = [d for d in (rules.delete_after_days, rules.anonymise_after_days) if d]
    result = RetentionResult()
    if not limits:
        return result
    oldest_allowed = now - timedelta(days=min(limits))
    candidates = session.scalars(
        select(Lead)
        .where(Lead.updated_at < oldest_allowed)
        .options(selectinload(Lead.conversations), selectinload(Lead.activities),
                 selectinload(Lead.handoffs))
        .order_by(Lead.updated_at, Lead.id)
    ).all()
    to_delete: list[Lead] = []
    for lead in candidates:
        age = now - last_touched(lead)
        delete_it = bool(rules.delete_after_days) and age >= timedelta(
            days=rules.delete_after_days or 0)
        anonymise_it = (not delete_it and bool(rules.anonymise_after_days)
                        and lead.anonymised_at is None
                        and age >= timedelta(days=rules.anonymise_after_days or 0))
        if not (delete_it or anonymise_it):
            continue
        if any(h.status in OPEN_HANDOFF_STATUSES for h in lead.handoffs):
            result.kept_for_handoff.append(lead.id)
        elif delete_it:
            to_delete.append(lead)
        else:
            result.anonymised.append(lead.id)
    result.deleted = [lead.id for lead in to_delete]
    anonymised = [lead for lead in candidates if lead.id in set(result.anonymised)]
    deleted_keys = person_keys(session, result.deleted)
    anonymised_keys = person_keys(session, result.anonymised)
    result.tracker_sender_ids = sorted(set(deleted_keys.sender_ids) | (
        set(anonymised_keys.sender_ids) if rules.anonymise_transcripts else set()))
    result.purged_lead_ids = result.deleted + result.anonymised
    if dry_run:
        return result
    for lead in anonymised:
        anonymise_lead(session, lead, rules, now)
    if result.deleted:
        result.rows = erase_rows(session, deleted_keys)
    return result


def anonymise_lead(session: Session, lead: Lead, rules: RetentionRules, now: datetime) -> None:
    """Clear what the policy names from `lead` and its rows; the lead stays, with its
    status, score and BANT values, for the statistics.
    """
    for name in rules.anonymise_fields:
        setattr(lead, name, None)
    cleared = set(rules.anonymise_fields)
    if rules.anonymise_answers:
        for answer in session.scalars(select(Answer).where(Answer.lead_id == lead.id)):
            answer.raw_text = ""  # the visitor's own words
            if answer.field in cleared:
                answer.value = None
    for conversation in lead.conversations:
        if rules.anonymise_page_context:
            conversation.page_context = None
            conversation.visitor_id = None
    if rules.anonymise_activity_details:
        for activity in lead.activities:
            activity.detail = {}
    lead.anonymised_at = now
    session.flush()
