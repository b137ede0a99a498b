"""Engines, sessions and migrations. Nothing here runs at import time."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Any constant works; it only has to be the same in every process running migrations.
_MIGRATION_LOCK_KEY = 0x1EADB07
_SQLITE_BUSY_TIMEOUT_MS = 10_000


class SchemaOutdated(RuntimeError):
    """The database is not at the migration head this code expects."""


def database_url(url: str | URL) -> URL:
    """Parse `url`, mapping ``postgres://`` and ``postgresql://`` to the psycopg 3 driver."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def resolve_sqlite_path(url: str, base: Path) -> str:
    """`url` with a relative SQLite file path made absolute against `base`."""
    parsed = make_url(url)
    database = parsed.database
    if (
        parsed.get_backend_name() != "sqlite"
        or not database
        or database == ":memory:"
        or database.startswith("file:")
        or Path(database).is_absolute()
    ):
        return url
    return parsed.set(database=str(base / database)).render_as_string(hide_password=False)


def ensure_sqlite_directory(url: str | URL) -> None:
    """Create the parent directory of a SQLite database file (SQLite will not)."""
    parsed = database_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    if database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create the process's engine for `url` (extra keyword arguments go to create_engine)."""
    parsed = database_url(url)
    engine = create_engine(parsed, pool_pre_ping=True, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


_WRITER_HELD = "leadbot_sqlite_writer"
# How long a SQLite engine waits for a lock, in ms (busy_timeout and the writer lock alike).
_LOCK_WAIT_MS: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()


def set_lock_wait(engine: Engine, milliseconds: int) -> None:
    """How long `engine` waits for SQLite's write lock before "database is locked": both
    SQLite's busy_timeout (other processes) and this process's writer lock (its threads).
    For connections opened from now on; the action server sets a short one.
    """
    if engine.url.get_backend_name() == "sqlite":
        _LOCK_WAIT_MS[engine] = int(milliseconds)


def lock_wait_ms(engine: Engine) -> int:
    """The lock wait of a SQLite `engine`, in milliseconds."""
    return _LOCK_WAIT_MS.get(engine, _SQLITE_BUSY_TIMEOUT_MS)


def _locked_error() -> sa_exc.OperationalError:
    # The error SQLAlchemy raises for SQLite's own "database is locked", so callers
    # (retries, the spool) treat a wait on this process's writer the same way.
    return sa_exc.OperationalError("BEGIN IMMEDIATE", None,
                                   sqlite3.OperationalError("database is locked"))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself: pysqlite's implicit transactions would
        # otherwise autocommit DDL and defer BEGIN past our first read.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {lock_wait_ms(engine)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    # SQLite has one writer at a time. Threads of this process (the action server's turns,
    # the worker's sends) queue on this lock and wake the moment the writer before them is
    # done; SQLite's busy handler would poll with sleeps of up to 100 ms instead. Other
    # processes still meet busy_timeout. Re-entrant, so a nested session in one thread
    # behaves as before (it waits on SQLite, not on itself). Waiting is bounded by the same
    # lock wait as busy_timeout: a thread stuck behind a long writer gets "database is
    # locked" like a process would, and its caller retries or spools.
    writer = threading.RLock()

    def _release(connection: Any) -> None:
        if connection.info.pop(_WRITER_HELD, False):
            writer.release()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not writer.acquire(timeout=lock_wait_ms(engine) / 1000):
            raise _locked_error()
        connection.info[_WRITER_HELD] = True
        try:
            # A turn reads, then writes; a deferred transaction that later needs the write
            # lock fails at once with SQLITE_BUSY instead of waiting for busy_timeout.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """The session factory for `engine`; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session, one transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest migration revision shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migrations found")
    return head


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(url: str | URL | Engine) -> None:
    """Upgrade the database to the newest revision, creating a SQLite file if needed."""
    if isinstance(url, Engine):
        _upgrade(url)
        return
    ensure_sqlite_directory(url)
    engine = make_engine(url)
    try:
        _upgrade(engine)
    finally:
        engine.dispose()


def _upgrade(engine: Engine) -> None:
    ensure_sqlite_directory(engine.url)
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # The action server, worker and web app may all migrate at start-up.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def check_schema(engine: Engine, *, migrate_if_new: bool) -> None:
    """Make sure the schema is at head; a never-migrated database is migrated if asked."""
    revision = schema_revision(engine)
    if revision is None and migrate_if_new:
        migrate(engine)
        return
    head = head_revision()
    if revision != head:
        raise SchemaOutdated(
            f"the database schema is at revision {revision or 'none'}, this code needs {head}; "
            "run `leadbot db upgrade`"
        )
