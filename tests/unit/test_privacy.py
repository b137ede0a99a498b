"""Personal data on request and by policy, on SQLite and PostgreSQL: `leadbot erase`,
`leadbot export-person` and the retention policy, against a real lead store, a real Rasa
tracker table (created as Rasa's SQLTrackerStore creates it) and a real handoff file.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.spool import (
    DEAD_FILE,
    REQUEST_HUMAN,
    SPOOL_FILE,
    TurnSpool,
    replay,
    spool_records,
)
from bot.conversation.turn import Turn
from bot.handoff.delivery import deliver_due
from bot.handoff.targets import FileTarget
from bot.ops.retention import erase_person, retention_rules, run_retention
from bot.ops.worker import RetentionClock
from bot.policies.base import POLICY_DIR, PolicyError
from bot.policies.retention import load_retention
from bot.settings import Settings, load_settings
from bot.store import (
    AnswerInput,
    Lead,
    ensure_conversation,
    record_activity,
    record_answers,
    record_page_context,
    request_handoff,
    session_scope,
    set_consent,
)
from bot.store.models import Base
from bot.store.privacy import (
    RetentionRules,
    TrackerStore,
    apply_retention,
    export_person,
    leads_of_person,
    person_keys,
    stored_rows,
    tracker_events,
)
from tests.conftest import _libpq_url
from tests.unit.repo_policies import POLICIES

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
ROUTING = POLICIES.routing
RETENTION = POLICIES.retention
Factory = sessionmaker[Session]
EMAIL = "zoe@acme.example"
OTHER = "max@other.example"


# ---------------------------------------------------------------------------- Rasa's tracker
def create_rasa_events_table(engine: sa.Engine) -> sa.Table:
    """The `events` table exactly as rasa 3.6's SQLTrackerStore.SQLEvent declares it."""
    metadata = sa.MetaData()
    table = sa.Table(
        "events", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )
    metadata.create_all(engine)
    return table


@dataclass
class Tracker:
    """A tracker store for one test, with Rasa's table, and a way to write and count."""

    store: TrackerStore
    engine: sa.Engine
    table: sa.Table

    def say(self, sender: str, *texts: str) -> None:
        with self.engine.begin() as connection:
            for n, words in enumerate(texts):
                event = {"event": "user", "text": words, "timestamp": NOW.timestamp() + n}
                connection.execute(self.table.insert().values(
                    sender_id=sender, type_name="user", timestamp=event["timestamp"],
                    intent_name="inform", data=json.dumps(event)))

    def count(self, sender: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(self.table)
        if sender is not None:
            query = query.where(self.table.c.sender_id == sender)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


@pytest.fixture
def tracker(db_url: str, tmp_path: Path) -> Iterator[Tracker]:
    """Rasa's tracker store next to the lead store: a SQLite file, or on PostgreSQL its own
    schema selected the way Rasa does it (POSTGRESQL_SCHEMA -> search_path).
    """
    if db_url.startswith("sqlite"):
        store = TrackerStore(f"sqlite:///{tmp_path / 'tracker.db'}")
        engine = store.engine()
        try:
            yield Tracker(store, engine, create_rasa_events_table(engine))
        finally:
            engine.dispose()
        return
    server = sa.engine.make_url(db_url).set(query={}).render_as_string(hide_password=False)
    schema = f"rasa_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq_url(server), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    store = TrackerStore(server, schema)
    engine = store.engine()
    try:
        yield Tracker(store, engine, create_rasa_events_table(engine))
    finally:
        engine.dispose()
        with psycopg.connect(_libpq_url(server), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# ---------------------------------------------------------------------------- people
def person(factory: Factory, sender: str, email: str, at: datetime, *,
           handoff: bool = False) -> str:
    """A lead with a conversation, page context, answers, consent, an activity from an
    import and (optionally) a handoff; its id.
    """
    with session_scope(factory) as session:
        ensure_conversation(session, sender, at=at)
        record_page_context(session, sender, {
            "page_url": "https://helpwise.example/pricing?who=" + email,
            "referrer": "https://search.example/?q=helpdesk", "utm_campaign": "spring",
            "visit_number": 1}, at, visitor_id=f"visitor-{sender}")
        lead = record_answers(session, [
            AnswerInput(sender, "name", "Zoë O'Brien", "Zoë O'Brien", f"{sender}-1", at),
            AnswerInput(sender, "email", f"it's {email}", email, f"{sender}-2",
                        at + timedelta(seconds=1)),
            AnswerInput(sender, "need", "our inbox is a mess", "our inbox is a mess",
                        f"{sender}-3", at + timedelta(seconds=2)),
            AnswerInput(sender, "budget", "around 20k a year",
                        {"amount": 20000, "currency": "USD", "period": "year",
                         "status": "estimate"}, f"{sender}-4", at + timedelta(seconds=3)),
        ])
        set_consent(session, lead, True, "May we send you our guide?", at)
        record_activity(session, lead, "email_opened", at, {"campaign": "newsletter"},
                        source="import", key=f"import-{sender}")
        if handoff:
            request_handoff(session, lead, "visitor_request", owner="dana")
        lead.updated_at = at
        for conversation in lead.conversations:
            conversation.last_seen_at = at
        return lead.id


def settings_for(db_url: str, tracker: Tracker, handoff_file: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LEADBOT_ENV_FILE", "/nonexistent/leadbot.env")
    return load_settings(database_url=db_url, tracker_store_url=tracker.store.url,
                         postgresql_schema=tracker.store.schema,
                         handoff_file=str(handoff_file))


def rows_naming(factory: Factory, needles: list[str]) -> dict[str, int]:
    """Rows of every lead-store table whose text mentions any of `needles`."""
    found: dict[str, int] = {}
    with session_scope(factory) as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(sa.select(table)).mappings():
                text = json.dumps({k: str(v) for k, v in row.items()})
                if any(needle in text for needle in needles):
                    found[table.name] = found.get(table.name, 0) + 1
    return found


# ---------------------------------------------------------------------------- erase
def test_erase_removes_the_person_everywhere_and_nobody_else(
    session_factory: Factory, db_url: str, tracker: Tracker, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handoffs = tmp_path / "handoffs.jsonl"
    settings = settings_for(db_url, tracker, handoffs, monkeypatch)
    first = person(session_factory, "c-zoe-1", EMAIL, NOW, handoff=True)
    # Two leads of one address (the store joins a typed known address to its lead, so the
    # second one got it another way: an import, or before the addresses were normalised).
    second = person(session_factory, "c-zoe-2", "zoe.old@acme.example", NOW)
    with session_scope(session_factory) as session:
        session.get(Lead, second).email = EMAIL.upper()  # type: ignore[union-attr]
    other = person(session_factory, "c-max", OTHER, NOW, handoff=True)
    assert deliver_due(session_factory, [FileTarget(handoffs)], ROUTING, NOW) == 2
    for sender in ("c-zoe-1", "c-zoe-2", "c-max"):
        tracker.say(sender, f"hello, I am {sender}", "my e-mail is in here")
    handoffs.chmod(0o600)
    before = rows_naming(session_factory, [first, second])
    for table in ("leads", "conversations", "answers", "activities", "handoffs"):
        assert before.get(table), table

    with session_scope(session_factory) as session:
        leads = leads_of_person(session, " Zoe@ACME.example ")
        assert sorted(lead.id for lead in leads) == sorted([first, second])
        erasure = erase_person(settings, session, [lead.id for lead in leads])

    assert erasure.rows["leads"] == 2 and erasure.rows["conversations"] == 2
    assert erasure.rows["answers"] == 8 and erasure.rows["handoffs"] == 1
    assert erasure.rows["handoff_deliveries"] == 1 and erasure.rows["activities"] >= 2
    assert erasure.tracker_events == 4 and erasure.handoff_file_lines == 1
    assert erasure.delivered_to == ["file"]
    # Nothing of theirs is left in any table, in the tracker or in the handoff file.
    assert rows_naming(session_factory, [first, second, "c-zoe-1", "c-zoe-2", EMAIL,
                                         "zoe.old@"]) == {}
    assert tracker.count("c-zoe-1") == tracker.count("c-zoe-2") == 0
    kept = handoffs.read_text(encoding="utf-8")
    assert EMAIL not in kept and OTHER in kept and first not in kept
    assert handoffs.stat().st_mode & 0o777 == 0o600
    # The other person is untouched.
    assert tracker.count("c-max") == 2
    with session_scope(session_factory) as session:
        lead = session.get(Lead, other)
        assert lead is not None and lead.email == OTHER and len(lead.answers) == 4
        assert lead.handoffs[0].deliveries[0].status == "delivered"


def test_the_erase_command_asks_first_and_prints_the_counts(
    session_factory: Factory, db_url: str, tracker: Tracker, tmp_path: Path,
    leadbot: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead_id = person(session_factory, "c-zoe", EMAIL, NOW)
    tracker.say("c-zoe", "hi")
    for name, value in {"TRACKER_STORE_URL": tracker.store.url,
                        "POSTGRESQL_SCHEMA": tracker.store.schema}.items():
        monkeypatch.setenv(name, value)

    declined = leadbot("erase", EMAIL)  # no input: the default is "no"
    assert declined.exit_code == 1 and "Erase all of it" in declined.output
    assert tracker.count("c-zoe") == 1 and rows_naming(session_factory, [lead_id])

    done = leadbot("erase", lead_id[:8], "--yes")
    assert done.exit_code == 0, done.output
    assert "removed 1 row(s) from leads" in done.output
    assert "removed 4 row(s) from answers" in done.output
    assert "removed 1 Rasa tracker event(s) of 1 conversation(s)" in done.output
    assert rows_naming(session_factory, [lead_id]) == {} and tracker.count("c-zoe") == 0
    missing = leadbot("erase", EMAIL, "--yes")
    assert missing.exit_code == 1 and "no lead matches" in missing.output


# ---------------------------------------------------------------------------- export
def test_export_person_holds_everything_about_them_and_nothing_else(
    session_factory: Factory, db_url: str, tracker: Tracker, tmp_path: Path,
    leadbot: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    handoffs = tmp_path / "handoffs.jsonl"
    first = person(session_factory, "c-zoe", EMAIL, NOW, handoff=True)
    person(session_factory, "c-max", OTHER, NOW, handoff=True)
    deliver_due(session_factory, [FileTarget(handoffs)], ROUTING, NOW)
    tracker.say("c-zoe", "hello from zoe")
    tracker.say("c-max", "hello from max")

    with session_scope(session_factory) as session:
        exported = export_person(session, EMAIL, tracker.store, handoffs, now=NOW)
    text = json.dumps(exported, ensure_ascii=False)
    assert OTHER not in text and "c-max" not in text and "hello from max" not in text
    assert [lead["lead_id"] for lead in exported["leads"]] == [first]
    rows = exported["stored_rows"]
    assert len(rows["answers"]) == 4 and rows["leads"][0]["consent_follow_up"] is True
    [conversation] = rows["conversations"]
    assert conversation["page_context"]["page_url"].endswith(EMAIL)
    assert conversation["visitor_id"] == "visitor-c-zoe"
    assert {a["kind"] for a in rows["activities"]} >= {"email_opened", "page_view"}
    assert rows["handoffs"][0]["owner"] == "dana"
    assert rows["handoff_deliveries"][0]["status"] == "delivered"
    assert [e["text"] for e in exported["rasa_events"]["c-zoe"]] == ["hello from zoe"]
    assert exported["handoff_file"][0]["lead"]["email"] == EMAIL

    monkeypatch.setenv("TRACKER_STORE_URL", tracker.store.url)
    monkeypatch.setenv("POSTGRESQL_SCHEMA", tracker.store.schema)
    monkeypatch.setenv("HANDOFF_FILE", str(handoffs))
    printed = leadbot("export-person", EMAIL.upper())
    assert printed.exit_code == 0, printed.output
    document = json.loads(printed.output)
    assert document["leads"][0]["lead_id"] == first
    assert document["rasa_events"]["c-zoe"][0]["text"] == "hello from zoe"
    nobody = leadbot("export-person", "nobody@nowhere.example")
    assert nobody.exit_code == 0 and json.loads(nobody.stdout)["leads"] == []


# ---------------------------------------------------------------------------- the turn spool
def spooled(spool: TurnSpool, sender: str, text: str, action: str = "turn") -> str:
    """A turn of `sender` the lead store did not take yet; its entry id."""
    return spool.append(Turn(conversation_id=sender, text=text, intent="inform",
                             intent_confidence=0.9, requested_slot="email",
                             message_id=f"{sender}-{uuid.uuid4().hex[:6]}", at=NOW), action)


def spool_of_zoe_and_max(session_factory: Factory, tmp_path: Path) -> TurnSpool:
    """Zoe and Max as leads, and their spool. Zoe's conversation: a waiting answer with her
    e-mail, a waiting request for a person and one set aside in dead.jsonl; Max's: a
    waiting answer.
    """
    person(session_factory, "c-zoe", EMAIL, NOW)
    person(session_factory, "c-max", OTHER, NOW)
    spool = TurnSpool(tmp_path / "spool", max_attempts=1)
    spooled(spool, "c-zoe", "the bad one")

    def broken(turn: Turn) -> None:
        raise ValueError("a bug")

    assert replay(spool, broken).dead == 1  # set aside: the file holds her words now
    spooled(spool, "c-zoe", f"write to {EMAIL}")
    spooled(spool, "c-zoe", "a person please", REQUEST_HUMAN)
    spooled(spool, "c-max", f"write to {OTHER}")
    return spool


def test_erase_removes_the_conversations_spooled_entries_and_nobody_elses(
    session_factory: Factory, db_url: str, tracker: Tracker, tmp_path: Path,
    leadbot: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    spool = spool_of_zoe_and_max(session_factory, tmp_path)
    for name, value in {"TRACKER_STORE_URL": tracker.store.url,
                        "POSTGRESQL_SCHEMA": tracker.store.schema,
                        "SPOOL_DIR": str(spool.directory)}.items():
        monkeypatch.setenv(name, value)

    done = leadbot("erase", EMAIL, "--yes")
    assert done.exit_code == 0, done.output
    assert "removed 3 spooled entr(y/ies)" in done.output
    held = (spool.directory / SPOOL_FILE).read_text() + (spool.directory / DEAD_FILE).read_text()
    assert "c-zoe" not in held and EMAIL not in held and "the bad one" not in held
    assert [e.turn.conversation_id for e in TurnSpool(spool.directory).pending()] == ["c-max"]
    assert (spool.directory / SPOOL_FILE).stat().st_mode & 0o777 == 0o600


def test_export_person_includes_the_spooled_entries_of_their_conversations(
    session_factory: Factory, db_url: str, tracker: Tracker, tmp_path: Path,
    leadbot: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    spool = spool_of_zoe_and_max(session_factory, tmp_path)
    with session_scope(session_factory) as session:
        exported = export_person(session, EMAIL, tracker.store, None, now=NOW,
                                 spooled=partial(spool_records, spool.directory))
    entries = exported["spool"]
    assert sorted((e["file"], e["action"], e["turn"]["text"]) for e in entries) == sorted([
        (DEAD_FILE, "turn", "the bad one"), (SPOOL_FILE, "turn", f"write to {EMAIL}"),
        (SPOOL_FILE, REQUEST_HUMAN, "a person please")])
    assert OTHER not in json.dumps(exported)

    for name, value in {"TRACKER_STORE_URL": tracker.store.url,
                        "POSTGRESQL_SCHEMA": tracker.store.schema,
                        "SPOOL_DIR": str(spool.directory)}.items():
        monkeypatch.setenv(name, value)
    printed = leadbot("export-person", EMAIL)
    assert printed.exit_code == 0, printed.output
    assert len(json.loads(printed.stdout)["spool"]) == 3


# ---------------------------------------------------------------------------- retention
RULES = RetentionRules(delete_after_days=730, anonymise_after_days=365)


def test_retention_deletes_anonymises_and_waits_for_pending_handoffs(
    session_factory: Factory, db_url: str, tracker: Tracker, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ancient = person(session_factory, "c-ancient", "old@acme.example", NOW - timedelta(days=800))
    stale = person(session_factory, "c-stale", EMAIL, NOW - timedelta(days=400))
    fresh = person(session_factory, "c-fresh", OTHER, NOW - timedelta(days=10))
    waiting = person(session_factory, "c-waiting", "w@acme.example", NOW - timedelta(days=900),
                     handoff=True)
    # Old conversation, but an activity imported last month: touched, so kept whole.
    active = person(session_factory, "c-active", "a@acme.example", NOW - timedelta(days=500))
    with session_scope(session_factory) as session:
        lead = session.get(Lead, active)
        assert lead is not None
        record_activity(session, lead, "webinar", NOW - timedelta(days=30), {}, source="import",
                        key="webinar-1")
        lead.updated_at = NOW - timedelta(days=500)
    for sender in ("c-ancient", "c-stale", "c-fresh", "c-waiting"):
        tracker.say(sender, f"words of {sender}")

    with session_scope(session_factory) as session:
        dry = apply_retention(session, RULES, NOW, dry_run=True)
    assert (dry.deleted, dry.anonymised, dry.kept_for_handoff) == ([ancient], [stale], [waiting])
    assert rows_naming(session_factory, [ancient]) and tracker.count("c-stale") == 1

    settings = settings_for(db_url, tracker, tmp_path / "none.jsonl", monkeypatch)
    result, events, _ = run_retention(settings, session_factory, RETENTION, NOW)
    assert (result.deleted, result.anonymised) == ([ancient], [stale])
    assert events == 2 and tracker.count("c-ancient") == tracker.count("c-stale") == 0
    assert tracker.count("c-fresh") == tracker.count("c-waiting") == 1
    assert rows_naming(session_factory, [ancient, "old@acme.example"]) == {}
    with session_scope(session_factory) as session:
        left = json.dumps(stored_rows(session, person_keys(session, [stale])),
                          ensure_ascii=False, default=str)
    for personal in (EMAIL, "Zoë", "our inbox is a mess", "visitor-c-stale", "newsletter",
                     "search.example", "May we send"):
        assert personal not in left, personal
    with session_scope(session_factory) as session:
        kept = session.get(Lead, stale)
        assert kept is not None and kept.anonymised_at == NOW
        assert (kept.email, kept.name, kept.need, kept.consent_wording) == (None,) * 4
        assert kept.budget_amount == 20000 and kept.status  # statistics stay
        assert {a.raw_text for a in kept.answers} == {""}
        assert {a.field: a.value for a in kept.answers}["budget"]["amount"] == 20000
        assert kept.conversations[0].page_context is None
        for lead_id in (fresh, waiting, active):
            whole = session.get(Lead, lead_id)
            assert whole is not None and whole.email and whole.anonymised_at is None

    again, events, _ = run_retention(settings, session_factory, RETENTION, NOW + timedelta(hours=1))
    assert (again.deleted, again.anonymised, events) == ([], [], 0)
    # Once its handoff is delivered, the waiting lead goes.
    deliver_due(session_factory, [FileTarget(tmp_path / "h.jsonl")], ROUTING, NOW)
    later, _, _lines = run_retention(settings, session_factory, RETENTION, NOW + timedelta(hours=2))
    assert later.deleted == [waiting] and tracker.count("c-waiting") == 0


def test_the_retention_command_dry_run_changes_nothing(
    session_factory: Factory, tracker: Tracker, leadbot: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stale = person(session_factory, "c-stale", EMAIL, datetime.now(timezone.utc)
                   - timedelta(days=400))
    monkeypatch.setenv("TRACKER_STORE_URL", tracker.store.url)
    monkeypatch.setenv("POSTGRESQL_SCHEMA", tracker.store.schema)
    tracker.say("c-stale", "hi")
    dry = leadbot("retention", "run", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would anonymise 1" in dry.output and f"anonymise: {stale}" in dry.output
    assert tracker.count("c-stale") == 1 and rows_naming(session_factory, [EMAIL])
    done = leadbot("retention", "run")
    assert done.exit_code == 0 and "anonymise 1" in done.output
    assert rows_naming(session_factory, [EMAIL]) == {} and tracker.count("c-stale") == 0


def test_the_retention_policy_is_checked_with_file_line_and_field(tmp_path: Path) -> None:
    shipped = load_retention(POLICY_DIR)
    rules = retention_rules(shipped)
    assert rules.anonymise_after_days == 365 and rules.delete_after_days == 730
    assert "email" in rules.anonymise_fields
    for body, problem in (
        ("anonymise_after_days: 30\ndelete_after_days: 10\n", "must be later"),
        ("anonymise_after_days: 30\nanonymise:\n  fields: [name, password]\n", "'password'"),
        ("delete_after_days: 0\n", "delete_after_days"),
        ("keep_forever: true\n", "keep_forever"),
    ):
        (tmp_path / "retention.yml").write_text(body, encoding="utf-8")
        with pytest.raises(PolicyError, match=problem) as raised:
            load_retention(tmp_path)
        assert str(raised.value).startswith(str(tmp_path / "retention.yml"))
    (tmp_path / "retention.yml").write_text("anonymise:\n  fields: [name, bogus]\n")
    with pytest.raises(PolicyError, match=r"retention\.yml:2: anonymise\.fields: .*bogus"):
        load_retention(tmp_path)


def test_the_worker_applies_retention_at_start_then_every_interval() -> None:
    now = [1000.0]
    clock = RetentionClock(24, clock=lambda: now[0])
    assert clock.due()
    clock.done(ok=True)
    now[0] += 23 * 3600
    assert not clock.due()
    now[0] += 3600
    assert clock.due()
    clock.done(ok=False)  # a failed pass is retried within minutes, not a day later
    now[0] += RetentionClock.RETRY_SECONDS
    assert clock.due()
    assert not RetentionClock(0, clock=lambda: now[0]).due()


def test_tracker_events_of_unknown_or_missing_tables_are_empty(tmp_path: Path) -> None:
    empty = TrackerStore(f"sqlite:///{tmp_path / 'never-used.db'}")
    assert tracker_events(empty, ["c-1"]) == {"c-1": []}
