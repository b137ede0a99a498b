"""What every `leadbot` command shares: the lazily opened database, the lazily loaded
policies and one-line errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import PROJECT_ROOT, SettingsError, load_settings
from bot.store.db import (
    SchemaOutdated,
    check_schema,
    ensure_sqlite_directory,
    make_engine,
    make_session_factory,
    resolve_sqlite_path,
)

if TYPE_CHECKING:
    from bot.policies.loader import Policies

DATABASE_SETTING = "DATABASE_URL"


class DatabaseUnavailable(click.ClickException):
    """The configured database cannot be used; reported in one line, exit status 2."""

    exit_code = 2


class PoliciesUnavailable(click.ClickException):
    """The policy files cannot be used: every broken file on its own line, exit status 2."""

    exit_code = 2


def configured_database_url() -> str:
    """The lead store URL from the settings, a relative SQLite path made absolute."""
    try:
        url = load_settings().database_url
    except SettingsError as exc:
        raise DatabaseUnavailable(f"setting {exc}") from None
    try:
        return resolve_sqlite_path(url, PROJECT_ROOT)
    except ArgumentError as exc:
        raise DatabaseUnavailable(_invalid_url_message()) from exc


def _invalid_url_message() -> str:
    return (
        f"{DATABASE_SETTING} is not a valid database URL "
        "(expected e.g. sqlite:///var/leadbot.db or postgresql://user@host:5432/leadbot)"
    )


@dataclass
class CliState:
    """Per-invocation state: the database is opened and the policies are loaded lazily,
    once, by the command needing them.
    """

    url: str | None = None
    # The command's --policies DIR; None = the POLICY_DIR setting, read on first need.
    policy_dir: Path | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _policies: Policies | None = field(default=None, repr=False)

    def policy_path(self) -> Path:
        """The directory of the policy files: --policies DIR, else POLICY_DIR."""
        if self.policy_dir is None:
            try:
                self.policy_dir = load_settings().policy_path
            except SettingsError as exc:
                raise PoliciesUnavailable(f"setting {exc}") from None
        return self.policy_dir

    def policies(self) -> Policies:
        """Every policy file of `policy_path()`, loaded on first use (`leadbot leads` and
        the like never pay for it).
        """
        if self._policies is None:
            from bot.policies.base import PolicyError
            from bot.policies.loader import load_policies

            try:
                self._policies = load_policies(self.policy_path())
            except PolicyError as exc:
                raise PoliciesUnavailable(f"policies: {exc}") from None
        return self._policies

    def database_url(self) -> str:
        """The configured database URL (loads the settings on first use)."""
        if self.url is None:
            self.url = configured_database_url()
        return self.url

    def display_url(self) -> str:
        """The database URL without its password, for messages."""
        if self.url is None:
            return "?"
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            return "?"

    def engine(self) -> Engine:
        """The engine for the configured database (created on first use)."""
        if self._engine is None:
            url = self.database_url()
            try:
                self._engine = make_engine(url)
            except ImportError as exc:
                raise DatabaseUnavailable(
                    f"{DATABASE_SETTING} needs a database driver that is not installed: {exc}"
                ) from exc
        return self._engine

    def session_factory(self, *, migrate_if_new: bool = True) -> sessionmaker[Session]:
        """Sessions on a database whose schema is current; a brand-new one is migrated."""
        ensure_sqlite_directory(self.database_url())
        engine = self.engine()
        check_schema(engine, migrate_if_new=migrate_if_new)
        return make_session_factory(engine)

    def close(self) -> None:
        """Release the engine's connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class LeadbotGroup(click.Group):
    """The root group: database trouble becomes one line on stderr, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a database error becomes one line and exit status 2."""
        try:
            return super().invoke(ctx)
        except (SQLAlchemyError, SchemaOutdated) as exc:
            state = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
            raise DatabaseUnavailable(_database_error_message(exc, state)) from exc


def _database_error_message(exc: Exception, state: CliState) -> str:
    if isinstance(exc, ArgumentError):
        return _invalid_url_message()
    if isinstance(exc, NoSuchModuleError):
        return f"{DATABASE_SETTING} names an unsupported database: {exc}"
    if isinstance(exc, SchemaOutdated):
        return f"{exc} ({DATABASE_SETTING}={state.display_url()})"
    detail = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first_line = (str(detail).strip().splitlines() or [type(detail).__name__])[0]
    return f"cannot use the database at {DATABASE_SETTING}={state.display_url()}: {first_line}"
