"""Database fixtures: every store test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.store import make_engine, make_session_factory, migrate

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# One token per test session, so parallel runs on the shared `test` database never collide.
_SESSION_TOKEN = uuid.uuid4().hex[:8]


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server URL; skips when it is unreachable, except under CI."""
    try:
        with psycopg.connect(_libpq_url(POSTGRES_URL), connect_timeout=3):
            pass
    except psycopg.Error as exc:
        message = f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped after the test."""
    schema = f"leadbot_test_{_SESSION_TOKEN}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq_url(postgres_url), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq_url(postgres_url), autocommit=True) as connection:
            # Never hang the suite on a connection a failed test left inside a transaction.
            connection.execute("SET lock_timeout = '10s'")
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty, unmigrated database: a temp SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'leadbot.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty, unmigrated SQLite database file in a directory that does not exist yet."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'new' / 'leadbot.db'}"


@pytest.fixture
def session_factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the migrated `db_url`; the engine is disposed afterwards."""
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def leadbot(db_url: str, tmp_path: Path) -> Callable[..., Any]:
    """Run `leadbot …` against `db_url` (SQLite and PostgreSQL), ignoring any `.env` file."""
    from click.testing import CliRunner

    from bot.cli.main import main

    def run(*args: str, url: str = db_url) -> Any:
        env = {"DATABASE_URL": url, "LEADBOT_ENV_FILE": str(tmp_path / "no.env")}
        return CliRunner().invoke(main, list(args), env=env)

    return run
