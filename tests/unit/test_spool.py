"""The turn spool: durable writes, a crash-safe read of a torn last line, ordered and
idempotent replay (on a real file; the store side is in test_actions.py).
"""

from __future__ import annotations

import os
import stat
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.conversation.spool import (
    REQUEST_HUMAN,
    SPOOL_FILE,
    TURN,
    TurnSpool,
    is_transient_store_error,
    replay,
)
from bot.conversation.turn import Turn
from tests.unit.repo_policies import POLICIES


def turn(conversation: str = "c1", message: str = "m1", text: str = "around 20k") -> Turn:
    return Turn(conversation_id=conversation, text=text, intent="inform",
                intent_confidence=0.9, requested_slot="budget", message_id=message,
                at=datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc),
                metadata={"page_url": "https://example.com/pricing"},
                slots={"need": "a helpdesk", "asked_slots": ["need", "budget"]})


def locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))


def test_an_appended_turn_comes_back_equal_and_the_files_are_private(tmp_path: Path):
    spool = TurnSpool(tmp_path / "spool")
    original = turn(text="naïve \ud800 text")  # even a lone surrogate is kept
    spool.append(original)
    assert [e.turn for e in TurnSpool(tmp_path / "spool").pending()] == [original]
    assert stat.S_IMODE(os.stat(spool.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(spool.directory).st_mode) == 0o700


def test_a_torn_last_line_is_skipped_and_never_glued_to_the_next_entry(tmp_path: Path):
    spool = TurnSpool(tmp_path)
    spool.append(turn(message="m1"))
    with (tmp_path / SPOOL_FILE).open("ab") as handle:
        handle.write(b'{"id": "torn", "conversation_id": "c1", "tu')  # a crash mid-write
    assert [e.turn.message_id for e in spool.pending()] == ["m1"]
    spool.append(turn(message="m2"))
    assert [e.turn.message_id for e in spool.pending()] == ["m1", "m2"]


def test_replay_applies_in_order_marks_done_and_empties_the_file(tmp_path: Path):
    spool = TurnSpool(tmp_path)
    for n in range(3):
        spool.append(turn(message=f"m{n}"))
    applied: list[str | None] = []
    report = replay(spool, lambda t: applied.append(t.message_id))
    assert applied == ["m0", "m1", "m2"] and report.applied == 3
    assert not spool.has_pending() and spool.path.stat().st_size == 0
    assert replay(spool, lambda t: applied.append(t.message_id)).applied == 0
    assert applied == ["m0", "m1", "m2"]


def test_a_busy_store_keeps_the_conversation_waiting_in_order(tmp_path: Path):
    spool = TurnSpool(tmp_path)
    spool.append(turn("c1", "m1"))
    spool.append(turn("c2", "x1"))
    spool.append(turn("c1", "m2"))
    applied: list[str | None] = []

    def apply(t: Turn) -> None:
        if t.message_id == "m1":
            raise locked()
        applied.append(t.message_id)

    report = replay(spool, apply)
    # c1's second turn must not overtake its first; c2 is not held up by c1.
    assert applied == ["x1"] and (report.applied, report.waiting) == (1, 2)
    assert [e.turn.message_id for e in spool.pending()] == ["m1", "m2"]
    assert replay(spool, lambda t: applied.append(t.message_id)).applied == 2
    assert applied == ["x1", "m1", "m2"]


def test_a_replay_interrupted_before_its_done_mark_applies_again_harmlessly(tmp_path: Path):
    # The store is idempotent per message id; the spool only has to apply at least once.
    spool = TurnSpool(tmp_path)
    spool.append(turn(message="m1"))
    stored: set[tuple[str, str | None]] = set()

    def crash_after_store(t: Turn) -> None:
        stored.add((t.conversation_id, t.message_id))
        raise KeyboardInterrupt  # the process dies before the done mark is written

    with pytest.raises(KeyboardInterrupt):
        replay(spool, crash_after_store)
    report = replay(TurnSpool(tmp_path), lambda t: stored.add((t.conversation_id,
                                                                t.message_id)))
    assert report.applied == 1 and stored == {("c1", "m1")}


def test_an_entry_that_keeps_failing_is_set_aside_and_its_conversation_goes_on(tmp_path):
    spool = TurnSpool(tmp_path, max_attempts=2)
    spool.append(turn(message="bad"))
    spool.append(turn(message="good"))
    applied: list[str | None] = []

    def apply(t: Turn) -> None:
        if t.message_id == "bad":
            raise ValueError("a bug")
        applied.append(t.message_id)

    assert replay(spool, apply).waiting == 2  # first failure: everything waits
    report = replay(spool, apply)
    assert report.dead == 1 and applied == ["good"] and not spool.has_pending()
    assert "bad" in (tmp_path / "dead.jsonl").read_text()


def test_store_errors_are_told_apart_from_bugs():
    assert is_transient_store_error(locked())
    assert is_transient_store_error(TimeoutError())
    assert not is_transient_store_error(ValueError("bug"))


def test_an_entry_of_another_action_waits_for_a_replay_that_can_apply_it(tmp_path: Path):
    spool = TurnSpool(tmp_path)
    spool.append(turn("c1", "m1"), REQUEST_HUMAN)
    spool.append(turn("c1", "m2"))
    spool.append(turn("c2", "x1"))
    applied: list[tuple[str, str | None]] = []
    # Only turns known here: c1's request for a person (and c1 after it) waits, c2 goes on.
    report = replay(spool, lambda t: applied.append((TURN, t.message_id)))
    assert applied == [(TURN, "x1")] and (report.applied, report.waiting) == (1, 2)
    report = replay(spool, {TURN: lambda t: applied.append((TURN, t.message_id)),
                            REQUEST_HUMAN: lambda t: applied.append((REQUEST_HUMAN,
                                                                     t.message_id))})
    assert applied[1:] == [(REQUEST_HUMAN, "m1"), (TURN, "m2")] and report.dead == 0
    assert not spool.has_pending()


def test_an_entry_written_before_actions_existed_is_a_turn(tmp_path: Path):
    spool = TurnSpool(tmp_path)
    spool.append(turn(message="m1"))
    lines = spool.path.read_text().replace('"action":"turn",', "")
    spool.path.write_text(lines)
    assert [e.action for e in TurnSpool(tmp_path).pending()] == [TURN]


# ------------------------------------------------------------------ the worker drains it too


def test_the_delivery_worker_applies_the_spool_while_the_action_server_is_down(
        tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch):
    from bot import store
    from bot.ops.worker import run_worker
    from bot.settings import load_settings

    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "no.env"))
    spool = TurnSpool(tmp_path / "spool")
    opening = Turn(conversation_id="w1", text="we need a shared inbox for support",
                   intent="inform", intent_confidence=0.9, requested_slot=None,
                   message_id="m1", at=datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc),
                   first_turn=True)
    spool.append(opening)
    spool.append(turn("w1", "m2"), REQUEST_HUMAN)
    config = load_settings(database_url=sqlite_url, spool_dir=str(spool.directory),
                           worker_poll_seconds=0.1, retention_every_hours=0)
    assert config.lead_store_url == sqlite_url  # never the developer's own store
    stop = threading.Event()
    lines: list[str] = []
    worker = threading.Thread(target=run_worker, args=(config, POLICIES, stop, lines.append))
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while spool.has_pending() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(10)
    assert not spool.has_pending(), lines
    assert any(line.startswith("spool: 2 applied") for line in lines), lines
    engine = store.make_engine(sqlite_url)
    with store.session_scope(store.make_session_factory(engine)) as session:
        lead = store.lead_for_conversation(session, "w1")
        assert lead is not None
        record = store.lead_record(lead)
    engine.dispose()
    assert record["need"] == "we need a shared inbox for support"
    assert record["handoff"]["status"] in ("requested", "pending")


def test_an_erasure_waits_for_no_replay_it_cannot_interrupt(tmp_path: Path):
    spool = TurnSpool(tmp_path)
    spool.append(turn("c1", "m1"))
    spool.append(turn("c2", "x1"))
    # A replay is applying entries right now (it holds the drain lock).
    with spool._locked("drain.lock"), pytest.raises(TimeoutError):
        TurnSpool(tmp_path).remove_conversations({"c1"}, wait=0.2)
    assert len(spool.pending()) == 2  # nothing was touched
    assert TurnSpool(tmp_path).remove_conversations({"c1"}) == 1
    assert [e.turn.conversation_id for e in spool.pending()] == ["c2"]
