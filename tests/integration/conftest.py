"""A real Rasa server and action server for the REST tests, once on SQLite and once on
PostgreSQL (lead store + tracker store, each run in its own schema) with Redis locks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.ops.launcher import Stack, model_path, secret_values
from bot.settings import load_settings
from bot.store import make_engine, make_session_factory, migrate
from tests.integration.client import BotClient
from tests.integration.helpers import PROSPECT_ANSWERS
from tests.integration.log_audit import leaks, too_open
from tests.receivers import Receiver, free_port, running_receiver

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class Backend:
    """Where one test stack keeps its leads and trackers."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        self.schema = f"it_{uuid.uuid4().hex[:10]}"
        if kind == "sqlite":
            self.database_url = f"sqlite:///{tmp / 'leads.db'}"
            self.tracker_url = f"sqlite:///{tmp / 'tracker.db'}"
            self.lock_url = ""
            self.engine_env: dict[str, str] = {}
        else:
            self._admin(f"CREATE SCHEMA {self.schema}")
            self.database_url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{self.schema}"
            self.tracker_url = "postgresql://postgres@127.0.0.1:5432/test"
            self.lock_url = "redis://127.0.0.1:6379/0"
            self.engine_env = {"POSTGRESQL_SCHEMA": self.schema}

    def _admin(self, sql: str) -> None:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(sql))
        engine.dispose()

    def drop(self) -> None:
        """Remove what this backend created."""
        if self.kind == "postgres":
            self._admin(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """Each backend in turn; all integration tests run against both."""
    chosen = Backend(request.param, tmp_path_factory.mktemp(request.param))
    yield chosen
    chosen.drop()


HANDOFF_SECRET = "integration-secret"


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    """The CRM webhook the stack delivers handoffs to."""
    with running_receiver() as running:
        yield running


@contextmanager
def started_stack(backend: Backend, receiver: Receiver, log_dir: Path, name: str,
                  **overrides: object) -> Iterator[Stack]:
    """Rasa + action server + delivery worker on free ports, wired to the backend and the
    webhook receiver (settings `overrides` on top), stopped when the block ends.
    """
    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` first")
    settings = load_settings(**{
        "database_url": backend.database_url,
        "tracker_store_url": backend.tracker_url,
        "lock_store_url": backend.lock_url,
        "rasa_token": uuid.uuid4().hex,
        "rasa_port": free_port(),
        "action_port": free_port(),
        "handoff_webhook_url": receiver.url,
        "handoff_webhook_secret": HANDOFF_SECRET,
        **overrides,
    })
    migrate(settings.lead_store_url)
    running = Stack(settings, name=name, extra_env=backend.engine_env, log_dir=log_dir)
    running.start(model)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def stack(backend: Backend, receiver: Receiver,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack every REST test talks to, one per backend."""
    with started_stack(backend, receiver, tmp_path_factory.mktemp("logs"),
                       f"it-{backend.kind}") as running:
        yield running
    # At the end of the session on this backend: every log the stack wrote is free of
    # e-mails, the prospects' phone number and the tokens, and private (0600 / 0700).
    found = leaks(running.log_dir, secret_values(running.settings), [PROSPECT_ANSWERS["phone"]])
    assert found == [], f"{len(found)} leaks in the logs, e.g. {found[:5]}"
    assert too_open([running.log_dir]) == []


@pytest.fixture()
def bot(stack: Stack) -> BotClient:
    """A REST client for the running stack, with a fresh sender id per test."""
    return BotClient(stack.rasa_url, stack.settings.rasa_token)


@pytest.fixture(scope="session")
def leads(stack: Stack):
    """Sessions on the stack's lead store, to check what was stored."""
    engine = make_engine(stack.settings.lead_store_url)
    yield make_session_factory(engine)
    engine.dispose()
