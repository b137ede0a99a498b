"""The action server's long-lived objects, created on first use (never at import)."""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.service import ConversationService
from bot.conversation.spool import Apply, TurnSpool, replay, store_appliers
from bot.parsing.bounds import use_bounds
from bot.policies.loader import Policies, load_policies
from bot.settings import settings
from bot.store import make_engine, make_session_factory
from bot.store.db import set_lock_wait
from bot.understanding.meaning import Understanding, get_understanding

log = logging.getLogger(__name__)

# One attempt at the lead store waits at most this long for a lock, so that several
# attempts (with back-off) fit in TURN_RETRY_SECONDS. SQLite's busy_timeout of bot/store
# (10 s) is what made a locked store cost the visitor 10 s and then an empty reply.
ATTEMPT_LOCK_WAIT_MS = 1000
# PostgreSQL: no statement of a turn may run longer than this (a lock held elsewhere
# would otherwise make the turn wait forever: PostgreSQL has no lock timeout by default).
ATTEMPT_STATEMENT_MS = 3000
# How often the background thread looks at the spool when it holds something.
DRAIN_INTERVAL_SECONDS = 1.0


def bound_lock_waits(engine: Engine) -> None:
    """Every connection of the action server waits only briefly for a lock."""
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        # SQLite's busy_timeout and the in-process writer lock (bot/store/db.py) alike.
        set_lock_wait(engine, ATTEMPT_LOCK_WAIT_MS)
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if backend == "postgresql":
            cursor.execute(f"SET lock_timeout = {ATTEMPT_LOCK_WAIT_MS}")
            cursor.execute(f"SET statement_timeout = {ATTEMPT_STATEMENT_MS}")
            dbapi_connection.commit()
        cursor.close()


@cache
def session_factory() -> sessionmaker[Session]:
    """Sessions on the lead store: one engine per action-server process."""
    engine = make_engine(settings().lead_store_url)
    bound_lock_waits(engine)
    return make_session_factory(engine)


@cache
def loaded_policies() -> Policies:
    """Every policy file of POLICY_DIR, loaded once per action-server process (a PolicyError
    names every broken file, file:line).
    """
    return load_policies(settings().policy_path)


@cache
def conversation() -> ConversationService:
    """One ConversationService per action-server process, on the shared engine."""
    rules = loaded_policies()
    use_bounds(rules.questions.bounds.to_bounds())  # plausible facts only, from the policy
    return ConversationService(session_factory(), rules, max_questions=settings().max_questions)


def understanding() -> Understanding:
    """The process's understanding layer (the trained heads and lingua)."""
    return get_understanding()


def warm_up_in_background() -> None:
    """Load the encoder, the heads and lingua in a thread as the action server starts, so
    the first visitor does not wait ~1 s for them. rasa_sdk has no start-up hook: the
    actions package calls this when it is imported, which is when the server starts.
    """

    def load() -> None:
        try:
            understanding().warm_up()
        except Exception as exc:  # noqa: BLE001 - a turn will load (and report) it again
            log.error("warming up the understanding layer failed (%s)", type(exc).__name__)
        try:
            loaded_policies().warm_up()  # at start, and its industry keywords compiled
        except Exception as exc:  # noqa: BLE001 - a turn will load (and report) them again
            log.error("loading the policies failed: %s", exc)  # file:line, no visitor data

    threading.Thread(target=load, name="warm-up", daemon=True).start()


@cache
def turn_spool() -> TurnSpool:
    """Where turns the lead store refused wait (SPOOL_DIR)."""
    return TurnSpool(settings().spool_path)


@cache
def appliers() -> dict[str, Apply]:
    """What each kind of spooled entry does on the lead store (turns and other actions)."""
    return store_appliers(conversation(), session_factory())


def retry_seconds() -> float:
    """How long one turn is retried before it is spooled (TURN_RETRY_SECONDS)."""
    return settings().turn_retry_seconds


class SpoolDrainer:
    """A daemon thread applying spooled entries as soon as the lead store takes them."""

    def __init__(self, spool: TurnSpool, apply: dict[str, Apply],
                 interval: float = DRAIN_INTERVAL_SECONDS) -> None:
        self._spool = spool
        self._apply = apply
        self._interval = interval
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="spool-drain", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the spool soon (something was just added)."""
        self._wake.set()

    def _loop(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            try:
                if self._spool.has_pending():
                    replay(self._spool, self._apply)
            except Exception as exc:  # noqa: BLE001 - the thread must outlive any failure
                log.error("spool drain failed (%s); trying again", type(exc).__name__)


@cache
def drainer() -> SpoolDrainer:
    """The process's spool drainer, started on first use."""
    return SpoolDrainer(turn_spool(), appliers())


def response_values() -> dict[str, Any]:
    """Values every response may use: names and links from the settings."""
    config = settings()
    return {
        "company_name": config.company_name,
        "assistant_name": config.assistant_name,
        "support_url": config.support_url,
        "careers_url": config.careers_url,
        "partners_url": config.partners_url,
        "pricing_url": config.pricing_url,
        "privacy_url": config.privacy_url,
        "contact_url": config.contact_url,
        "resource_url": config.resource_url,
    }
