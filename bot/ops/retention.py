"""Personal data by policy and on request, wired to the settings: the lead store, Rasa's
tracker store (TRACKER_STORE_URL, POSTGRESQL_SCHEMA) and the handoff file (HANDOFF_FILE).

The store functions are in `bot.store.privacy`; this module only says where things are
and keeps each change in one transaction: the tracker rows and the handoff file lines are
removed while the lead store's transaction is still open, so a failure there rolls the
lead store back and the next attempt finds everything again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utcnow
from bot.policies.retention import RetentionPolicy
from bot.settings import PROJECT_ROOT, Settings
from bot.store import session_scope
from bot.store.privacy import (
    Erasure,
    RetentionResult,
    RetentionRules,
    TrackerStore,
    apply_retention,
    describe_erasure,
    erase_handoff_file,
    erase_rows,
    erase_tracker,
    person_keys,
)


def tracker_store(settings: Settings) -> TrackerStore:
    """Rasa's tracker store as the settings name it (a relative SQLite path made absolute)."""
    return TrackerStore(settings.resolve_path(settings.tracker_store_url),
                        settings.postgresql_schema)


def handoff_file(settings: Settings) -> Path | None:
    """The local JSONL file handoffs are appended to (HANDOFF_FILE), if one is set."""
    if not settings.handoff_file:
        return None
    path = Path(settings.handoff_file).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def retention_rules(policy: RetentionPolicy) -> RetentionRules:
    """The store's view of policies/retention.yml."""
    return RetentionRules(
        delete_after_days=policy.delete_after_days,
        anonymise_after_days=policy.anonymise_after_days,
        anonymise_fields=tuple(policy.anonymise.fields),
        anonymise_answers=policy.anonymise.answers,
        anonymise_page_context=policy.anonymise.page_context,
        anonymise_activity_details=policy.anonymise.activity_details,
        anonymise_transcripts=policy.anonymise.transcripts,
    )


def run_retention(settings: Settings, factory: sessionmaker[Session], policy: RetentionPolicy,
                  now: datetime | None = None,
                  dry_run: bool = False) -> tuple[RetentionResult, int, int]:
    """Apply `policy` (policies/retention.yml) once: (what was done, Rasa events removed,
    handoff file lines removed). `dry_run` only says what would be done (removes nothing).
    """
    rules = retention_rules(policy)
    with session_scope(factory) as session:
        result = apply_retention(session, rules, now or utcnow(), dry_run=dry_run)
        if dry_run:
            return result, 0, 0
        events = erase_tracker(tracker_store(settings), result.tracker_sender_ids)
        lines = erase_handoff_file(handoff_file(settings), result.purged_lead_ids)
    return result, events, lines


def erase_person(settings: Settings, session: Session, lead_ids: list[str]) -> Erasure:
    """Remove these leads everywhere, inside the caller's open transaction (commit it)."""
    keys = person_keys(session, lead_ids)
    erasure = describe_erasure(session, keys)
    erasure.rows = erase_rows(session, keys)
    session.flush()
    erasure.tracker_events = erase_tracker(tracker_store(settings), keys.sender_ids)
    erasure.handoff_file_lines = erase_handoff_file(handoff_file(settings), keys.lead_ids)
    return erasure


def retention_summary(result: RetentionResult, events: int, lines: int,
                      dry_run: bool) -> str:
    """One line saying what a retention pass did (or would do)."""
    verb = "would " if dry_run else ""
    parts = [f"{verb}delete {len(result.deleted)} lead(s)",
             f"{verb}anonymise {len(result.anonymised)}"]
    if result.kept_for_handoff:
        parts.append(f"kept {len(result.kept_for_handoff)} until their handoff is delivered")
    if not dry_run:
        parts.append(f"removed {sum(result.rows.values())} row(s), {events} Rasa event(s), "
                     f"{lines} handoff file line(s)")
    else:
        parts.append(f"{len(result.tracker_sender_ids)} conversation(s) in Rasa's tracker")
    return "retention: " + ", ".join(parts)
