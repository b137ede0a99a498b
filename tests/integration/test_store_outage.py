"""Fault drill: the lead store is locked for 20 s in the middle of a form.

Against a real Rasa + action server (conftest.py), once on SQLite (another connection holds
`BEGIN EXCLUSIVE` on the lead-store file) and once on PostgreSQL (`LOCK TABLE answers IN
ACCESS EXCLUSIVE MODE` held in another transaction). While the lock is held the visitor
answers two questions: each reply is real (not empty) and quick, the form moves on; after
the lock is released the answers are in the store, in order, and the form goes on from the
right question without asking anything twice.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.ops.launcher import Stack
from bot.store import make_engine, make_session_factory
from tests.integration.client import BotClient
from tests.integration.conftest import Backend, started_stack
from tests.integration.helpers import PROSPECT_ANSWERS, lead_of
from tests.receivers import Receiver

pytestmark = pytest.mark.rasa

LOCK_SECONDS = 20.0
# TURN_RETRY_SECONDS (4 s) plus one lock wait (1 s) and Rasa's own work: what a visitor
# waits at most for a reply while the store is locked.
MAX_REPLY_SECONDS = 8.0


@pytest.fixture(scope="module")
def outage_stack(backend: Backend, receiver: Receiver,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Conftest's stack, with a spool of its own (no other test's turns are in it)."""
    with started_stack(backend, receiver, tmp_path_factory.mktemp("logs"),
                       f"outage-{backend.kind}",
                       spool_dir=str(tmp_path_factory.mktemp("spool")),
                       turn_retry_seconds=4.0) as running:
        yield running


@pytest.fixture(scope="module")
def outage_leads(outage_stack: Stack):
    """Sessions on this stack's lead store."""
    engine = make_engine(outage_stack.settings.lead_store_url)
    yield make_session_factory(engine)
    engine.dispose()


@contextmanager
def lead_store_locked(url: str, seconds: float) -> Iterator[threading.Event]:
    """Hold the lead store locked from another connection for `seconds` (in a thread, so
    the test talks to the bot meanwhile); the event is set once the lock is taken.
    """
    taken = threading.Event()
    parsed = make_url(url)

    def hold() -> None:
        if parsed.get_backend_name() == "sqlite":
            holder = sqlite3.connect(parsed.database, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            taken.set()
            time.sleep(seconds)
            holder.execute("ROLLBACK")
            holder.close()
            return
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1)
                               if url.startswith("postgresql://") else url)
        with engine.connect() as connection:
            connection.execute(text("LOCK TABLE answers IN ACCESS EXCLUSIVE MODE"))
            taken.set()
            time.sleep(seconds)
            connection.rollback()
        engine.dispose()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert taken.wait(10), "could not lock the lead store"
    try:
        yield taken
    finally:
        thread.join(seconds + 10)


def _timed_say(bot: BotClient, sender: str, message: str) -> tuple[list[str], float]:
    started = time.monotonic()
    replies = bot.say(sender, message)
    return replies, time.monotonic() - started


def _answers(leads, sender: str) -> list[str]:
    return [a["field"] for a in lead_of(leads, sender)["answers"]]


def _stored_fields_raw(url: str, sender: str) -> list[str]:
    with sqlite3.connect(make_url(url).database) as reader:
        rows = reader.execute("SELECT field FROM answers WHERE conversation_id = ? "
                              "AND field IN ('budget', 'authority')", (sender,)).fetchall()
    return [row[0] for row in rows]


def _wait_for(condition, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"not within {timeout:.0f} s")


def test_a_locked_lead_store_loses_no_answer_and_leaves_no_reply_empty(
        outage_stack: Stack, outage_leads, backend: Backend):
    stack, leads = outage_stack, outage_leads
    bot = BotClient(stack.rasa_url, stack.settings.rasa_token)
    sender = bot.new_sender()
    bot.say(sender, "hi")
    bot.say(sender, PROSPECT_ANSWERS["need"])
    assert bot.requested_slot(sender) == "budget"
    asked = ["need", "budget"]
    timings: list[float] = []
    with lead_store_locked(stack.settings.lead_store_url, LOCK_SECONDS):
        locked_at = time.monotonic()
        for slot, following in (("budget", "authority"), ("authority", "timeline")):
            replies, seconds = _timed_say(bot, sender, PROSPECT_ANSWERS[slot])
            timings.append(seconds)
            assert any(r.strip() for r in replies), f"empty reply to the {slot} answer"
            assert "Thanks, noted." in replies, replies
            assert bot.requested_slot(sender) == following
            asked.append(following)
        assert time.monotonic() - locked_at < LOCK_SECONDS, "the drill outlasted the lock"
        if backend.kind == "sqlite":  # readers still read a locked SQLite file (WAL)
            assert _stored_fields_raw(stack.settings.lead_store_url, sender) == []
    stored_after = _wait_for(lambda: {"budget", "authority"} <= set(_answers(leads, sender)),
                             timeout=15)
    print(f"\n[{backend.kind}] replies while locked: "
          + ", ".join(f"{t:.1f} s" for t in timings)
          + f"; stored {stored_after:.1f} s after the lock was released")
    assert max(timings) < MAX_REPLY_SECONDS, timings
    record = lead_of(leads, sender)
    assert record["budget_amount"] == 20000 and record["authority"] == "decision_maker"
    # The form goes on from the right question, and nothing is asked twice.
    asked += bot.converse(sender, PROSPECT_ANSWERS, opening=PROSPECT_ANSWERS["timeline"])
    assert len(asked) == len(set(asked)), asked
    fields = _answers(leads, sender)
    assert fields.count("budget") == 1 and fields.count("authority") == 1, fields
    assert lead_of(leads, sender)["status"] == "qualified"
